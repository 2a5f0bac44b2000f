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

/// Run a Python sqlite3 script (several statements) against the file.
fn sqlite_script(db: &std::path::Path, sql: &str) {
    let status = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3, sys; c=sqlite3.connect('{}'); c.executescript(sys.argv[1]); c.commit()",
            db.display()
        ))
        .arg(sql)
        .status()
        .unwrap();
    assert!(status.success());
}

fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Edit access record 2 and recompute every hash after it and the head, as someone with write
/// access to the database could: the chain is consistent again.
fn rewrite_chain_consistently(db: &std::path::Path) {
    sqlite(db, "UPDATE access_log SET action = 'list' WHERE seq = 2");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let chain = rt.block_on(async {
        use harbour_store::Store;
        let store = harbour_store_sqlite::SqliteStore::connect(&format!("sqlite:{}", db.display()))
            .await
            .unwrap();
        store.access_chain(0, 100_000).await.unwrap()
    });
    assert!(chain.len() >= 2, "the demo reads cases: {}", chain.len());
    let mut prev = harbour_store::GENESIS;
    let mut sql = String::new();
    for r in &chain {
        let hash = harbour_store::access_hash(&prev, r.seq, &r.record);
        sql.push_str(&format!(
            "UPDATE access_log SET prev_hash = X'{}', hash = X'{}' WHERE seq = {};\n",
            hex(&prev),
            hex(&hash),
            r.seq
        ));
        prev = hash;
    }
    sql.push_str(&format!(
        "UPDATE access_chain_head SET hash = X'{}' WHERE id = 1;\n",
        hex(&prev)
    ));
    sqlite_script(db, &sql);
}

/// An anchor kept outside the database catches a consistent rewrite of the whole access-log
/// chain, which plain `audit verify` cannot see (ASVS 16.4.2 / 16.4.3, issue 6).
#[test]
fn audit_anchor_detects_a_consistent_rewrite_of_the_access_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = harbour(dir.path())
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if line.unwrap().starts_with("Try:") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let (code, anchor, err) = run(harbour(dir.path()).args(["audit", "anchor"]));
    assert_eq!(code, 0, "{err}");
    let anchor = anchor.trim().to_string();
    let parts: Vec<&str> = anchor.split(' ').collect();
    assert_eq!(parts.len(), 3, "{anchor}");
    assert_eq!(parts[0], "access-log");
    assert!(parts[1].parse::<u64>().unwrap() >= 2, "{anchor}");
    assert_eq!(parts[2].len(), 64, "{anchor}");
    assert!(parts[2].bytes().all(|b| b.is_ascii_hexdigit()), "{anchor}");

    let (code, stdout, err) =
        run(harbour(dir.path()).args(["audit", "verify", "--anchor", &anchor]));
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("1 anchors matched"), "{stdout}");

    // A wrong hash for the same record is a mismatch even on an untouched log.
    let wrong = format!("access-log {} {}", parts[1], "0".repeat(64));
    let (code, _, err) = run(harbour(dir.path()).args(["audit", "verify", "--anchor", &wrong]));
    assert_eq!(code, 1);
    assert!(err.contains("does not match the anchor"), "{err}");

    // Malformed anchors are refused as usage errors, naming what is wrong.
    for bad in [
        "access-log",
        "journal 3 00",
        "access-log x 00",
        "access-log 3 abc",
        &format!("{anchor} extra"),
    ] {
        let (code, _, err) = run(harbour(dir.path()).args(["audit", "verify", "--anchor", bad]));
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("not an anchor"), "{bad}: {err}");
    }

    rewrite_chain_consistently(&dir.path().join("harbour.db"));
    let (code, stdout, err) = run(harbour(dir.path()).args(["audit", "verify"]));
    assert_eq!(
        code, 0,
        "the rewrite is consistent, the chain alone cannot see it: {err}"
    );
    assert!(stdout.contains("access records verified"), "{stdout}");
    let (code, _, err) = run(harbour(dir.path()).args(["audit", "verify", "--anchor", &anchor]));
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "access log does not match the anchor for record {}",
            parts[1]
        )),
        "{err}"
    );
}
