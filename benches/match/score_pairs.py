"""Score a pairs CSV (id_a,id_b,probability,...) against FEBRL ground truth
(records with the same rec-N prefix are the same person).

Usage: python score_pairs.py febrl3|febrl4 FEBRL_DIR PAIRS_CSV [THRESHOLD]
Prints JSON: precision, recall, F1 at the threshold, the best F1 over all
thresholds, and pairs completeness (true pairs among all pairs in the file,
meaningful when the file holds every blocked candidate)."""
import csv
import itertools
import json
import re
import sys
from collections import defaultdict

mode, febrl_dir, pairs_csv = sys.argv[1], sys.argv[2], sys.argv[3]
thr = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5


def ids(name):
    with open(f"{febrl_dir}/{name}") as f:
        r = csv.reader(f, skipinitialspace=True)
        next(r)
        return [row[0].strip() for row in r]


def person(rec_id):
    return re.match(r"rec-(\d+)-", rec_id).group(1)


if mode == "febrl3":
    groups = defaultdict(list)
    for i in ids("dataset3.csv"):
        groups[person(i)].append(i)
    truth = {frozenset(p) for g in groups.values() for p in itertools.combinations(g, 2)}
else:
    a = {person(i): i for i in ids("dataset4a.csv")}
    b = {person(i): i for i in ids("dataset4b.csv")}
    truth = {frozenset((a[k], b[k])) for k in a if k in b}

rows = []
with open(pairs_csv) as f:
    for r in csv.DictReader(f):
        rows.append((float(r["probability"]), frozenset((r["id_a"], r["id_b"]))))
seen = {p for _, p in rows}
pc = len(truth & seen) / len(truth)


def prf(t):
    pred = {p for s, p in rows if s >= t}
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(truth)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


p, r, f1 = prf(thr)
best = max((prf(t) + (t,) for t in [i / 100 for i in range(1, 100)]), key=lambda x: x[2])
print(json.dumps({
    "true_pairs": len(truth), "candidates": len(rows), "pairs_completeness": pc,
    "threshold": thr, "precision": p, "recall": r, "f1": f1,
    "best_f1": best[2], "best_threshold": best[3],
}))
