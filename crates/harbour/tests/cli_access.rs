//! `harbour serve --demo` with second factors, and `harbour audit verify` over the access log:
//! a real binary, a real SQLite file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn harbour(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_harbour"));
    c.current_dir(dir)
        .env_remove("HARBOUR_DB")
        .env_remove("HARBOUR_MASTER_KEY_FILE")
        .env("HARBOUR_LOG", "warn");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn sqlite(db: &std::path::Path, sql: &str) {
    let status = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3; c=sqlite3.connect('{}'); c.execute(\"{sql}\"); c.commit()",
            db.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn demo_prints_second_factor_secrets_and_audit_verify_checks_the_access_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = harbour(dir.path())
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.starts_with("Try:");
        out.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = out.join("\n");
    // Case readers, administrators and auditors print a base32 TOTP secret; the others do not.
    let mut with_secret = vec![];
    for line in out.iter().filter(|l| l.contains("@demo.invalid")) {
        let needs_factor = [
            "first_responder",
            "case_worker",
            "decision_maker",
            "child_protection_officer",
            "guardian",
            "admin",
            "auditor",
        ]
        .iter()
        .any(|r| line.contains(&format!("role {r} ")) || line.ends_with(&format!("role {r}")));
        let secret = line.split(" totp ").nth(1);
        assert_eq!(secret.is_some(), needs_factor, "{line}");
        if secret.is_some() {
            with_secret.push(line.clone());
        }
        if let Some(s) = secret {
            assert_eq!(s.trim().len(), 32, "{line}");
            assert!(s
                .trim()
                .chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
        }
    }
    for role in ["role admin ", "role auditor "] {
        assert!(
            with_secret.iter().any(|l| l.contains(role)),
            "{role}has a second factor: {text}"
        );
    }
    assert!(text.contains("DEMO ONLY"), "{text}");

    let (code, stdout, err) = run(harbour(dir.path()).args(["audit", "verify"]));
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("access records verified"), "{stdout}");

    // Edit who read a case, behind Harbour's back: verify names the record.
    let db = dir.path().join("harbour.db");
    sqlite(&db, "UPDATE access_log SET action = 'list' WHERE seq = 2");
    let (code, _, err) = run(harbour(dir.path()).args(["audit", "verify"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("access log broken at record 2") && err.contains("edited"),
        "{err}"
    );
}
