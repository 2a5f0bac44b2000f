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
        assert!(v.is_empty() || v.parse::<u64>().unwrap() >= 10, "{info}");
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
            Some(n) => assert!(n >= 10 && n % 10 == 0, "{cell}"),
            None => assert_eq!(cell["suppressed"], true),
        }
    }

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
