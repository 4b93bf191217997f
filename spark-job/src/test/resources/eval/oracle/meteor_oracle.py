#!/usr/bin/python3
"""Generates meteor_cases.json: METEOR 1.5 values (segment and aggregate) with the exact, stem and synonym
modules only (METEOR 1.5's English paraphrase table is not available), for comparison with
io.sparklora.eval.Meteor (MeteorOracleTest, METRICS.md). The text is first tokenized by the E2E script's
pycocoevalcap PTBTokenizer wrapper, as e2e-metrics' COCOEvalCap does before calling METEOR, and METEOR is
driven through its -stdio protocol (SCORE per segment, EVAL of its statistics, EVAL of the summed
statistics for the aggregate, as pycocoevalcap/meteor/meteor.py's modified jar reports it), with English default ("rank")
parameters and the weights of the three modules:

    /usr/bin/python3 meteor_oracle.py METEOR_CLASSPATH /path/to/e2e-metrics ../e2e_metrics_example \
        /path/to/shared/data/e2e/devset.csv > meteor_cases.json

METEOR_CLASSPATH is a METEOR 1.5 jar, or its classes with its resources (cmu-mtlab/meteor); neither is part
of this repository. Cases: the E2E example (baseline outputs), and the first 60 E2E development MRs with
their last human reference as the hypothesis and the others as references.
"""
import csv
import json
import subprocess
import sys
from collections import OrderedDict


def read_example(folder):
    refs = [[]]
    with open(folder + '/references.txt', encoding='utf-8') as fh:
        for line in fh:
            line = line.strip()
            if line:
                refs[-1].append(line)
            else:
                refs.append([])
    if not refs[-1]:
        refs.pop()
    with open(folder + '/baseline-output.txt', encoding='utf-8') as fh:
        hyps = [line.strip() for line in fh]
    return refs, hyps


def read_dev(path, n_mrs):
    groups = OrderedDict()
    with open(path, encoding='utf-8', newline='') as fh:
        for row in csv.DictReader(fh):
            groups.setdefault(row['mr'], []).append(row['ref'].replace('\r', ' ').replace('\n', ' ').strip())
    refs, hyps = [], []
    for mr, texts in list(groups.items()):
        if len(texts) >= 2:
            refs.append(texts[:-1])
            hyps.append(texts[-1])
        if len(hyps) == n_mrs:
            break
    return refs, hyps


def run_meteor(classpath, tokenizer, refs, hyps):
    gts = {'inst-%d' % k: [{'caption': r} for r in rs] for k, rs in enumerate(refs)}
    res = {'inst-%d' % k: [{'caption': h}] for k, h in enumerate(hyps)}
    gts = tokenizer.tokenize(gts)
    res = tokenizer.tokenize(res)
    cmd = ['java', '-Xmx2G', '-cp', classpath, 'Meteor', '-', '-', '-stdio', '-l', 'en', '-norm',
           '-m', 'exact stem synonym', '-w', '1.0 0.6 0.8']
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def ask(line):
        p.stdin.write((line + '\n').encode('utf-8'))
        p.stdin.flush()
        return p.stdout.readline().decode('utf-8').strip()

    segments, total_stats = [], None
    for k in gts:
        hyp = res[k][0].replace('|||', '').replace('  ', ' ')
        stats = ask('SCORE ||| %s ||| %s' % (' ||| '.join(gts[k]), hyp))
        segments.append(float(ask('EVAL ||| ' + stats)))
        values = [float(v) for v in stats.split()]
        total_stats = values if total_stats is None else [a + b for a, b in zip(total_stats, values)]
    # METEOR's aggregate score: the metric computed from the summed sufficient statistics
    total = float(ask('EVAL ||| ' + ' '.join(repr(v) for v in total_stats)))
    p.stdin.close()
    p.wait()
    return {'METEOR': total, 'METEOR_segments': segments}


def main():
    classpath, e2e_metrics, example, devset = sys.argv[1:5]
    sys.path.insert(0, e2e_metrics)
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
    tokenizer = PTBTokenizer()
    cases = []
    refs, hyps = read_example(example)
    cases.append({'name': 'e2e_example', 'references': refs, 'hypotheses': hyps,
                  **run_meteor(classpath, tokenizer, refs, hyps)})
    refs, hyps = read_dev(devset, 60)
    cases.append({'name': 'e2e_dev_heldout_reference', 'references': refs, 'hypotheses': hyps,
                  **run_meteor(classpath, tokenizer, refs, hyps)})
    print(json.dumps({'generator': 'meteor_oracle.py',
                      'scorer': 'METEOR 1.5 -l en -norm -m "exact stem synonym" -w "1.0 0.6 0.8" (no paraphrase)',
                      'cases': cases}, indent=1, ensure_ascii=False))


if __name__ == '__main__':
    main()
