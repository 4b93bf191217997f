#!/usr/bin/python3
"""Generates coco_cases.json: ROUGE-L and CIDEr values (corpus and segment level) computed by the
official E2E script's bundled pycocoevalcap (PTBTokenizer wrapper, Rouge, Cider) on random
multi-reference cases with tricky tokens. It is the independent oracle of
io.sparklora.eval.CocoOracleTest. pycocoevalcap is not part of this repository: pass the path of a
checkout of tuetschek/e2e-metrics whose pycocoevalcap/tokenizer/ holds stanford-corenlp-3.4.1.jar (the
Maven Central jar of edu.stanford.nlp:stanford-corenlp:3.4.1), with Debian's python3-numpy and
python3-future installed, and java on the PATH:

    /usr/bin/python3 coco_oracle.py /path/to/e2e-metrics > coco_cases.json

The scorers are called as e2e-metrics' measure_scores.py (through pycocoevalcap/eval.py) calls them:
all references tokenized in one PTBTokenizer run, all outputs in another, then Rouge and Cider.
"""
import json
import random
import sys

WORDS = ("The Eagle is a cheap coffee shop near Burger King in the riverside area . It serves Italian food "
         "and has a customer rating of 5 out of 5 , family-friendly , not kid friendly £20-25 1,000 3.5 "
         "U.S. U.S don't it's Café Rouge 'quoted' \"Blue Spice\" (pub) [bar] {x} 0 a.m. high-priced "
         "10/10 x&y restaurant; city centre: yes! no? well... Zizzi's 20 - 25 -- ALIMENTUM Strada "
         "the the a a of of eat eats eating").split()


def sentence(rng, n):
    return ' '.join(rng.choice(WORDS) for _ in range(n))


def mutate(rng, s):
    out = []
    for w in s.split(' '):
        r = rng.random()
        if r < 0.12:
            continue
        out.append(rng.choice(WORDS) if r < 0.25 else w)
    return ' '.join(out) or s


def random_case(rng, n_instances, max_refs):
    refs, hyps = [], []
    for _ in range(n_instances):
        base = sentence(rng, rng.randint(2, 16))
        refs.append([mutate(rng, base) for _ in range(rng.randint(1, max_refs))])
        r = rng.random()
        hyps.append(sentence(rng, rng.randint(1, 8)) if r < 0.15 else ('.' if r < 0.18 else mutate(rng, base)))
    return refs, hyps


def main():
    sys.path.insert(0, sys.argv[1])
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.cider.cider import Cider

    rng = random.Random(777)
    cases = []
    for i in range(10):
        refs, hyps = random_case(rng, rng.randint(2, 30), rng.choice([1, 2, 5, 8]))
        # measure_scores.create_coco_refs / create_coco_sys, then COCOEvalCap.evaluate
        gts = {'inst-%d' % k: [{'caption': r} for r in rs] for k, rs in enumerate(refs)}
        res = {'inst-%d' % k: [{'caption': h}] for k, h in enumerate(hyps)}
        tokenizer = PTBTokenizer()
        gts = tokenizer.tokenize(gts)
        res = tokenizer.tokenize(res)
        rouge, rouge_seg = Rouge().compute_score(gts, res)
        cider, cider_seg = Cider().compute_score(gts, res)
        keys = list(gts.keys())
        cases.append({'name': 'random_%d' % i, 'references': refs, 'hypotheses': hyps,
                      'tokenized_hypotheses': [res[k][0] for k in keys],
                      'ROUGE_L': float(rouge), 'CIDEr': float(cider),
                      'ROUGE_L_segments': [float(x) for x in rouge_seg],
                      'CIDEr_segments': [float(x) for x in cider_seg]})
    print(json.dumps({'generator': 'coco_oracle.py',
                      'scorers': 'tuetschek/e2e-metrics pycocoevalcap (PTBTokenizer 3.4.1, Rouge, Cider)',
                      'cases': cases}, indent=1, ensure_ascii=False))


if __name__ == '__main__':
    main()
