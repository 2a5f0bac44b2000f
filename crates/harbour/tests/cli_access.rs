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

    let (code, line, err) = run(harbour(dir.path()).args(["audit", "anchor"]));
    assert_eq!(code, 0, "{err}");
    let line = line.trim().to_string();
    let v2: Vec<&str> = line.split(' ').collect();
    assert_eq!(v2.len(), 8, "{line}");
    assert_eq!(v2[..2], ["anchor-v2", "access-log"], "{line}");
    assert_eq!(v2[4], "journals", "{line}");
    assert_eq!(v2[7].len(), 64, "{line}");
    // The access-log part alone is the first line format, which operators may already keep:
    // it is still accepted and checks the access log.
    let anchor = v2[1..4].join(" ");
    let parts: Vec<&str> = anchor.split(' ').collect();
    assert_eq!(parts[0], "access-log");
    assert!(parts[1].parse::<u64>().unwrap() >= 2, "{anchor}");
    assert_eq!(parts[2].len(), 64, "{anchor}");
    assert!(parts[2].bytes().all(|b| b.is_ascii_hexdigit()), "{anchor}");
    let (code, stdout, err) = run(harbour(dir.path()).args(["audit", "verify", "--anchor", &line]));
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("1 anchors matched"), "{stdout}");

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
        &format!("anchor-v2 {anchor}"),
        &format!("anchor-v2 {anchor} journals x 3 {}", "0".repeat(64)),
        &format!("anchor-v2 {anchor} journals 5 3 {}", "0".repeat(63)),
        &format!("{line} extra"),
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

/// Start the demo in `dir` and stop it once it has seeded its cases.
fn seed_demo(dir: &std::path::Path) {
    let mut child = harbour(dir)
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
}

fn sqlite_store(
    db: &std::path::Path,
) -> (tokio::runtime::Runtime, harbour_store_sqlite::SqliteStore) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = rt
        .block_on(harbour_store_sqlite::SqliteStore::connect(&format!(
            "sqlite:{}",
            db.display()
        )))
        .unwrap();
    (rt, store)
}

/// Re-chain `events` (of one case) from the first on, as someone with write access could.
fn rechain(events: &mut [harbour_store::StoredEvent]) {
    let mut prev = harbour_store::GENESIS;
    for e in events.iter_mut() {
        e.prev_hash = prev;
        e.hash = harbour_store::chain_hash(&prev, e);
        prev = e.hash;
    }
}

/// After anchoring, Harbour goes on: a case gets another event and is then erased, and a new case
/// is opened, the way the service writes them (through the store, chained, the projection moving
/// on).
fn carry_on_after_the_anchor(db: &std::path::Path) {
    use harbour_store::Store;
    let (rt, store) = sqlite_store(db);
    rt.block_on(async {
        let ids = store.case_ids(None, 100).await.unwrap();
        assert!(ids.len() >= 2, "the demo opens cases: {ids:?}");
        let record = store.load_case(ids[0]).await.unwrap().unwrap();
        let last = record.events.last().unwrap().clone();
        let now = time::OffsetDateTime::now_utc();
        let mut next = last.clone();
        next.seq = last.seq + 1;
        next.at = now;
        next.prev_hash = last.hash;
        next.hash = harbour_store::chain_hash(&last.hash, &next);
        let mut projection = record.header.projection.clone();
        projection.seq = next.seq;
        let access = harbour_store::AccessRecord {
            at: now,
            user_id: last.actor,
            org_id: last.actor_org,
            case_id: Some(ids[0]),
            action: "events".into(),
            purpose: None,
        };
        store
            .append(&harbour_store::CaseChange {
                projection: projection.clone(),
                expected_seq: last.seq,
                events: vec![next.clone()],
                new_parties: vec![],
                new_person_keys: vec![],
                access: access.clone(),
                statistics: None,
            })
            .await
            .unwrap();
        // Then the case is erased: its key goes, its journal (sealed) stays and must still verify
        // against the anchor.
        let mut erasure = next.clone();
        erasure.seq = next.seq + 1;
        erasure.kind = harbour_domain::retention::ERASURE_EVENT_KIND.into();
        erasure.prev_hash = next.hash;
        erasure.hash = harbour_store::chain_hash(&next.hash, &erasure);
        store
            .erase_case(
                &harbour_store::CaseChange {
                    projection: harbour_store::CaseProjection {
                        seq: erasure.seq,
                        ..projection
                    },
                    expected_seq: next.seq,
                    events: vec![erasure],
                    new_parties: vec![],
                    new_person_keys: vec![],
                    access: harbour_store::AccessRecord {
                        action: "erase".into(),
                        ..access.clone()
                    },
                    statistics: None,
                },
                "person_request",
            )
            .await
            .unwrap();
        assert!(store.case_erasure(ids[0]).await.unwrap().is_some());

        // A new case, shaped like the second demo case (sealed content copied; only its chain
        // matters here).
        let model = store.load_case(ids[1]).await.unwrap().unwrap();
        let id = harbour_domain::CaseId(uuid::Uuid::new_v4());
        let mut events = model.events.clone();
        for e in &mut events {
            e.case_id = id;
            e.at = now;
        }
        rechain(&mut events);
        let mut projection = model.header.projection.clone();
        projection.id = id;
        store
            .create_case(&harbour_store::NewCase {
                projection,
                person_keys: vec![],
                wrapped_key: model.wrapped_key.clone(),
                parties: model.header.parties.clone(),
                events,
                access: harbour_store::AccessRecord {
                    case_id: Some(id),
                    action: "refer".into(),
                    ..access
                },
                statistics: None,
            })
            .await
            .unwrap();
    });
}

/// Edit the first event of the first case (created before the anchor) and re-chain that case's
/// journal consistently. Returns the case id.
fn rewrite_a_journal_consistently(db: &std::path::Path) -> String {
    use harbour_store::Store;
    let (rt, store) = sqlite_store(db);
    let (id, events) = rt.block_on(async {
        let id = store.case_ids(None, 1).await.unwrap()[0];
        (id, store.load_case(id).await.unwrap().unwrap().events)
    });
    let mut events = events;
    events[0].payload.push(0);
    rechain(&mut events);
    let mut sql = String::new();
    for e in &events {
        sql.push_str(&format!(
            "UPDATE case_events SET payload = X'{}', prev_hash = X'{}', hash = X'{}' WHERE case_id = '{id}' AND seq = {};\n",
            e.payload.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            hex(&e.prev_hash),
            hex(&e.hash),
            e.seq
        ));
    }
    sqlite_script(db, &sql);
    id.to_string()
}

/// The anchor also commits to every case journal (issue 6): a journal re-chained consistently
/// after an edit, or cut short, passes plain `audit verify` but not `--anchor`; journals growing
/// after the anchor do not disturb it.
#[test]
fn audit_anchor_covers_every_case_journal() {
    let dir = tempfile::tempdir().unwrap();
    seed_demo(dir.path());
    let db = dir.path().join("harbour.db");
    // The demo server has stopped, so nothing is in flight: anchor up to now.
    let heads = dir.path().join("heads.txt");
    let (code, line, err) = run(harbour(dir.path()).args([
        "audit",
        "anchor",
        "--settle-seconds",
        "0",
        "--journal-heads",
        heads.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    let line = line.trim().to_string();
    let cases: u64 = line.split(' ').nth(6).unwrap().parse().unwrap();
    assert!(cases >= 2, "{line}");
    let written = std::fs::read_to_string(&heads).unwrap();
    assert_eq!(written.lines().count() as u64, cases, "{written}");

    carry_on_after_the_anchor(&db);
    let (code, stdout, err) = run(harbour(dir.path()).args(["audit", "verify", "--anchor", &line]));
    assert_eq!(code, 0, "appends after the anchor are not a change: {err}");
    assert!(stdout.contains("1 anchors matched"), "{stdout}");

    // Keep a copy to cut a journal short in, apart from the rewrite.
    let cut = dir.path().join("cut");
    std::fs::create_dir(&cut).unwrap();
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let f = f.unwrap();
        if f.file_type().unwrap().is_file() {
            std::fs::copy(f.path(), cut.join(f.file_name())).unwrap();
        }
    }

    let case = rewrite_a_journal_consistently(&db);
    let (code, stdout, err) = run(harbour(dir.path()).args(["audit", "verify"]));
    assert_eq!(code, 0, "the re-chained journal is consistent: {err}");
    assert!(stdout.contains("case journals"), "{stdout}");
    let (code, _, err) = run(harbour(dir.path()).args(["audit", "verify", "--anchor", &line]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("case journals do not match the anchor") && err.contains("edited"),
        "{err}"
    );
    // With the heads file kept next to the line, verify names the case and the event.
    let (code, _, err) = run(harbour(dir.path()).args([
        "audit",
        "verify",
        "--anchor",
        &line,
        "--journal-heads",
        heads.to_str().unwrap(),
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("case {case}: its event"))
            && err.contains("no longer has the anchored hash"),
        "{err}"
    );
    // A heads file that is not the anchor's own is refused rather than believed.
    let forged = dir.path().join("forged.txt");
    std::fs::write(
        &forged,
        written.lines().skip(1).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let (code, _, err) = run(harbour(dir.path()).args([
        "audit",
        "verify",
        "--anchor",
        &line,
        "--journal-heads",
        forged.to_str().unwrap(),
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("not the file written with this anchor"),
        "{err}"
    );

    // Delete the last event of a demo case with more than one (not the case appended to after
    // the anchor, nor the case opened after it, which comes last) and lower its projection to
    // match: plain verify cannot tell, the anchor can.
    let cut_db = cut.join("harbour.db");
    let (rt, store) = sqlite_store(&cut_db);
    let id = rt.block_on(async {
        use harbour_store::Store;
        let ids = store.case_ids(None, 100).await.unwrap();
        for &id in &ids[1..ids.len() - 1] {
            if store.load_case(id).await.unwrap().unwrap().events.len() >= 2 {
                return id;
            }
        }
        panic!("the demo has a case with two events or more");
    });
    drop(store);
    drop(rt);
    sqlite_script(
        &cut_db,
        &format!(
            "DELETE FROM case_events WHERE case_id = '{id}' AND seq = (SELECT max(seq) FROM case_events WHERE case_id = '{id}');\n\
             UPDATE cases SET seq = seq - 1 WHERE id = '{id}';"
        ),
    );
    let (code, _, err) = run(harbour(&cut).args(["audit", "verify"]));
    assert_eq!(code, 0, "the shortened journal is consistent: {err}");
    let (code, _, err) = run(harbour(&cut).args(["audit", "verify", "--anchor", &line]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("case journals do not match the anchor"),
        "{err}"
    );
    let (code, _, err) = run(harbour(&cut).args([
        "audit",
        "verify",
        "--anchor",
        &line,
        "--journal-heads",
        cut.join("heads.txt").to_str().unwrap(),
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("case {id}: it had")) && err.contains("events were deleted"),
        "{err}"
    );
}
