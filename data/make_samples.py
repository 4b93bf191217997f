#!/usr/bin/env python3
"""Re-creates the samples in this folder from the full shared copies (see ATTRIBUTION.md).

Usage: python3 make_samples.py /path/to/shared/data   (run inside data/)
Only selects whole lines; bytes within a line are never changed.
"""
import csv
import random
import sys

S = sys.argv[1]


def head(src, dst, n):
    """Header plus the first n data lines, byte for byte (keeps MRPC's BOM)."""
    b = open(src, 'rb').read().split(b'\n')
    open(dst, 'wb').write(b'\n'.join(b[:n + 1]) + b'\n')


def csv_head(src, dst, keep):
    """Header plus leading CRLF records while keep(record, state) holds (no quoted line breaks there)."""
    lines = open(src, 'rb').read().decode('utf-8').split('\r\n')
    out, state = [lines[0]], []
    for line in lines[1:]:
        if not keep(next(csv.reader([line])), state):
            break
        out.append(line)
    open(dst, 'wb').write(('\r\n'.join(out) + '\r\n').encode('utf-8'))


def first_rows(n):
    def keep(_, state):
        state.append(1)
        return len(state) <= n
    return keep


def first_mrs(n):
    def keep(r, state):
        if not state or state[-1] != r[0]:
            state.append(r[0])
        return len(state) <= n
    return keep


# SST-2 train: 4000 rows drawn uniformly without replacement (seed 20261123), kept in file order.
lines = open(S + '/glue/SST-2/train.tsv', encoding='utf-8').read().split('\n')
header, rows = lines[0], lines[1:-1]
idx = sorted(random.Random(20261123).sample(range(len(rows)), 4000))
open('glue/SST-2/train.tsv', 'w', encoding='utf-8', newline='').write(
    header + '\n' + ''.join(rows[i] + '\n' for i in idx))
open('glue/SST-2/dev.tsv', 'wb').write(open(S + '/glue/SST-2/dev.tsv', 'rb').read())
head(S + '/glue/MRPC/train.tsv', 'glue/MRPC/train.tsv', 400)
head(S + '/glue/MRPC/dev.tsv', 'glue/MRPC/dev.tsv', 200)
head(S + '/glue/STS-B/train.tsv', 'glue/STS-B/train.tsv', 400)
head(S + '/glue/STS-B/dev.tsv', 'glue/STS-B/dev.tsv', 200)
csv_head(S + '/e2e/trainset.csv', 'e2e/trainset.csv', first_rows(400))
csv_head(S + '/e2e/devset.csv', 'e2e/devset.csv', first_mrs(50))
# microsoft/LoRA valid.txt: the lines of the same first 50 MRs.
out, mrs = [], []
for line in open(S + '/e2e/valid.txt', 'rb').read().split(b'\n'):
    if not line:
        break
    mr = line.split(b'||')[0]
    if not mrs or mrs[-1] != mr:
        mrs.append(mr)
    if len(mrs) > 50:
        break
    out.append(line)
open('e2e/valid.txt', 'wb').write(b'\n'.join(out) + b'\n')
