//! `harbour demo`, `harbour statistics check|rebuild` and `harbour export statistics` as an
//! operator runs them (a real binary, a real SQLite file): the rights-access tables reach every
//! export format, and the check compares them with the journals.

use std::process::Command;

fn harbour(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_harbour"));
    c.current_dir(dir)
        .env_remove("HARBOUR_DB")
        .env_remove("HARBOUR_MASTER_KEY_FILE")
        .env("HARBOUR_LOG", "warn");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn exports_carry_the_rights_tables_and_the_check_covers_them() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) =
        run(harbour(dir.path()).args(["demo", "--cases", "150", "--years", "1"]));
    assert_eq!(code, 0, "{out}{err}");

    let (code, out, err) = run(harbour(dir.path()).args(["statistics", "check"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok: every figure matches"), "{out}");

    let (code, out, err) = run(harbour(dir.path()).args(["statistics", "rebuild"]));
    assert_eq!(code, 0, "{out}{err}");

    let (code, csv, err) =
        run(harbour(dir.path()).args(["export", "statistics", "--format", "csv"]));
    assert_eq!(code, 0, "{err}");
    assert!(csv.contains("# rights access (lateness as at "), "{csv}");
    assert!(csv.contains("\nright,eligible,informed,granted,refused,waived,late,"));
    // One summary line per right of the catalogue, controlled: every count empty or ≥ k.
    let info = csv
        .lines()
        .find(|l| l.starts_with("information,"))
        .expect("the information right has a line");
    for v in info.split(',').skip(1).take(6) {
        // "n/a": late is not applicable to a right without a deadline.
        assert!(
            v.is_empty() || v == "n/a" || v.parse::<u64>().unwrap() >= 10,
            "{info}"
        );
    }
    // Structural zeros: a decided quarter has no "none" outcome; marked, never suppressed.
    assert!(csv.contains(
        "\ntable,dimension_1,value_1,dimension_2,value_2,count,suppressed,not_applicable\n"
    ));
    let structural: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("reasonable_grounds_decisions_by_quarter,"))
        .filter(|l| l.ends_with(",true"))
        .collect();
    assert!(!structural.is_empty(), "{csv}");
    for l in &structural {
        assert!(l.ends_with(",0,false,true"), "{l}");
    }
    assert!(
        csv.contains("\nrights,information,granted,no,"),
        "cells are exported too"
    );
    assert!(csv.contains("\ncompensation,compensation,paid,"));
    assert!(csv.contains("\ncooperation,cooperation,declined_support_continuing,"));
    assert!(csv.contains("\nsupport_continuing_after_decline,"));
    assert!(
        csv.contains("\nservice_acceptance,days,"),
        "timeliness has the service wait"
    );

    let (code, json, err) =
        run(harbour(dir.path()).args(["export", "statistics", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["rights"]["rights"]["measure"], "rights");
    assert!(v["rights"]["summary"].as_array().unwrap().len() > 10);
    for cell in v["rights"]["rights"]["cells"].as_array().unwrap() {
        match cell["count"].as_u64() {
            Some(0) => assert_eq!(
                (&cell["not_applicable"], &cell["suppressed"]),
                (&true.into(), &false.into()),
                "{cell}"
            ),
            Some(n) => assert!(n >= 10 && n % 10 == 0, "{cell}"),
            None => assert_eq!(cell["suppressed"], true),
        }
    }
    // Everything the export publishes, attacked together (shared totals, rows, columns,
    // structural zeros known to be 0): no suppressed cell is pinned to fewer than k values.
    let table = |t: &serde_json::Value| harbour_statistics::PublishedTable {
        dimensions: t["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect(),
        cells: t["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| harbour_statistics::PublishedCell {
                keys: c["keys"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect(),
                count: c["count"].as_u64(),
                suppressed: c["suppressed"].as_bool().unwrap(),
                not_applicable: c["not_applicable"].as_bool().unwrap(),
            })
            .collect(),
        k: t["k"].as_u64().unwrap(),
        resolution: t["resolution"].as_u64().unwrap(),
    };
    let published: Vec<(&str, harbour_statistics::PublishedTable)> = [
        ("cases", &v["referrals_by_quarter"]),
        ("referral_forms", &v["referrals_by_form"]),
        ("cases", &v["referrals_by_referrer"]),
        ("cases", &v["reasonable_grounds"]),
        ("cases", &v["conclusive_grounds"]),
        ("anonymous_notifications", &v["notifications_by_quarter"]),
        ("eligible_rights", &v["rights"]["rights"]),
        ("support_cases", &v["rights"]["compensation"]),
        ("support_cases", &v["rights"]["cooperation"]),
    ]
    .into_iter()
    .map(|(u, t)| (u, table(t)))
    .collect();
    let together: Vec<(&str, &harbour_statistics::PublishedTable)> =
        published.iter().map(|(u, t)| (*u, t)).collect();
    assert!(harbour_statistics::disclosure::exposed(&together).is_empty());
    assert!(together
        .iter()
        .any(|(_, t)| t.cells.iter().any(|c| c.suppressed)));

    let xlsx = dir.path().join("stats.xlsx");
    let (code, _, err) = run(harbour(dir.path()).args([
        "export",
        "statistics",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    // An XLSX is a zip whose sheet list names the rights sheet.
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("xl/worksheets/sheet8.xml"),
        "a sheet after the seven tables"
    );
}

/// The `field:value` pairs of one aggregate line (the selection, CSV quotes removed).
fn selection(line: &str) -> (Vec<(String, String)>, u64) {
    let (text, count) = line.rsplit_once(',').unwrap();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .map_or(text.to_string(), |t| t.replace("\"\"", "\""));
    let attributes = text
        .split(';')
        .map(|a| {
            let (f, v) = a.split_once(':').unwrap();
            (f.to_string(), v.to_string())
        })
        .collect();
    (attributes, count.parse().unwrap())
}

#[test]
fn ctdc_aggregates_equal_an_independent_count_of_the_htcds_records() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) =
        run(harbour(dir.path()).args(["demo", "--cases", "300", "--years", "1"]));
    assert_eq!(code, 0, "{out}{err}");

    // The records, as the case-level export writes them (k-anonymous on the year alone).
    let (code, htcds, err) = run(harbour(dir.path()).args([
        "export",
        "cases",
        "--standard",
        "htcds",
        "--quasi",
        "yearOfRegistration",
    ]));
    assert_eq!(code, 0, "{err}");
    let mut rows = htcds.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 17);
    let records: Vec<Vec<(String, String)>> = rows
        .map(|r| {
            assert!(!r.contains('"'), "no quoted values in the demo: {r}");
            header
                .iter()
                .zip(r.split(','))
                .filter(|(_, v)| !v.is_empty() && *v != "-99")
                .map(|(f, v)| (f.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    assert_eq!(records.len(), 300);

    // Threshold and resolution apart, so that a count rounded to one is not mistaken for k.
    let policy = dir.path().join("policy.toml");
    let text = include_str!("../../../data/policy/default.toml")
        .replace("threshold = 10", "threshold = 6")
        .replace("resolution = 10", "resolution = 4");
    std::fs::write(&policy, text).unwrap();
    let (k, resolution) = (6u64, 4u64);
    let file = dir.path().join("aggregates.csv");
    let (code, stdout, err) = run(harbour(dir.path()).args([
        "export",
        "aggregates",
        "--standard",
        "ctdc",
        "--policy",
        policy.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty(), "the file goes to --out only");
    assert!(
        err.contains("300 records;") && err.contains("k = 6, resolution 4, length 3; data as of "),
        "{err}"
    );
    let csv = std::fs::read_to_string(&file).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("selections,protected_count"));
    assert_eq!(
        lines.next(),
        Some("selections,300"),
        "300 is a multiple of 4"
    );

    // The independent count: every subset (by bit mask) of up to 3 of a record's attributes.
    let mut expected: std::collections::BTreeMap<Vec<(String, String)>, u64> =
        std::collections::BTreeMap::new();
    for r in &records {
        for mask in 1u32..(1 << r.len()) {
            if mask.count_ones() <= 3 {
                let c = (0..r.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| r[i].clone())
                    .collect();
                *expected.entry(c).or_default() += 1;
            }
        }
    }
    let mut published = 0;
    let mut previous: Option<(usize, String)> = None;
    for line in lines {
        let (attributes, count) = selection(line);
        let n = expected[&attributes];
        assert_eq!(count, n / resolution * resolution, "{line}: {n} people");
        assert!(count >= k, "{line}: rounded below k");
        // Fields in HTCDS order; lines by length, then text.
        let order: Vec<usize> = attributes
            .iter()
            .map(|(f, _)| header.iter().position(|h| h == f).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{line}");
        let key = (
            attributes.len(),
            line.rsplit_once(',').unwrap().0.to_string(),
        );
        assert!(previous.as_ref().is_none_or(|p| *p < key), "{line}");
        previous = Some(key);
        published += 1;
    }
    let publishable = expected
        .values()
        .filter(|n| **n / resolution * resolution >= k)
        .count();
    assert_eq!(
        published, publishable,
        "every publishable combination appears"
    );
    assert!(published > 20, "the demo gives something to publish: {csv}");

    // The shipped control (k = 10, resolution 10), two attributes, a few fields, to stdout.
    let (code, csv, err) = run(harbour(dir.path()).args([
        "export",
        "aggregates",
        "--standard",
        "ctdc",
        "--length",
        "2",
        "--fields",
        "citizenship,gender,ageBroad",
        "--from",
        "2000-01-01",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("k = 10, resolution 10, length 2"), "{err}");
    assert!(csv.starts_with("selections,protected_count\nselections,300\n"));
    for line in csv.lines().skip(2) {
        let (attributes, count) = selection(line);
        assert!(attributes.len() <= 2, "{line}");
        assert!(attributes
            .iter()
            .all(|(f, _)| ["gender", "ageBroad", "citizenship"].contains(&f.as_str())));
        assert!(count >= 10 && count % 10 == 0, "{line}");
        assert_eq!(count, expected[&attributes] / 10 * 10, "{line}");
    }

    // A period with no referrals: nothing but the header and a zero total.
    let (code, csv, err) = run(harbour(dir.path()).args([
        "export",
        "aggregates",
        "--standard",
        "ctdc",
        "--to",
        "2000-01-01",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(csv, "selections,protected_count\nselections,0\n");
    assert!(
        err.contains("0 records; 0 combinations kept, 0 suppressed"),
        "{err}"
    );
}

#[test]
fn ctdc_aggregates_refuse_bad_input_with_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aggregates.csv");
    let out = file.to_str().unwrap();
    for (args, says) in [
        (vec!["--length", "0"], "--length"),
        (vec!["--length", "7"], "--length"),
        (
            vec!["--fields", "gender,nationality"],
            "`nationality` is not an HTCDS field",
        ),
        (
            vec!["--from", "2026-02-01", "--to", "2026-01-31"],
            "--from 2026-02-01 is after --to 2026-01-31",
        ),
        (vec!["--from", "2026-02-30"], "not a real calendar date"),
    ] {
        let (code, stdout, err) = run(harbour(dir.path())
            .args(["export", "aggregates", "--standard", "ctdc", "--out", out])
            .args(&args));
        assert_eq!(code, 2, "{args:?}: {stdout}{err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(stdout.is_empty());
        assert!(!file.exists(), "{args:?} wrote the file");
        assert!(
            !dir.path().join("harbour.db").exists(),
            "{args:?} opened the database"
        );
    }
    let (code, _, err) = run(harbour(dir.path()).args([
        "export",
        "aggregates",
        "--standard",
        "htcds",
        "--out",
        out,
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(!file.exists());
}
