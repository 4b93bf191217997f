#!/usr/bin/python3
"""Generates glue_cases.json: randomized GLUE metric cases (with ties and 0/0 edge cases) and their
values from scikit-learn / SciPy, the independent oracle for io.sparklora.eval.GlueMetricsTest.

Run with Debian's python3 (apt-get install python3-sklearn python3-scipy):
    /usr/bin/python3 glue_oracle.py > glue_cases.json
The Java tests only read the JSON; Python is not needed to run them.
"""
import json
import math
import random
import warnings

import numpy as np
import scipy
import sklearn
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

warnings.simplefilter("ignore")  # constant inputs and 0/0 cases warn; their values are what we record

CLASSES = {"cola": 2, "sst2": 2, "mrpc": 2, "qqp": 2, "mnli": 3, "mnli-m": 3, "mnli-mm": 3,
           "qnli": 2, "rte": 2, "wnli": 2}
METRICS = {"cola": ["mcc"], "mrpc": ["accuracy", "f1"], "qqp": ["accuracy", "f1"], "stsb": ["pearson", "spearman"]}


def nan_to_zero(v):
    # SciPy returns NaN for a constant input; the project reports 0.0 (the 0/0 convention of scikit-learn)
    return 0.0 if math.isnan(v) else float(v)


def score(task, pred, gold):
    out = {}
    for m in METRICS.get(task, ["accuracy"]):
        if m == "accuracy":
            out[m] = float(accuracy_score(gold, pred))
        elif m == "f1":
            out[m] = float(f1_score(gold, pred, pos_label=1, average="binary", zero_division=0))
        elif m == "mcc":
            out[m] = float(matthews_corrcoef(gold, pred))
        elif m == "pearson":
            out[m] = nan_to_zero(pearsonr(pred, gold)[0])
        elif m == "spearman":
            out[m] = nan_to_zero(spearmanr(pred, gold)[0])
    return out


def classification_case(rng, task, n, kind):
    k = CLASSES[task]
    gold = [rng.randrange(k) for _ in range(n)]
    if kind == "random":
        pred = [rng.randrange(k) for _ in range(n)]
    elif kind == "noisy":
        pred = [g if rng.random() < 0.75 else rng.randrange(k) for g in gold]
    elif kind == "constant_pred":
        pred = [rng.randrange(k)] * n
    elif kind == "all_negative":  # no true and no predicted positive: F1 is 0/0
        gold = [0] * n
        pred = [0] * n
    elif kind == "perfect":
        pred = list(gold)
    else:
        raise ValueError(kind)
    return pred, gold


def regression_case(rng, n, kind):
    if kind == "ties":  # few distinct values, so ranks tie heavily
        gold = [rng.choice([0.0, 1.0, 2.5, 2.5, 4.0, 5.0]) for _ in range(n)]
        pred = [round(rng.uniform(0, 5) * 2) / 2 for _ in range(n)]
    elif kind == "continuous":
        gold = [round(rng.uniform(0, 5), 3) for _ in range(n)]
        pred = [round(g + rng.gauss(0, 1), 6) for g in gold]
    elif kind == "constant_pred":
        gold = [round(rng.uniform(0, 5), 2) for _ in range(n)]
        pred = [3.0] * n
    elif kind == "anti":
        gold = [float(rng.randrange(6)) for _ in range(n)]
        pred = [5.0 - g for g in gold]
    else:
        raise ValueError(kind)
    return pred, gold


def main():
    rng = random.Random(20240611)
    cases = []
    for task in CLASSES:
        for kind in ["random", "noisy", "constant_pred", "all_negative", "perfect"]:
            for n in ([1, 7, 50] if kind == "random" else [13, 200]):
                pred, gold = classification_case(rng, task, n, kind)
                cases.append({"task": task, "kind": kind, "predictions": pred, "labels": gold,
                              "expected": score(task, pred, gold)})
    for kind in ["ties", "continuous", "constant_pred", "anti"]:
        for n in [3, 20, 150]:
            pred, gold = regression_case(rng, n, kind)
            cases.append({"task": "stsb", "kind": kind, "predictions": pred, "labels": gold,
                          "expected": score("stsb", pred, gold)})
    # Matthews correlation on three classes (the general multiclass formula)
    mcc3 = []
    for n in [5, 40, 300]:
        gold = [rng.randrange(3) for _ in range(n)]
        pred = [g if rng.random() < 0.6 else rng.randrange(3) for g in gold]
        mcc3.append({"predictions": pred, "labels": gold, "mcc": float(matthews_corrcoef(gold, pred))})
    print(json.dumps({"generator": "glue_oracle.py", "sklearn": sklearn.__version__,
                      "scipy": scipy.__version__, "numpy": np.__version__,
                      "cases": cases, "mcc_three_class": mcc3}, indent=0))


if __name__ == "__main__":
    main()
