//! Operations as an operator runs them, on the real binary: backup and restore, master key
//! rotation (offline, rolling while a server serves, and from a key file into a PKCS#11 token),
//! retention, crash safety under SIGKILL, and no personal data in the server's logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::sync::{Arc, Mutex};

fn harbour(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_harbour"));
    c.current_dir(dir)
        .env_remove("HARBOUR_DB")
        .env_remove("HARBOUR_MASTER_KEY_FILE")
        .env_remove("HARBOUR_POLICY_FILE")
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

/// A running `harbour serve`, its address, and (with --demo) the demo password.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    /// Start `harbour serve` with extra arguments; stderr goes to `log` if given.
    fn start(dir: &Path, db: &str, extra: &[&str], log: Option<&Path>, level: &str) -> Server {
        Server::start_env(dir, db, extra, log, level, &[])
    }

    /// As [`Server::start`], with extra environment variables (e.g. `SOFTHSM2_CONF`).
    fn start_env(
        dir: &Path,
        db: &str,
        extra: &[&str],
        log: Option<&Path>,
        level: &str,
        env: &[(&str, &Path)],
    ) -> Server {
        let mut cmd = harbour(dir);
        cmd.envs(env.iter().copied());
        cmd.env("HARBOUR_LOG", level)
            .args(["serve", "--bind", "127.0.0.1:0", "--db", db])
            .args(extra)
            .stdout(Stdio::piped());
        match log {
            Some(p) => cmd.stderr(std::fs::File::create(p).unwrap()),
            None => cmd.stderr(Stdio::null()),
        };
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        assert!(
            first.starts_with("Harbour is running at http://"),
            "{first}"
        );
        let addr = first
            .trim_start_matches("Harbour is running at http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }

    fn kill(mut self) {
        // SIGKILL on Unix: no graceful shutdown, no flush.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// One HTTP/1.1 request over a fresh connection; `None` if the server is gone.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Option<(u16, Value)> {
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok()?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n")?;
    let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let payload = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Some((
        status,
        serde_json::from_str(&payload).unwrap_or(Value::Null),
    ))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn demo_password(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("harbour-demo-logins.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let password = v[0]["password"].as_str().unwrap().to_string();
    // Remember each demo user's authenticator secret for the second login step.
    let mut secrets = demo_secrets().lock().unwrap();
    for u in v.as_array().unwrap() {
        if let (Some(email), Some(secret)) = (u["email"].as_str(), u["totp_secret"].as_str()) {
            secrets
                .entry((email.to_string(), password.clone()))
                .or_insert((secret.to_string(), 0));
        }
    }
    password
}

/// (email, demo password) → (TOTP secret, last time step used). The password is new for every
/// demo database, so a key names one user of one database (and its backups).
type DemoSecrets = Mutex<HashMap<(String, String), (String, u64)>>;

fn demo_secrets() -> &'static DemoSecrets {
    static SECRETS: OnceLock<DemoSecrets> = OnceLock::new();
    SECRETS.get_or_init(Default::default)
}

/// A code for the next unused time step. A code is good once (replay is refused), and the server
/// accepts the step before and after the current one, so a fourth login of one user within a
/// step waits for the next.
fn next_totp(email: &str, password: &str) -> String {
    let key = (email.to_string(), password.to_string());
    loop {
        let now_step = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / 30;
        let mut secrets = demo_secrets().lock().unwrap();
        let (secret, last) = secrets.get_mut(&key).expect("demo_password first");
        // The current or next step, never the previous one: the server stops taking that at the
        // next 30-second boundary, which a login on a loaded machine can straddle.
        let step = now_step.max(*last + 1);
        if step <= now_step + 1 {
            *last = step;
            let bytes = harbour_service::mfa::base32_decode(secret).unwrap();
            return harbour_service::mfa::totp_code(&bytes, step);
        }
        drop(secrets);
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
}

fn login(addr: &str, email: &str, password: &str) -> String {
    let (s, v) = http(
        addr,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"email": email, "password": password})),
    )
    .unwrap();
    assert_eq!(s, 200, "{v}");
    if let Some(token) = v["token"].as_str() {
        return token.to_string();
    }
    let challenge = v["challenge"].as_str().unwrap().to_string();
    let (s, v) = http(
        addr,
        "POST",
        "/api/v1/auth/mfa",
        None,
        Some(&json!({"challenge": challenge, "code": next_totp(email, password)})),
    )
    .unwrap();
    assert_eq!(s, 200, "{v}");
    v["token"].as_str().unwrap().to_string()
}

fn referral(given: &str, family: &str) -> Value {
    json!({"person":{"names":[{"given":given,"family":family,"script":"Latn"}],"sex":"male","birth":{"date":"1990-04-01"},"nationalities":["MD"],"languages":["ro"]},"exploitation_forms":["forced_labour"],"consent":{"nrm_referral":true},"summary":"Fake construction site","confirm_new_person":true})
}

/// Refer a fake person as the token's user; the new case's id.
fn refer(addr: &str, token: &str, given: &str, family: &str) -> String {
    let (s, v) = http(
        addr,
        "POST",
        "/api/v1/referrals",
        Some(token),
        Some(&referral(given, family)),
    )
    .unwrap();
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

/// SQLite always; PostgreSQL (a fresh database, dropped at the end) when configured.
struct Db {
    url: String,
    pg: Option<(String, String)>,
}

fn databases(dir: &Path) -> Vec<Db> {
    let mut v = vec![Db {
        url: format!("sqlite://{}", dir.join("harbour.db").display()),
        pg: None,
    }];
    match std::env::var("HARBOUR_TEST_POSTGRES_URL") {
        Ok(admin) if !admin.is_empty() => {
            let name = format!("harbour_ops_{}", uuid::Uuid::new_v4().simple());
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(harbour_store_postgres::create_database(&admin, &name))
                .unwrap();
            let url = harbour_store_postgres::database_url(&admin, &name).unwrap();
            v.push(Db {
                url,
                pg: Some((admin, name)),
            });
        }
        _ => eprintln!("HARBOUR_TEST_POSTGRES_URL is not set: the PostgreSQL half was skipped"),
    }
    v
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            if let Ok(rt) = tokio::runtime::Runtime::new() {
                let _ = rt.block_on(harbour_store_postgres::drop_database(admin, name));
            }
        }
    }
}

fn verify(dir: &Path, db: &str) -> String {
    let (code, out, err) = run(harbour(dir).args(["audit", "verify", "--db", db]));
    assert_eq!(code, 0, "audit verify failed: {out}{err}");
    out
}

#[test]
fn backup_and_restore_round_trip_verifies_every_journal_and_reads_a_case_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("harbour.db").display());
    let server = Server::start(dir.path(), &db, &["--demo"], None, "warn");
    let password = demo_password(dir.path());
    let token = login(&server.addr, "responder@demo.invalid", &password);
    let id = refer(&server.addr, &token, "Backupo", "Fakeperson");
    // Online: the backup is taken while the server runs.
    let backup = dir.path().join("backup.db");
    let (code, out, err) =
        run(harbour(dir.path()).args(["backup", "--db", &db, "--to", backup.to_str().unwrap()]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("case journals") && out.contains("NOT in the backup"),
        "{out}"
    );
    server.kill();
    // However many cases the demo seeds, the restored database holds the same journals.
    let journals = verify(dir.path(), &db)
        .split(" case journals")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .unwrap_or("?")
        .to_string();
    let expected = format!("{journals} case journals");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup is readable by its owner only");
    }
    // A backup never overwrites.
    let (code, _, err) =
        run(harbour(dir.path()).args(["backup", "--db", &db, "--to", backup.to_str().unwrap()]));
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");

    // Restore elsewhere, with the key file copied separately (it is not in the backup).
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(
        dir.path().join("harbour.key"),
        other.path().join("harbour.key"),
    )
    .unwrap();
    std::fs::copy(
        dir.path().join("harbour-demo-logins.json"),
        other.path().join("harbour-demo-logins.json"),
    )
    .unwrap();
    let target = format!("sqlite://{}", other.path().join("harbour.db").display());
    let (code, out, err) = run(harbour(other.path()).args([
        "restore",
        "--db",
        &target,
        "--from",
        backup.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&expected), "{out}");
    assert!(verify(other.path(), &target).contains(&expected));
    // A second restore onto the now non-empty database needs --force.
    let (code, _, err) = run(harbour(other.path()).args([
        "restore",
        "--db",
        &target,
        "--from",
        backup.to_str().unwrap(),
    ]));
    assert_eq!(code, 1);
    assert!(
        err.contains("not empty") && err.contains("--force"),
        "{err}"
    );
    let (code, out, err) = run(harbour(other.path()).args([
        "restore",
        "--db",
        &target,
        "--from",
        backup.to_str().unwrap(),
        "--force",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    let restored = Server::start(other.path(), &target, &[], None, "warn");
    let token = login(&restored.addr, "responder@demo.invalid", &password);
    let (s, v) = http(
        &restored.addr,
        "GET",
        &format!("/api/v1/cases/{id}"),
        Some(&token),
        None,
    )
    .unwrap();
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["person"]["names"][0]["given"], "Backupo");
    restored.kill();

    // PostgreSQL has its own tools: the command says so instead of doing half a job.
    let (code, _, err) = run(harbour(dir.path()).args([
        "backup",
        "--db",
        "postgres://postgres@127.0.0.1:1/none",
        "--to",
        "x.dump",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("pg_dump") && err.contains("README"), "{err}");
    let (code, _, err) = run(harbour(dir.path()).args([
        "restore",
        "--db",
        "postgres://postgres@127.0.0.1:1/none",
        "--from",
        backup.to_str().unwrap(),
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("pg_restore"), "{err}");
}

#[test]
fn key_rotation_rewraps_every_case_keeps_the_blind_index_and_retires_the_old_key() {
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path()) {
        let keydir = tempfile::tempdir().unwrap();
        let key = keydir.path().join("harbour.key");
        let key_arg = key.to_str().unwrap().to_string();
        let server = Server::start(
            keydir.path(),
            &db.url,
            &["--demo", "--key-file", &key_arg],
            None,
            "warn",
        );
        let password = demo_password(keydir.path());
        let token = login(&server.addr, "responder@demo.invalid", &password);
        refer(&server.addr, &token, "Rotatia", "Fakeindex");
        server.kill();
        let old_key = std::fs::read_to_string(&key).unwrap();

        // An interrupted rotation left its new key beside the old one: the next run resumes it.
        let (code, out, err) = run(harbour(keydir.path()).args([
            "keys",
            "rotate",
            "--db",
            &db.url,
            "--key-file",
            &key_arg,
            "--batch",
            "2",
        ]));
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("case keys rewrapped"), "{out}");
        let rotated_once = std::fs::read_to_string(&key).unwrap();
        assert_ne!(rotated_once, old_key);
        let old_id = out.split_whitespace().nth(5).unwrap().to_string();
        let retired = keydir.path().join(format!("harbour.key.retired-{old_id}"));
        assert_eq!(std::fs::read_to_string(&retired).unwrap(), old_key, "{out}");
        assert!(!keydir.path().join("harbour.key.next").exists());
        verify(keydir.path(), &db.url);

        // Resume: a `.next` key from an interrupted run is used, not replaced.
        let next = keydir.path().join("harbour.key.next");
        let resume_key = format!("harbour-master-key-v1:{}\n", "ab".repeat(32));
        std::fs::write(&next, &resume_key).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&next, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let (code, out, err) = run(harbour(keydir.path()).args([
            "keys",
            "rotate",
            "--db",
            &db.url,
            "--key-file",
            &key_arg,
        ]));
        assert_eq!(code, 0, "{out}{err}");
        assert!(err.contains("Resuming"), "{err}");
        assert_eq!(std::fs::read_to_string(&key).unwrap(), resume_key);
        verify(keydir.path(), &db.url);

        // The old key no longer opens the database.
        let (code, _, err) = run(harbour(keydir.path()).args(["org", "list", "--db", &db.url]));
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = run(harbour(keydir.path()).args([
            "retention",
            "run",
            "--dry-run",
            "--db",
            &db.url,
            "--key-file",
            retired.to_str().unwrap(),
        ]));
        assert_eq!(code, 1);
        assert!(err.contains("wrapped under master key"), "{err}");

        // With the new key every case opens, and the blind index still finds the person.
        let server = Server::start(
            keydir.path(),
            &db.url,
            &["--key-file", &key_arg],
            None,
            "warn",
        );
        for email in ["responder@demo.invalid", "decider@demo.invalid"] {
            let token = login(&server.addr, email, &password);
            let (s, list) = http(&server.addr, "GET", "/api/v1/cases", Some(&token), None).unwrap();
            assert_eq!(s, 200, "{list}");
            let cases = list["cases"].as_array().unwrap();
            assert!(!cases.is_empty());
            for c in cases {
                let (s, v) = http(
                    &server.addr,
                    "GET",
                    &format!("/api/v1/cases/{}", c["id"].as_str().unwrap()),
                    Some(&token),
                    None,
                )
                .unwrap();
                assert_eq!(s, 200, "{}: {v}", db.url);
            }
        }
        let token = login(&server.addr, "responder@demo.invalid", &password);
        let mut again = referral("Rotatia", "Fakeindex");
        again.as_object_mut().unwrap().remove("confirm_new_person");
        let (s, v) = http(
            &server.addr,
            "POST",
            "/api/v1/referrals",
            Some(&token),
            Some(&again),
        )
        .unwrap();
        assert_eq!(
            s, 409,
            "the keyed name hash still matches after rotation: {v}"
        );
        assert_eq!(v["type"], "/problems/possible-duplicate");
        server.kill();
    }
}

#[test]
fn retention_run_lists_and_erases_only_what_policy_allows() {
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path()) {
        let keydir = tempfile::tempdir().unwrap();
        let key_arg = keydir
            .path()
            .join("harbour.key")
            .to_str()
            .unwrap()
            .to_string();
        let server = Server::start(
            keydir.path(),
            &db.url,
            &["--demo", "--key-file", &key_arg],
            None,
            "warn",
        );
        let password = demo_password(keydir.path());
        let token = login(&server.addr, "responder@demo.invalid", &password);
        let id = refer(&server.addr, &token, "Retenta", "Fakeperson");
        let decider = login(&server.addr, "decider@demo.invalid", &password);
        let (s, v) = http(
            &server.addr,
            "POST",
            &format!("/api/v1/cases/{id}/closure"),
            Some(&decider),
            Some(&json!({"reason": "duplicate"})),
        )
        .unwrap();
        assert_eq!(s, 200, "{v}");
        server.kill();

        let args = |extra: &[&str]| {
            let mut a = vec!["retention", "run", "--db", &db.url, "--key-file", &key_arg];
            a.extend_from_slice(extra);
            a.into_iter().map(String::from).collect::<Vec<_>>()
        };
        // Closed today with a 90-day period: nothing is due now...
        let (code, out, err) = run(harbour(keydir.path()).args(args(&["--dry-run"])));
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("0 would be erased") && !out.contains(&id),
            "{out}"
        );
        // ...but it will be in a year, and the dry run says so without erasing anything.
        let (code, out, err) =
            run(harbour(keydir.path()).args(args(&["--dry-run", "--as-of", "2099-01-01"])));
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains(&id) && out.contains("would be erased"),
            "{out}"
        );
        let (code, _, err) = run(harbour(keydir.path()).args(args(&["--as-of", "2099-01-01"])));
        assert_eq!(code, 2, "--as-of only plans: {err}");
        let (code, out, err) = run(harbour(keydir.path()).args(args(&[])));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("0 erased"), "{out}");
        verify(keydir.path(), &db.url);
    }
}

/// Referrals stream in; the server is killed with SIGKILL mid-stream and restarted. Every
/// referral the server acknowledged (201) is there, and every journal verifies.
#[test]
fn sigkill_mid_stream_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path()) {
        let keydir = tempfile::tempdir().unwrap();
        let key_arg = keydir
            .path()
            .join("harbour.key")
            .to_str()
            .unwrap()
            .to_string();
        let server = Server::start(
            keydir.path(),
            &db.url,
            &["--demo", "--key-file", &key_arg],
            None,
            "warn",
        );
        let password = demo_password(keydir.path());
        let token = login(&server.addr, "responder@demo.invalid", &password);
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..3 {
            let (addr, token, acked, stop) = (
                server.addr.clone(),
                token.clone(),
                acked.clone(),
                stop.clone(),
            );
            writers.push(std::thread::spawn(move || {
                for i in 0..2000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let body = referral(&format!("Crashw{w}n{i}"), "Fakeperson");
                    match http(
                        &addr,
                        "POST",
                        "/api/v1/referrals",
                        Some(&token),
                        Some(&body),
                    ) {
                        Some((201, v)) => acked
                            .lock()
                            .unwrap()
                            .push(v["id"].as_str().unwrap().to_string()),
                        Some((s, v)) => panic!("unexpected {s}: {v}"),
                        None => break, // the server is gone
                    }
                }
            }));
        }
        while acked.lock().unwrap().len() < 30 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(acked.len() >= 30);
        verify(keydir.path(), &db.url);
        let server = Server::start(
            keydir.path(),
            &db.url,
            &["--key-file", &key_arg],
            None,
            "warn",
        );
        let token = login(&server.addr, "responder@demo.invalid", &password);
        for id in &acked {
            let (s, v) = http(
                &server.addr,
                "GET",
                &format!("/api/v1/cases/{id}"),
                Some(&token),
                None,
            )
            .unwrap();
            assert_eq!(
                s, 200,
                "acknowledged referral {id} lost after SIGKILL ({}): {v}",
                db.url
            );
        }
        server.kill();
    }
}

/// Canary names, dates of birth and phone numbers go through every kind of request (good and
/// bad) of a real server logging at its most verbose; none of them appears in its output.
#[test]
fn no_personal_data_in_server_logs_even_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path()) {
        let keydir = tempfile::tempdir().unwrap();
        let key_arg = keydir
            .path()
            .join("harbour.key")
            .to_str()
            .unwrap()
            .to_string();
        let log = keydir.path().join("server.log");
        let server = Server::start(
            keydir.path(),
            &db.url,
            &["--demo", "--key-file", &key_arg],
            Some(&log),
            "trace",
        );
        let password = demo_password(keydir.path());
        let canaries = [
            "Qzcanarygiven",
            "Qzcanaryfamily",
            "Щзканарейка",
            "1987-03-14",
            "+380501234567",
            "qzcanary-summary",
            "qzcanary-reasons",
            "qzcanary@test.invalid",
        ];
        let token = login(&server.addr, "responder@demo.invalid", &password);
        let decider = login(&server.addr, "decider@demo.invalid", &password);
        let body = json!({"person":{"names":[{"given":canaries[0],"family":canaries[1],"script":"Latn"},{"given":canaries[2],"family":canaries[2],"script":"Cyrl"}],"sex":"female","birth":{"date":canaries[3]},"nationalities":["UA"],"languages":["uk"]},"exploitation_forms":["sexual"],"consent":{"nrm_referral":true},"summary":format!("{} phone {}", canaries[5], canaries[4])});
        let (s, v) = http(
            &server.addr,
            "POST",
            "/api/v1/referrals",
            Some(&token),
            Some(&body),
        )
        .unwrap();
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_str().unwrap().to_string();
        // The same person again (possible duplicate), then invalid input carrying the canaries.
        let (s, _) = http(
            &server.addr,
            "POST",
            "/api/v1/referrals",
            Some(&token),
            Some(&body),
        )
        .unwrap();
        assert_eq!(s, 409);
        let mut bad = body.clone();
        bad["person"]["birth"] = json!({"date": format!("{}-99", canaries[3])});
        assert_eq!(
            http(
                &server.addr,
                "POST",
                "/api/v1/referrals",
                Some(&token),
                Some(&bad)
            )
            .unwrap()
            .0,
            422
        );
        let mut unknown = body.clone();
        unknown[canaries[0]] = json!(canaries[4]);
        assert_eq!(
            http(
                &server.addr,
                "POST",
                "/api/v1/referrals",
                Some(&token),
                Some(&unknown)
            )
            .unwrap()
            .0,
            422
        );
        assert_eq!(
            http(
                &server.addr,
                "POST",
                "/api/v1/auth/login",
                None,
                Some(&json!({"email": canaries[7], "password": canaries[0]}))
            )
            .unwrap()
            .0,
            401
        );
        let reasons =
            json!({"kind":"reasonable_grounds","outcome":"positive","reasons":canaries[6]});
        assert_eq!(
            http(
                &server.addr,
                "POST",
                &format!("/api/v1/cases/{id}/decisions"),
                Some(&decider),
                Some(&reasons)
            )
            .unwrap()
            .0,
            200
        );
        assert_eq!(
            http(
                &server.addr,
                "GET",
                &format!("/api/v1/cases/{id}"),
                Some(&decider),
                None
            )
            .unwrap()
            .0,
            200
        );
        assert_eq!(
            http(
                &server.addr,
                "GET",
                &format!("/api/v1/cases/{id}/events"),
                Some(&token),
                None
            )
            .unwrap()
            .0,
            200
        );
        assert_eq!(
            http(
                &server.addr,
                "POST",
                &format!("/api/v1/cases/{id}/erasure"),
                Some(&decider),
                Some(&json!({"reasons": canaries[6]}))
            )
            .unwrap()
            .0,
            200
        );
        assert_eq!(
            http(
                &server.addr,
                "GET",
                &format!("/api/v1/cases/{id}"),
                Some(&decider),
                None
            )
            .unwrap()
            .0,
            410
        );
        server.kill();
        let text = std::fs::read(&log).unwrap();
        assert!(
            text.len() > 200,
            "the server logged at trace level: {} bytes",
            text.len()
        );
        for c in canaries {
            let found = text.windows(c.len()).any(|w| w == c.as_bytes());
            assert!(!found, "{}: canary {c} in the server log", db.url);
        }
    }
}

/// Change one pre-aggregated counter behind Harbour's back, with the database's own client
/// (`sqlite3` or `psql`); false if that client is not installed.
fn tamper_with_a_counter(db: &Db) -> bool {
    let sql = "UPDATE statistics_counts SET n = n + 1 WHERE cube = 'referrer_kind' \
               AND day = (SELECT MIN(day) FROM statistics_counts WHERE cube = 'referrer_kind')";
    let out = match &db.pg {
        None => {
            let path = db.url.trim_start_matches("sqlite://");
            Command::new("sqlite3").args([path, sql]).output()
        }
        Some(_) => Command::new("psql").args([&db.url, "-c", sql]).output(),
    };
    match out {
        Ok(o) => {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            true
        }
        Err(_) => false,
    }
}

#[test]
fn statistics_check_compares_the_pre_aggregated_counts_and_rebuild_recounts_them() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("harbour.key");
    let key_arg = key.display().to_string();
    for db in databases(dir.path()) {
        let (code, out, err) = run(harbour(dir.path()).args([
            "demo",
            "--cases",
            "60",
            "--db",
            &db.url,
            "--key-file",
            &key_arg,
        ]));
        assert_eq!(code, 0, "demo: {out}{err}");
        let check = |expect: i32| {
            let (code, out, err) = run(harbour(dir.path()).args([
                "statistics",
                "check",
                "--db",
                &db.url,
                "--key-file",
                &key_arg,
            ]));
            assert_eq!(code, expect, "statistics check: {out}{err}");
            out
        };
        let out = check(0);
        assert!(
            out.contains("pre-aggregated counts compared") && out.contains("ok: every figure"),
            "{out}"
        );
        if !tamper_with_a_counter(&db) {
            eprintln!(
                "no database client: the tampering half was skipped for {}",
                db.url
            );
            continue;
        }
        let out = check(1);
        assert!(out.contains("MISMATCH counts referrer_kind"), "{out}");
        let (code, out, err) = run(harbour(dir.path()).args([
            "statistics",
            "rebuild",
            "--db",
            &db.url,
            "--key-file",
            &key_arg,
        ]));
        assert_eq!(code, 0, "statistics rebuild: {out}{err}");
        assert!(out.contains("pre-aggregated counters recounted"), "{out}");
        check(0);
    }
}

/// Every case the user sees opens (200); returns how many there are.
fn read_every_case(addr: &str, token: &str, db: &str) -> usize {
    let (s, list) = http(addr, "GET", "/api/v1/cases", Some(token), None).unwrap();
    assert_eq!(s, 200, "{list}");
    let cases = list["cases"].as_array().unwrap();
    for c in cases {
        let (s, v) = http(
            addr,
            "GET",
            &format!("/api/v1/cases/{}", c["id"].as_str().unwrap()),
            Some(token),
            None,
        )
        .unwrap();
        assert_eq!(s, 200, "{db}: {v}");
    }
    cases.len()
}

/// The blind index still finds a person already on record (409 possible duplicate).
fn still_finds_by_name(addr: &str, token: &str, given: &str, family: &str) {
    let mut again = referral(given, family);
    again.as_object_mut().unwrap().remove("confirm_new_person");
    let (s, v) = http(addr, "POST", "/api/v1/referrals", Some(token), Some(&again)).unwrap();
    assert_eq!(s, 409, "the keyed name hash still matches: {v}");
    assert_eq!(v["type"], "/problems/possible-duplicate");
}

#[test]
fn rolling_rotation_keeps_a_server_serving_and_leaves_every_case_under_the_new_key() {
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path()) {
        let keydir = tempfile::tempdir().unwrap();
        let old = keydir.path().join("harbour.key");
        let old_arg = old.to_str().unwrap().to_string();
        let server = Server::start(
            keydir.path(),
            &db.url,
            &["--demo", "--key-file", &old_arg],
            None,
            "warn",
        );
        let password = demo_password(keydir.path());
        let token = login(&server.addr, "responder@demo.invalid", &password);
        for i in 0..12 {
            refer(&server.addr, &token, &format!("Rolling{i}"), "Fakekeyring");
        }
        server.kill();

        // Step 1: the next key. Step 2: the server restarts with it as its key and the old one
        // retired, so it reads both and writes only under the new one.
        let new = keydir.path().join("next.key");
        let new_arg = new.to_str().unwrap().to_string();
        let (code, out, err) = run(harbour(keydir.path()).args(["keys", "new-file", &new_arg]));
        assert_eq!(code, 0, "{out}{err}");
        let server = Server::start(
            keydir.path(),
            &db.url,
            &[
                "--key-file",
                &old_arg,
                "--master-key",
                &new_arg,
                "--retired-key",
                &old_arg,
            ],
            None,
            "warn",
        );
        let token = login(&server.addr, "responder@demo.invalid", &password);

        // Step 3: `keys rotate --to` in another process while two clients keep reading and
        // writing cases. Every request must succeed.
        let stop = Arc::new(AtomicBool::new(false));
        let done: Arc<Mutex<Vec<(std::time::Instant, String)>>> = Arc::default();
        let clients: Vec<_> = (0..2)
            .map(|t| {
                let (addr, token, stop, done) = (
                    server.addr.clone(),
                    token.clone(),
                    stop.clone(),
                    done.clone(),
                );
                std::thread::spawn(move || {
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let (s, v) = http(
                            &addr,
                            "POST",
                            "/api/v1/referrals",
                            Some(&token),
                            Some(&referral(&format!("During{t}x{n}"), "Fakekeyring")),
                        )
                        .unwrap();
                        assert_eq!(s, 201, "write during the rotation: {v}");
                        let id = v["id"].as_str().unwrap().to_string();
                        let (s, v) = http(
                            &addr,
                            "GET",
                            &format!("/api/v1/cases/{id}"),
                            Some(&token),
                            None,
                        )
                        .unwrap();
                        assert_eq!(s, 200, "read during the rotation: {v}");
                        let (s, v) =
                            http(&addr, "GET", "/api/v1/cases", Some(&token), None).unwrap();
                        assert_eq!(s, 200, "{v}");
                        let first = v["cases"][0]["id"].as_str().unwrap().to_string();
                        let (s, v) = http(
                            &addr,
                            "GET",
                            &format!("/api/v1/cases/{first}"),
                            Some(&token),
                            None,
                        )
                        .unwrap();
                        assert_eq!(s, 200, "read of an older case during the rotation: {v}");
                        done.lock().unwrap().push((std::time::Instant::now(), id));
                        n += 1;
                    }
                })
            })
            .collect();
        let wait_for = |count: usize| {
            while done.lock().unwrap().len() < count {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        };
        wait_for(2);
        let started = std::time::Instant::now();
        let (code, out, err) = run(harbour(keydir.path()).args([
            "keys",
            "rotate",
            "--db",
            &db.url,
            "--key-file",
            &old_arg,
            "--to",
            &new_arg,
            "--batch",
            "1",
        ]));
        let finished = std::time::Instant::now();
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("case keys rewrapped"), "{out}");
        let before = done.lock().unwrap().len();
        wait_for(before + 2);
        stop.store(true, Ordering::SeqCst);
        for c in clients {
            c.join()
                .expect("a client's request failed during the rotation");
        }
        let during = done
            .lock()
            .unwrap()
            .iter()
            .filter(|(at, _)| *at > started && *at < finished)
            .count();
        assert!(
            during > 0,
            "no request completed while `keys rotate` ran: the overlap was not tested"
        );
        server.kill();

        // Afterwards: nothing is left under the old key (a second run finds nothing to do) ...
        let (code, out, err) = run(harbour(keydir.path()).args([
            "keys",
            "rotate",
            "--db",
            &db.url,
            "--key-file",
            &old_arg,
            "--to",
            &new_arg,
        ]));
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains(": 0 case keys rewrapped"), "{out}");
        // ... the old key alone no longer opens the deployment ...
        let (code, _, err) = run(harbour(keydir.path()).args([
            "retention",
            "run",
            "--dry-run",
            "--db",
            &db.url,
            "--key-file",
            &old_arg,
        ]));
        assert_eq!(code, 1);
        assert!(err.contains("wrapped under master key"), "{err}");
        // ... and the new key alone reads every case, written before or during the rotation,
        // finds people by name, and every journal verifies.
        let server = Server::start(
            keydir.path(),
            &db.url,
            &["--key-file", &old_arg, "--master-key", &new_arg],
            None,
            "warn",
        );
        let token = login(&server.addr, "responder@demo.invalid", &password);
        let total = done.lock().unwrap().len();
        assert!(
            read_every_case(&server.addr, &token, &db.url) >= 12 + total,
            "{}",
            db.url
        );
        still_finds_by_name(&server.addr, &token, "Rolling3", "Fakekeyring");
        still_finds_by_name(&server.addr, &token, "During0x0", "Fakekeyring");
        server.kill();
        verify(keydir.path(), &db.url);
    }
}

/// A fresh SoftHSM2 token for one test (its own token directory and configuration), or `None`
/// when `HARBOUR_TEST_PKCS11_MODULE` is not set. Returns (module, SOFTHSM2_CONF path).
fn softhsm_token(dir: &Path, label: &str, pin: &str) -> Option<(String, std::path::PathBuf)> {
    let module = match std::env::var("HARBOUR_TEST_PKCS11_MODULE") {
        Ok(m) if !m.is_empty() => m,
        _ => {
            eprintln!("HARBOUR_TEST_PKCS11_MODULE is not set: the PKCS#11 test was skipped");
            return None;
        }
    };
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let out = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args([
            "--init-token",
            "--free",
            "--label",
            label,
            "--so-pin",
            "0000-fake",
            "--pin",
            pin,
        ])
        .output()
        .expect("softhsm2-util (Debian package softhsm2) must be installed");
    assert!(out.status.success(), "{out:?}");
    Some((module, conf))
}

#[test]
fn master_key_moves_from_a_key_file_into_a_pkcs11_token_and_everything_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path()) {
        let keydir = tempfile::tempdir().unwrap();
        let Some((module, conf)) = softhsm_token(keydir.path(), "harbour-ops", "2468-fake") else {
            return;
        };
        let hsm_env: [(&str, &Path); 1] = [("SOFTHSM2_CONF", &conf)];
        let pin = keydir.path().join("token.pin");
        let wrong_pin = keydir.path().join("wrong.pin");
        for (path, text) in [(&pin, "2468-fake\n"), (&wrong_pin, "1111-wrong\n")] {
            std::fs::write(path, text).unwrap();
            std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .unwrap();
        }
        let setting = |key: &str, pin: &Path| {
            format!(
                "pkcs11:module={module};token=harbour-ops;key={key};pin-file={}",
                pin.display()
            )
        };
        let hsm = setting("harbour-master", &pin);
        let key = keydir.path().join("harbour.key");
        let key_arg = key.to_str().unwrap().to_string();

        // A deployment on a key file, with a case in it.
        let server = Server::start(
            keydir.path(),
            &db.url,
            &["--demo", "--key-file", &key_arg],
            None,
            "warn",
        );
        let password = demo_password(keydir.path());
        let token = login(&server.addr, "responder@demo.invalid", &password);
        refer(&server.addr, &token, "Tokenia", "Fakemigrant");
        server.kill();

        // Generate the key in the token; wrong PIN and missing key are clear at start.
        let (code, out, err) = run(harbour(keydir.path()).envs(hsm_env).args([
            "keys",
            "init-hsm",
            "--master-key",
            &hsm,
        ]));
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("non-extractable"), "{out}");
        for (setting, expect) in [
            (setting("harbour-master", &wrong_pin), "refused the PIN"),
            (setting("no-such-key", &pin), "harbour keys init-hsm"),
        ] {
            let (code, out, err) = run(harbour(keydir.path()).envs(hsm_env).args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--db",
                &db.url,
                "--master-key",
                &setting,
            ]));
            assert_eq!(code, 1, "{out}{err}");
            assert!(err.contains(expect), "{err}");
            assert!(
                !err.contains("1111-wrong") && !err.contains("2468-fake"),
                "{err}"
            );
        }

        // Migrate: every key from the file into the token.
        let (code, out, err) = run(harbour(keydir.path()).envs(hsm_env).args([
            "keys",
            "rotate",
            "--db",
            &db.url,
            "--key-file",
            &key_arg,
            "--to",
            &hsm,
        ]));
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("case keys rewrapped"), "{out}");
        verify(keydir.path(), &db.url);
        let (code, _, err) = run(harbour(keydir.path()).args([
            "retention",
            "run",
            "--dry-run",
            "--db",
            &db.url,
            "--key-file",
            &key_arg,
        ]));
        assert_eq!(code, 1, "the key file no longer opens the deployment");
        assert!(err.contains("wrapped under master key"), "{err}");

        // The service on the token alone: old cases open, new ones are made and read, and the
        // blind index still finds people.
        let server = Server::start_env(
            keydir.path(),
            &db.url,
            &["--key-file", &key_arg, "--master-key", &hsm],
            None,
            "warn",
            &hsm_env,
        );
        let token = login(&server.addr, "responder@demo.invalid", &password);
        let id = refer(&server.addr, &token, "Hsmcase", "Fakenew");
        let (s, v) = http(
            &server.addr,
            "GET",
            &format!("/api/v1/cases/{id}"),
            Some(&token),
            None,
        )
        .unwrap();
        assert_eq!(s, 200, "{v}");
        assert!(v.to_string().contains("Hsmcase"), "{v}");
        assert!(read_every_case(&server.addr, &token, &db.url) >= 2);
        still_finds_by_name(&server.addr, &token, "Tokenia", "Fakemigrant");
        server.kill();
        verify(keydir.path(), &db.url);
    }
}
