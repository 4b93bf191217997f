#!/usr/bin/python3
"""Generates mteval_cases.json: BLEU and NIST values (corpus and segment level) computed by the official
E2E script's Perl mteval-v13a-sig.pl on the E2E example and on random multi-reference cases. It is the
independent oracle of io.sparklora.eval.MtevalOracleTest. The Perl script is not part of this repository:
pass the path of a checkout of tuetschek/e2e-metrics (needs perl and XML::Twig: libxml-twig-perl).

    /usr/bin/python3 mteval_oracle.py /path/to/e2e-metrics ../e2e_metrics_example > mteval_cases.json

The input files are written in the format of e2e-metrics' measure_scores.py (create_mteval_file: one
<doc> per reference position, missing references padded with empty segments). The Perl script prints
scores with 4 decimals; a temporary copy prints 10 instead, nothing else is changed.
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile


def write_sgm(rows, path, file_type):
    """rows: per instance a list of strings (references) or a string (system output / source)."""
    data = [[]]
    for inst_no, inst in enumerate(rows):
        if not isinstance(inst, list):
            inst = [inst]
        for ref_no, ref in enumerate(inst):
            if len(data) <= ref_no:
                data.append([''] * inst_no)
            data[ref_no].append(ref)
        for ref_no in range(len(inst), len(data)):
            data[ref_no].append('')
    with open(path, 'w', encoding='utf-8') as fh:
        fh.write('<%sset setid="e2e" srclang="any" trglang="en">\n' % file_type)
        for set_no, inst_set in enumerate(data):
            sysid = file_type + ('' if len(data) == 1 else '_%d' % set_no)
            fh.write('<doc docid="test" genre="news" origlang="any" sysid="%s">\n<p>\n' % sysid)
            for seg_no, seg in enumerate(inst_set, start=1):
                fh.write('<seg id="%d">%s</seg>\n' % (seg_no, seg))
            fh.write('</p>\n</doc>\n')
        fh.write('</%sset>' % file_type)


def run_mteval(script, refs, hyps):
    with tempfile.TemporaryDirectory() as tmp:
        write_sgm(refs, os.path.join(tmp, 'ref.sgm'), 'ref')
        write_sgm(hyps, os.path.join(tmp, 'tst.sgm'), 'tst')
        write_sgm([''] * len(hyps), os.path.join(tmp, 'src.sgm'), 'src')
        out = subprocess.check_output(
            ['perl', script, '-r', 'ref.sgm', '-s', 'src.sgm', '-t', 'tst.sgm', '-f', 'stats.txt', '-d', '2'],
            cwd=tmp, stderr=subprocess.STDOUT).decode('utf-8')
    m = re.search(r'NIST score = ([0-9.]+)\s+BLEU score = ([0-9.]+)', out)
    seg = {'BLEU': {}, 'NIST': {}}
    for metric, value, seg_id in re.findall(
            r'(BLEU|NIST) score using [45]-grams = ([0-9.]+) for system "[^"]*" on segment (\d+) ', out):
        seg[metric][int(seg_id)] = float(value)
    n = len(hyps)
    return {'BLEU': float(m.group(2)), 'NIST': float(m.group(1)),
            'BLEU_segments': [seg['BLEU'][i] for i in range(1, n + 1)],
            'NIST_segments': [seg['NIST'][i] for i in range(1, n + 1)]}


def read_example(folder):
    refs = [[]]
    with open(os.path.join(folder, 'references.txt'), encoding='utf-8') as fh:
        for line in fh:
            line = line.strip()
            if line:
                refs[-1].append(line)
            else:
                refs.append([])
    if not refs[-1]:
        refs.pop()
    with open(os.path.join(folder, 'baseline-output.txt'), encoding='utf-8') as fh:
        hyps = [line.strip() for line in fh]
    return refs, hyps


WORDS = ("The Eagle is a cheap coffee shop near Burger King in the riverside area . It serves Italian food "
         "and has a customer rating of 5 out of 5 , family-friendly , not kid friendly £20-25 £ 1,000 3.5 "
         "U.S. don't it's Café Rouge 'quoted' \"Blue Spice\" (pub) 0 0 0 a.m. high-priced 10/10 x&y &amp; "
         "restaurant; city centre: yes! no? well... Zizzi's 20 - 25 ALIMENTUM Strada #1 @home ~ ^_^ {b} [c]").split()


def random_sentence(rng, length):
    return ' '.join(rng.choice(WORDS) for _ in range(length))


def mutate(rng, sentence):
    words = sentence.split(' ')
    out = []
    for w in words:
        r = rng.random()
        if r < 0.12:
            continue
        if r < 0.22:
            out.append(rng.choice(WORDS))
        elif r < 0.27:
            out.append(w.upper())
        else:
            out.append(w)
        if rng.random() < 0.05:
            out.append(rng.choice(WORDS))
    return ' '.join(out)


def random_case(rng, n_instances, max_refs):
    refs, hyps = [], []
    for _ in range(n_instances):
        base = random_sentence(rng, rng.randint(3, 18))
        k = rng.randint(1, max_refs)
        refs.append([mutate(rng, base) or base for _ in range(k)])
        r = rng.random()
        if r < 0.05:
            hyps.append(rng.choice(['', 'the', 'Eagle .']))  # empty or shorter than 4 tokens
        elif r < 0.15:
            hyps.append(random_sentence(rng, rng.randint(1, 10)))
        else:
            hyps.append(mutate(rng, base))
    return refs, hyps


def main():
    script = os.path.join(sys.argv[1], 'mteval', 'mteval-v13a-sig.pl')
    with open(script, encoding='utf-8') as fh:
        text = fh.read()
    patched = text.replace('%2.4f', '%.10f').replace('%.4f', '%.10f')
    with tempfile.NamedTemporaryFile('w', suffix='.pl', delete=False, encoding='utf-8') as fh:
        fh.write(patched)
        patched_path = fh.name
    try:
        cases = []
        refs, hyps = read_example(sys.argv[2])
        cases.append({'name': 'e2e_example', 'references': refs, 'hypotheses': hyps,
                      **run_mteval(patched_path, refs, hyps)})
        rng = random.Random(4242)
        for i in range(12):
            refs, hyps = random_case(rng, rng.randint(1, 25), rng.choice([1, 3, 6, 12]))
            cases.append({'name': 'random_%d' % i, 'references': refs, 'hypotheses': hyps,
                          **run_mteval(patched_path, refs, hyps)})
    finally:
        os.remove(patched_path)
    print(json.dumps({'generator': 'mteval_oracle.py', 'script': 'tuetschek/e2e-metrics mteval/mteval-v13a-sig.pl',
                      'cases': cases}, indent=1, ensure_ascii=False))


if __name__ == '__main__':
    main()
