"""Splink 5 (DuckDB) on UA-trace: link tracing requests to children with
Splink's generic person comparisons, then rank each request's candidates by
match probability. Names are given as written (lower-cased); dates are
normalised to ISO where complete, so Splink is not penalised for date
formats. Usage: python splink_uatrace.py DIR OUT_JSON (DIR from uatrace --csv)."""
import json
import re
import sys
import time

import duckdb
import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

d, out_json = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()


def iso(s):
    s = (s or "").strip()
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", s)
    if m:
        return f"{m[1]}-{m[2]}-{m[3]}"
    m = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", s)
    if m:
        return f"{m[3]}-{m[2]}-{m[1]}"
    return None


def load(name):
    df = pd.read_csv(f"{d}/{name}", dtype=str, keep_default_na=False)
    for c in ["given_name", "surname", "birth_place", "mother_name", "sex"]:
        df[c] = df[c].str.strip().str.lower().replace("", None)
    df["date_of_birth"] = df["date_of_birth"].map(iso)
    df["birth_year"] = df["date_of_birth"].str[:4]
    return df[["id", "given_name", "surname", "sex", "date_of_birth", "birth_year", "birth_place", "mother_name"]]


kids, reqs = load("children.csv"), load("requests.csv")
truth = pd.read_csv(f"{d}/truth.csv", dtype=str)
db_api = DuckDBAPI(connection=duckdb.connect())
settings = SettingsCreator(
    unique_id_column_name="id",
    link_type="link_only",
    blocking_rules_to_generate_predictions=[
        block_on("surname"),
        block_on("given_name"),
        block_on("date_of_birth"),
        block_on("substr(surname, 1, 3)", "birth_year"),
        "l.given_name = r.surname and l.surname = r.given_name",
    ],
    comparisons=[
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, invalid_dates_as_null=True),
        cl.ExactMatch("sex"),
        cl.JaroWinklerAtThresholds("birth_place", [0.9]),
        cl.NameComparison("mother_name"),
    ],
)
linker = Linker([db_api.register(kids), db_api.register(reqs)], settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("given_name", "surname", "date_of_birth")], recall=0.5
)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
pred = linker.inference.predict().as_pandas_dataframe()[["id_l", "id_r", "match_probability"]]
t1 = time.perf_counter()
# Orient every pair as (request, child).
left_is_req = pred["id_l"].isin(set(reqs["id"]))
pred["req"] = pred["id_l"].where(left_is_req, pred["id_r"])
pred["kid"] = pred["id_r"].where(left_is_req, pred["id_l"])
pred = pred.sort_values(["req", "match_probability"], ascending=[True, False])
ranked = pred.groupby("req")["kid"].apply(list).to_dict()
shown = pred[pred["match_probability"] >= 0.5].groupby("req").size().to_dict()
n = len(truth)
ranks = []
for q, c in zip(truth["request_id"], truth["child_id"]):
    lst = ranked.get(q, [])
    ranks.append(lst.index(c) if c in lst else None)


def at(k):
    return sum(1 for r in ranks if r is not None and r < k) / n


json.dump(
    {
        "tool": "splink",
        "requests": n,
        "recall_at_1": at(1),
        "recall_at_5": at(5),
        "recall_at_10": at(10),
        "recall_at_20": at(20),
        "mrr": sum(1 / (r + 1) for r in ranks if r is not None) / n,
        "pairs_completeness": sum(1 for r in ranks if r is not None) / n,
        "candidates_scored": len(pred) / n,
        "candidates_shown": sum(min(v, 10) for v in shown.values()) / n,
        "wall_s": t1 - t0,
    },
    open(out_json, "w"),
)
