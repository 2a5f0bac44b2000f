//! The `harbour` command as a user runs it: a real binary, a real SQLite file.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn harbour(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_harbour"));
    c.current_dir(dir)
        .env_remove("HARBOUR_DB")
        .env_remove("HARBOUR_MASTER_KEY_FILE")
        .env("HARBOUR_LOG", "warn");
    c
}

fn run(cmd: &mut Command, stdin: Option<&str>) -> (i32, String, String) {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn org_user_migrate_and_audit_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(harbour(dir.path()).args(["migrate"]), None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(dir.path().join("harbour.db").exists());

    let (code, org, err) = run(
        harbour(dir.path()).args(["org", "add", "--name", "Fake Police", "--kind", "police"]),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let org = org.trim().to_string();
    assert!(
        uuid::Uuid::parse_str(&org).is_ok(),
        "org add prints the id: {org}"
    );

    let (code, _, err) = run(
        harbour(dir.path()).args(["org", "add", "--name", "X", "--kind", "spaceport"]),
        None,
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("unknown OrgKind `spaceport`") && err.contains("police"),
        "{err}"
    );

    let (code, user, err) = run(
        harbour(dir.path()).args([
            "user",
            "add",
            "--email",
            "A@Test.Invalid",
            "--org",
            &org,
            "--role",
            "first_responder",
            "--password-stdin",
        ]),
        Some("a long enough password\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(uuid::Uuid::parse_str(user.trim()).is_ok());
    let (code, _, err) = run(
        harbour(dir.path()).args([
            "user",
            "add",
            "--email",
            "a@test.invalid",
            "--org",
            &org,
            "--role",
            "first_responder",
            "--password-stdin",
        ]),
        Some("a long enough password\n"),
    );
    assert_eq!(code, 1, "e-mail addresses are unique, whatever their case");
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = run(
        harbour(dir.path()).args([
            "user",
            "add",
            "--email",
            "b@test.invalid",
            "--org",
            &org,
            "--role",
            "first_responder",
            "--password-stdin",
        ]),
        Some("short\n"),
    );
    assert_eq!(code, 1);
    assert!(err.contains("at least 12 characters"), "{err}");

    let (code, out, err) = run(harbour(dir.path()).args(["audit", "verify"]), None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 case journals"), "{out}");
}

#[test]
fn serve_demo_prints_url_and_logins_then_journals_verify_until_tampered() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = harbour(dir.path())
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.starts_with("Harbour is running at http://127.0.0.1:"),
        "{first}"
    );
    let mut logins = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.starts_with("Try:") {
            break;
        }
        logins.push(line);
    }
    let text = logins.join("\n");
    for role in [
        "first_responder",
        "case_worker",
        "decision_maker",
        "child_protection_officer",
        "guardian",
        "admin",
    ] {
        assert!(text.contains(role), "{text}");
    }
    // The server answers on the printed URL.
    let addr = first
        .trim_start_matches("Harbour is running at http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    child.kill().unwrap();
    child.wait().unwrap();

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["harbour.key", "harbour.db"] {
            let mode = std::fs::metadata(dir.path().join(f))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "{f} must be readable by its owner only");
        }
    }

    let (code, out, err) = run(harbour(dir.path()).args(["audit", "verify"]), None);
    assert_eq!(code, 0, "{err}");
    // The demo seeds a handful of cases (the count grows as features add demo data).
    let journals: u32 = out
        .trim_start_matches("ok: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(journals >= 3 && out.contains(" case journals"), "{out}");

    // Delete the last event of the decided case behind Harbour's back: `audit verify` names it.
    let db = dir.path().join("harbour.db");
    let status = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3; c=sqlite3.connect('{}'); c.execute(\"DELETE FROM case_events WHERE seq = 2\"); c.commit()",
            db.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let (code, _, err) = run(harbour(dir.path()).args(["audit", "verify"]), None);
    assert_eq!(code, 1);
    assert!(
        err.contains("journal broken at event 2") && err.contains("deleted"),
        "{err}"
    );
    let status = Command::new("python3")
        .arg("-c")
        .arg(format!("import sqlite3; c=sqlite3.connect('{}'); c.execute(\"UPDATE cases SET seq = 1\"); c.commit()", db.display()))
        .status()
        .unwrap();
    assert!(status.success());

    // Edit an event instead.
    let status = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3; c=sqlite3.connect('{}'); c.execute(\"UPDATE case_events SET at = at + 1 WHERE seq = 1 AND case_id = (SELECT id FROM cases ORDER BY created_order LIMIT 1)\"); c.commit()",
            db.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let (code, _, err) = run(harbour(dir.path()).args(["audit", "verify"]), None);
    assert_eq!(code, 1);
    assert!(
        err.contains("journal broken at event 1") && err.contains("edited"),
        "{err}"
    );
}

#[test]
fn hash_banks_and_platform_keys_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        harbour(dir.path()).args(["hashbank", "create", "--name", "fake-bank"]),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let (code, id, err) = run(
        harbour(dir.path()).args([
            "hashbank",
            "add",
            "--bank",
            "fake-bank",
            "--hash",
            "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22",
            "--label",
            "FAKE request 1",
        ]),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(id.trim().parse::<i64>().is_ok(), "{id}");
    // An image is hashed here; its quality decides whether it may be banked.
    let image = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/pdq-reference/images/misc-images/c.png");
    assert!(
        image.exists(),
        "reference images missing at {}",
        image.display()
    );
    let (code, _, err) = run(
        harbour(dir.path()).args([
            "hashbank",
            "add",
            "--bank",
            "fake-bank",
            "--image",
            image.to_str().unwrap(),
        ]),
        None,
    );
    assert!(code == 0 || err.contains("quality"), "{err}");
    let (code, _, err) = run(
        harbour(dir.path()).args(["hashbank", "add", "--bank", "nope", "--hash", "00"]),
        None,
    );
    assert_eq!(code, 1);
    assert!(err.contains("not a PDQ hash"), "{err}");
    let (code, key, err) = run(
        harbour(dir.path()).args([
            "platform",
            "add-key",
            "--name",
            "Fake Platform",
            "--bank",
            "fake-bank",
        ]),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(key.trim().starts_with("hbp_"), "{key}");
    let (code, _, err) = run(
        harbour(dir.path()).args(["platform", "add-key", "--name", "X", "--bank", "missing"]),
        None,
    );
    assert_eq!(code, 1);
    assert!(err.contains("no bank named missing"), "{err}");
    let (code, list, _) = run(harbour(dir.path()).args(["hashbank", "list"]), None);
    assert_eq!((code, list.trim()), (0, "fake-bank"));
}
