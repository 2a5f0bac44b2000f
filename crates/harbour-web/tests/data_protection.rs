//! Erasure by key destruction (on request and by retention) and a database that goes away in
//! the middle of a request, on both backends.

mod common;

use common::*;
use harbour_crypto::MasterKey;
use harbour_domain::{OrgKind, Policy, Role};
use harbour_service::{Harbour, ManualClock};
use harbour_store::Store;
use serde_json::json;
use std::sync::Arc;
use time::Duration;

#[tokio::test]
async fn erasure_on_request_and_by_retention_keeps_journal_and_statistics() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let authority = app.org("Fake Authority", OrgKind::CompetentAuthority).await;
        let (officer, _) = app
            .user("o@test.invalid", &police, Role::FirstResponder)
            .await;
        let (decider, _) = app
            .user("d@test.invalid", &authority, Role::DecisionMaker)
            .await;
        let (s, asked) = app
            .post(
                "/api/v1/referrals",
                Some(&officer),
                adult_referral("Erasa", true),
            )
            .await;
        assert_eq!(s, 201, "{asked}");
        let (s, kept) = app
            .post(
                "/api/v1/referrals",
                Some(&officer),
                adult_referral("Retaina", true),
            )
            .await;
        assert_eq!(s, 201, "{kept}");
        let asked = asked["id"].as_str().unwrap().to_string();
        let kept = kept["id"].as_str().unwrap().to_string();

        // Reasons are required; a refused request changes nothing.
        let (s, v) = app
            .post(
                &format!("/api/v1/cases/{asked}/erasure"),
                Some(&decider),
                json!({"reasons": " "}),
            )
            .await;
        assert_eq!(
            (s, v["errors"][0]["pointer"].as_str()),
            (422, Some("/reasons")),
            "{v}"
        );
        assert_eq!(
            app.get(&format!("/api/v1/cases/{asked}"), Some(&officer))
                .await
                .0,
            200
        );

        let (s, v) = app
            .post(
                &format!("/api/v1/cases/{asked}/erasure"),
                Some(&decider),
                json!({"reasons": "Fake request of the person, GDPR Art. 17"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["basis"], "person_request");
        assert_eq!(v["journal_events"], 2);
        for path in [
            format!("/api/v1/cases/{asked}"),
            format!("/api/v1/cases/{asked}/events"),
        ] {
            let (s, v) = app.get(&path, Some(&officer)).await;
            assert_eq!(
                (s, v["type"].as_str()),
                (410, Some("/problems/erased")),
                "{v}"
            );
            assert!(
                v["detail"].as_str().unwrap().contains("person_request"),
                "{v}"
            );
        }
        // The name's keyed hashes went with the key: the same person is no duplicate of it.
        let (s, v) = app
            .post(
                "/api/v1/referrals",
                Some(&officer),
                adult_referral("Erasa", true),
            )
            .await;
        assert_eq!(s, 201, "the erased case's person keys are gone: {v}");

        // Retention: close the other case, let the policy period pass.
        let (s, v) = app
            .post(
                &format!("/api/v1/cases/{kept}/closure"),
                Some(&decider),
                json!({"reason": "duplicate"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let days = i64::from(app.harbour.policy().retention.duplicate_days);
        app.clock.advance(Duration::days(days - 1));
        let report = app.harbour.retention_run(false).await.unwrap();
        assert!(report.due.is_empty() && report.erased == 0, "{report:?}");
        app.clock.advance(Duration::days(1));
        // Sessions do not last that long: log in again.
        let officer = app.login("o@test.invalid", PASSWORD).await;
        let decider = app.login("d@test.invalid", PASSWORD).await;
        let dry = app.harbour.retention_run(true).await.unwrap();
        assert_eq!(dry.due.len(), 1);
        assert_eq!(dry.due[0].0.to_string(), kept);
        assert_eq!(
            app.get(&format!("/api/v1/cases/{kept}"), Some(&officer))
                .await
                .0,
            200,
            "a dry run erases nothing"
        );
        let report = app.harbour.retention_run(false).await.unwrap();
        assert_eq!(report.erased, 1, "{report:?}");
        let (s, v) = app
            .get(&format!("/api/v1/cases/{kept}"), Some(&decider))
            .await;
        assert_eq!(s, 410, "{v}");
        assert!(
            v["detail"].as_str().unwrap().contains("retention_expired"),
            "{v}"
        );
        assert_eq!(
            app.harbour.retention_run(false).await.unwrap().erased,
            0,
            "erased once"
        );

        // Every journal still verifies, with the erasure events in them.
        let verified = harbour_service::audit::verify_journals(app.store.as_ref())
            .await
            .unwrap();
        assert_eq!((verified.cases, verified.events), (3, 2 + 3 + 1));
        // The non-identifying projection still counts both cases, as they were.
        let (s, list) = app.get("/api/v1/cases", Some(&decider)).await;
        assert_eq!(s, 200);
        let statuses: Vec<(String, String)> = list["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_string(),
                    c["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            statuses.contains(&(kept.clone(), "closed".into())),
            "{list}"
        );
        assert!(statuses.iter().any(|(id, _)| *id == asked), "{list}");
        // The access log records who erased what (Harbour itself for retention).
        let erasures: Vec<_> = [&asked, &kept]
            .iter()
            .map(|id| id.parse().unwrap())
            .collect();
        for (id, basis) in erasures.iter().zip(["person_request", "retention_expired"]) {
            let log = app.store.access_log(*id).await.unwrap();
            assert!(
                log.iter()
                    .any(|a| a.action == "erase" && a.purpose.as_deref() == Some(basis)),
                "{log:?}"
            );
            assert_eq!(
                app.store.case_erasure(*id).await.unwrap().unwrap().basis,
                basis
            );
        }
        app.finish().await;
    }
}

/// A second connection holds SQLite's write lock past the busy timeout: the referral answers
/// 503 with a problem document and Retry-After, and nothing of it is written.
#[tokio::test]
async fn sqlite_locked_beyond_timeout_answers_503_and_writes_nothing() {
    use sqlx::Connection;
    let app = TestApp::start(&Backend::Sqlite).await;
    let police = app.org("Fake Police", OrgKind::Police).await;
    let (officer, _) = app
        .user("o@test.invalid", &police, Role::FirstResponder)
        .await;
    let before = app.store.case_ids(None, 1000).await.unwrap().len();
    let DbHandle::Sqlite { path, .. } = &app.db else {
        unreachable!()
    };
    let mut locker = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut locker)
        .await
        .unwrap();
    let (status, body, headers) = app
        .send(
            "POST".parse().unwrap(),
            "/api/v1/referrals",
            Some(&officer),
            Some(adult_referral("Locka", true)),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["type"], "/problems/unavailable");
    assert!(headers.get("retry-after").is_some());
    sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
    locker.close().await.unwrap();
    assert_eq!(app.store.case_ids(None, 1000).await.unwrap().len(), before);
    harbour_service::audit::verify_journals(app.store.as_ref())
        .await
        .unwrap();
    let (s, _) = app
        .post(
            "/api/v1/referrals",
            Some(&officer),
            adult_referral("Locka", true),
        )
        .await;
    assert_eq!(s, 201, "works again once the lock is gone");
    app.finish().await;
}

/// PostgreSQL reached through a TCP proxy on loopback; the proxy dies (the network to the
/// database is cut) while the server runs: writes answer 503, nothing partial is written, and
/// when the network is back the server recovers by itself.
#[tokio::test]
async fn postgres_unreachable_answers_503_and_writes_nothing() {
    let Ok(admin) = std::env::var("HARBOUR_TEST_POSTGRES_URL") else {
        eprintln!("HARBOUR_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    let name = format!("harbour_test_{}", uuid::Uuid::new_v4().simple());
    harbour_store_postgres::create_database(&admin, &name)
        .await
        .unwrap();
    let direct = harbour_store_postgres::database_url(&admin, &name).unwrap();
    let upstream = direct
        .split('@')
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    let proxy = Proxy::start(&upstream).await;
    let via_proxy = direct.replace(&upstream, &proxy.addr);
    let store: Arc<dyn Store> = Arc::new(
        harbour_store_postgres::PostgresStore::connect(&via_proxy)
            .await
            .unwrap(),
    );
    store.migrate().await.unwrap();
    let clock = Arc::new(ManualClock::new(
        time::macros::datetime!(2026-11-23 09:00 UTC),
    ));
    let h = Harbour::new(
        store.clone(),
        Arc::new(MasterKey::generate()),
        Policy::shipped_default(),
        clock,
    )
    .unwrap();
    let org = h.create_org("Fake Police", OrgKind::Police).await.unwrap();
    let user = h
        .create_user("o@test.invalid", org.id, Role::FirstResponder, PASSWORD)
        .await
        .unwrap();
    // A first responder reads cases, so logs in with a second factor: enrol a known secret.
    let secret = b"fake-totp-secret-for-tests-only!".to_vec();
    h.enrol_totp_with_secret(&user, &secret).await.unwrap();
    let code = harbour_service::mfa::totp_code(&secret, (h.now().unix_timestamp() / 30) as u64);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, harbour_web::router(h)).await.unwrap();
    });
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "o@test.invalid", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let done: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/mfa"))
        .json(&json!({"challenge": login["challenge"], "code": code}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = done["token"].as_str().unwrap().to_string();
    let refer = |given: &str| {
        client
            .post(format!("{base}/api/v1/referrals"))
            .bearer_auth(&token)
            .json(&adult_referral(given, true))
            .send()
    };
    assert_eq!(refer("Befora").await.unwrap().status(), 201);

    proxy.cut().await;
    let res = refer("Durina").await.unwrap();
    assert_eq!(res.status(), 503);
    assert!(res.headers().get("retry-after").is_some());
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["type"], "/problems/unavailable", "{body}");

    // Check through a direct connection: one case, whole, and its journal verifies.
    let direct_store = harbour_store_postgres::PostgresStore::connect(&direct)
        .await
        .unwrap();
    assert_eq!(direct_store.case_ids(None, 100).await.unwrap().len(), 1);
    let report = harbour_service::audit::verify_journals(&direct_store)
        .await
        .unwrap();
    assert_eq!(report.cases, 1);

    let proxy = Proxy::start_at(&upstream, &proxy.addr).await;
    let mut recovered = false;
    for _ in 0..50 {
        if refer("Aftera").await.unwrap().status() == 201 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "the server reconnects once the database is reachable again"
    );
    server.abort();
    proxy.cut().await;
    direct_store.pool().close().await;
    harbour_store_postgres::drop_database(&admin, &name)
        .await
        .unwrap();
}

/// A TCP forwarder whose every connection can be cut at once.
struct Proxy {
    addr: String,
    tasks: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: &str) -> Proxy {
        Proxy::start_at(upstream, "127.0.0.1:0").await
    }

    async fn start_at(upstream: &str, bind: &str) -> Proxy {
        let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let tasks = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (upstream, inner) = (upstream.to_string(), tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                inner.lock().unwrap().push(conn);
            }
        });
        tasks.lock().unwrap().push(accept);
        Proxy { addr, tasks }
    }

    /// Stop listening and drop every forwarded connection.
    async fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// PostgreSQL with its own tools, as README.md documents: a plain `pg_dump` holds no personal
/// data in clear, and a custom-format dump restored with `pg_restore` into a fresh database gives
/// back the same sealed journals and wrapped keys, which verify.
#[tokio::test]
async fn pg_dump_holds_no_personal_data_and_pg_restore_gives_back_verifiable_journals() {
    let Ok(admin) = std::env::var("HARBOUR_TEST_POSTGRES_URL") else {
        eprintln!("HARBOUR_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    if std::process::Command::new("pg_dump")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("pg_dump is not installed: skipped");
        return;
    }
    let app = TestApp::start(&Backend::Postgres(admin.clone())).await;
    let DbHandle::Postgres { url, .. } = &app.db else {
        unreachable!()
    };
    let police = app.org("Fake Police", OrgKind::Police).await;
    let (officer, _) = app
        .user("o@test.invalid", &police, Role::FirstResponder)
        .await;
    let canaries = ["Zqpgdumpgiven", "Zqpgdumpfamily", "zq-pgdump-summary"];
    let mut body = adult_referral(canaries[0], true);
    body["person"]["names"][0]["family"] = json!(canaries[1]);
    body["summary"] = json!(canaries[2]);
    let (s, v) = app.post("/api/v1/referrals", Some(&officer), body).await;
    assert_eq!(s, 201, "{v}");
    let id: harbour_domain::CaseId = v["id"].as_str().unwrap().parse().unwrap();

    let plain = std::process::Command::new("pg_dump")
        .arg(url)
        .output()
        .unwrap();
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let text = String::from_utf8_lossy(&plain.stdout).to_string();
    assert!(
        text.contains("Fake Police"),
        "the dump holds the clear, non-personal data"
    );
    let mut searched = text.clone().into_bytes();
    for run in text.split("\\x").skip(1) {
        let hex: String = run.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        if let Ok(bytes) = hex::decode(&hex[..hex.len() - hex.len() % 2]) {
            searched.extend(bytes);
        }
    }
    for c in canaries {
        assert!(
            !searched.windows(c.len()).any(|w| w == c.as_bytes()),
            "canary {c} in pg_dump output"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("harbour.dump");
    let out = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--file"])
        .arg(&file)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restored_name = format!("harbour_test_{}", uuid::Uuid::new_v4().simple());
    harbour_store_postgres::create_database(&admin, &restored_name)
        .await
        .unwrap();
    let restored_url = harbour_store_postgres::database_url(&admin, &restored_name).unwrap();
    let out = std::process::Command::new("pg_restore")
        .args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--dbname",
            &restored_url,
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restored = harbour_store_postgres::PostgresStore::connect(&restored_url)
        .await
        .unwrap();
    restored.migrate().await.unwrap();
    let report = harbour_service::audit::verify_journals(&restored)
        .await
        .unwrap();
    assert_eq!(report.cases, 1);
    let original = app.store.load_case(id).await.unwrap().unwrap();
    let copy = restored.load_case(id).await.unwrap().unwrap();
    assert_eq!(
        copy.wrapped_key, original.wrapped_key,
        "the same master key opens it"
    );
    assert_eq!(copy.events, original.events);
    restored.pool().close().await;
    harbour_store_postgres::drop_database(&admin, &restored_name)
        .await
        .unwrap();
    app.finish().await;
}

/// The case page of an erased case says when and why it was erased and what remains, with
/// none of its content (`410`, as the API); to someone who could not see the case it is still
/// the page of a case that does not exist.
#[tokio::test]
async fn the_page_of_an_erased_case_says_when_and_why_and_shows_no_content() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let other = app.org("Other Fake Police", OrgKind::Police).await;
        let authority = app.org("Fake Authority", OrgKind::CompetentAuthority).await;
        let (officer, _) = app
            .user("o@test.invalid", &police, Role::FirstResponder)
            .await;
        let (stranger, _) = app
            .user("s@test.invalid", &other, Role::FirstResponder)
            .await;
        let (decider, _) = app
            .user("d@test.invalid", &authority, Role::DecisionMaker)
            .await;
        let (_, case) = app
            .post(
                "/api/v1/referrals",
                Some(&officer),
                adult_referral("Erasa", true),
            )
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        let page = |token: String, path: String| {
            let client = app.client.clone();
            let base = app.base.clone();
            async move {
                let res = client
                    .get(format!("{base}{path}"))
                    .header("cookie", format!("harbour_session={token}"))
                    .send()
                    .await
                    .unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            }
        };
        let (s, html) = page(officer.clone(), format!("/cases/{id}")).await;
        assert_eq!(s, 200);
        assert!(html.contains("Erasa") && html.contains("Construction site"));
        let (s, v) = app
            .post(
                &format!("/api/v1/cases/{id}/erasure"),
                Some(&decider),
                json!({"reasons": "Fake request of the person under GDPR Art. 17"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        for who in [&officer, &decider] {
            let (s, html) = page(who.clone(), format!("/cases/{id}")).await;
            assert_eq!(s, 410, "{html}");
            assert!(html.contains("This case was erased"), "{html}");
            assert!(html.contains("23 November 2026"), "{html}");
            assert!(html.contains("At the person&#39;s request"), "{html}");
            assert!(html.contains(&id[..8].to_uppercase()), "{html}");
            for content in [
                "Erasa",
                "Fakeson",
                "Construction site",
                "GDPR Art. 17",
                "1990",
            ] {
                assert!(!html.contains(content), "the erased page shows {content}");
            }
        }
        // Someone who never saw the case learns nothing: the page of a missing case.
        let (s, hidden) = page(stranger.clone(), format!("/cases/{id}")).await;
        let ghost = uuid::Uuid::new_v4().to_string();
        let (gs, missing) = page(stranger.clone(), format!("/cases/{ghost}")).await;
        assert_eq!((s, gs), (404, 404));
        assert_eq!(hidden.replace(&id, "ID"), missing.replace(&ghost, "ID"));
        app.finish().await;
    }
}
