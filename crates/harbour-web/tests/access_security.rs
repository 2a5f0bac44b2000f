//! The access half of issue 6 over real HTTP, on every backend: security headers, the
//! hash-chained access log, break-glass, the second factor (TOTP, recovery codes, replay),
//! login throttling and session lifetimes. Each test names the ASVS 5.0 requirement it proves
//! (see docs/SECURITY.md).

mod common;

use common::{adult_referral, backends, Backend, DbHandle, TestApp, PASSWORD};
use harbour_domain::{OrgKind, Role};
use reqwest::header::{HeaderMap, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{json, Value};
use time::Duration;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn cookie_of(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(SET_COOKIE).iter().find_map(|c| {
        let first = c.to_str().ok()?.split(';').next()?;
        let (k, v) = first.split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_string())
    })
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("hidden field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Run one SQL statement straight against the test database (to play the attacker).
async fn exec_sql(app: &TestApp, sql: &str) {
    match &app.db {
        DbHandle::Sqlite { path, .. } => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
        DbHandle::Postgres { url, .. } => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

/// Password step of an API login: the JSON answer.
async fn password_step(
    app: &TestApp,
    email: &str,
    password: &str,
    from: &str,
) -> (u16, Value, HeaderMap) {
    let res = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("x-forwarded-for", from)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.json().await.unwrap_or(Value::Null), headers)
}

async fn mfa_step(app: &TestApp, challenge: &str, code: &str) -> (u16, Value) {
    app.post(
        "/api/v1/auth/mfa",
        None,
        json!({"challenge": challenge, "code": code}),
    )
    .await
}

const SECURITY_HEADERS: &[&str] = &[
    "cache-control",
    "content-security-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "permissions-policy",
    "referrer-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
];

fn snapshot(h: &HeaderMap) -> String {
    SECURITY_HEADERS
        .iter()
        .map(|n| {
            format!(
                "{n}: {}",
                h.get(*n).map(|v| v.to_str().unwrap()).unwrap_or("(absent)")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// V3.4.1–V3.4.6 (HSTS, CSP, nosniff, Referrer-Policy, frame denial), V3.4.8 (COOP): every kind
/// of response carries the same headers; HSTS only when the proxy says the request was TLS.
#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::start(&Backend::Sqlite).await;
    let org = app.org("Fake Office", OrgKind::Other).await;
    let (token, _) = app.user("adm@test.invalid", &org, Role::Admin).await;
    let expected = |hsts: &str| {
        format!(
            "cache-control: no-store\n\
             content-security-policy: {}\n\
             cross-origin-opener-policy: same-origin\n\
             cross-origin-resource-policy: same-origin\n\
             permissions-policy: {}\n\
             referrer-policy: no-referrer\n\
             strict-transport-security: {hsts}\n\
             x-content-type-options: nosniff\n\
             x-frame-options: DENY",
            harbour_web::CONTENT_SECURITY_POLICY,
            harbour_web::PERMISSIONS_POLICY
        )
    };
    let missing = format!("/api/v1/cases/{}", uuid::Uuid::new_v4());
    for (what, path, auth) in [
        ("page", "/login", false),
        ("API response", "/api/v1/me", true),
        ("error response", missing.as_str(), true),
        ("static file", "/static/harbour.css", false),
    ] {
        for https in [false, true] {
            let mut req = client().get(format!("{}{path}", app.base));
            if auth {
                req = req.bearer_auth(&token);
            }
            if https {
                req = req.header("x-forwarded-proto", "https");
            }
            let res = req.send().await.unwrap();
            let hsts = if https {
                "max-age=63072000; includeSubDomains"
            } else {
                "(absent)"
            };
            assert_eq!(
                snapshot(res.headers()),
                expected(hsts),
                "{what} {path} (https: {https})"
            );
        }
    }
    // The CSP allows no script at all, inline or not, and no framing.
    assert!(harbour_web::CONTENT_SECURITY_POLICY.contains("script-src 'none'"));
    assert!(harbour_web::CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
    for feature in [
        "camera=()",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
    ] {
        assert!(
            harbour_web::PERMISSIONS_POLICY.contains(feature),
            "{feature}"
        );
    }
    app.finish().await;
}

/// V16.4.2/V16.4.3 (logs protected from modification): every access record is chained; many
/// writers at once keep one unbroken chain; editing, removing or cutting off records is found.
#[tokio::test]
async fn the_access_log_is_one_chain_that_verify_checks() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let (token, responder) = app
            .user("ref@test.invalid", &police, Role::FirstResponder)
            .await;
        let mut cases = vec![];
        for given in ["Fakeone", "Faketwo", "Fakethree"] {
            let (s, v) = app
                .post(
                    "/api/v1/referrals",
                    Some(&token),
                    adult_referral(given, true),
                )
                .await;
            assert_eq!(s, 201, "{v}");
            cases.push(v["id"].as_str().unwrap().parse().unwrap());
        }
        // Concurrent readers on several connections: each read takes the next number.
        let mut tasks = vec![];
        for i in 0..24 {
            let h = app.harbour.clone();
            let actor = responder.clone();
            let case = cases[i % cases.len()];
            tasks.push(tokio::spawn(async move {
                h.get_case(&actor, case, Some("concurrency test"))
                    .await
                    .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let report = harbour_service::audit::verify_access_log(app.store.as_ref())
            .await
            .unwrap();
        // The login (an authentication event), three referrals, 24 reads.
        assert_eq!(report.records, 1 + 3 + 24, "{}", app.backend_name());
        let chain = app.store.access_chain(0, 100).await.unwrap();
        assert_eq!(chain[0].record.action, "login_enrolled_second_factor");
        assert_eq!(chain[0].record.case_id, None);

        // An edited purpose breaks the chain at that record.
        exec_sql(
            &app,
            "UPDATE access_log SET purpose = 'nothing to see' WHERE seq = 5",
        )
        .await;
        let err = harbour_service::audit::verify_access_log(app.store.as_ref())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("record 5"), "{err}");
        assert!(err.to_string().contains("edited"), "{err}");
        exec_sql(
            &app,
            "UPDATE access_log SET purpose = 'concurrency test' WHERE seq = 5",
        )
        .await;
        harbour_service::audit::verify_access_log(app.store.as_ref())
            .await
            .unwrap();

        // A record slipped in outside the chain is reported (and never chained at a restart).
        exec_sql(
            &app,
            "INSERT INTO access_log (at, user_id, org_id, case_id, action, purpose) \
             SELECT at, user_id, org_id, case_id, 'read', 'forged' FROM access_log WHERE seq = 2",
        )
        .await;
        app.store.migrate().await.unwrap();
        let err = harbour_service::audit::verify_access_log(app.store.as_ref())
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("1 access records are outside the chain"),
            "{err}"
        );
        exec_sql(&app, "DELETE FROM access_log WHERE seq IS NULL").await;

        // A removed record in the middle, and records cut off the end, are both found.
        exec_sql(&app, "DELETE FROM access_log WHERE seq = 28").await;
        let err = harbour_service::audit::verify_access_log(app.store.as_ref())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("deleted from the end"), "{err}");
        exec_sql(&app, "DELETE FROM access_log WHERE seq = 10").await;
        let err = harbour_service::audit::verify_access_log(app.store.as_ref())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("record 10 is missing"), "{err}");
        app.finish().await;
    }
}

/// V8.2.2/V8.3 (object-level authorisation) and V16.3.1 (security events logged): break-glass
/// needs a reason, is flagged, expires, is read-only and is reviewed by auditors.
#[tokio::test]
async fn break_glass_needs_a_reason_is_flagged_expires_and_is_reviewed() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let ngo = app.org("Fake NGO", OrgKind::Ngo).await;
        let office = app.org("Fake Office", OrgKind::Other).await;
        let (referrer, _) = app
            .user("ref@test.invalid", &police, Role::FirstResponder)
            .await;
        let (worker, _) = app.user("cw@test.invalid", &ngo, Role::CaseWorker).await;
        let (auditor, _) = app.user("aud@test.invalid", &office, Role::Auditor).await;
        let (_, case) = app
            .post(
                "/api/v1/referrals",
                Some(&referrer),
                adult_referral("Fakeperson", true),
            )
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/cases/{id}");
        let missing = format!("/api/v1/cases/{}", uuid::Uuid::new_v4());
        let (_, not_found) = app.get(&missing, Some(&worker)).await;
        assert_eq!(
            app.get(&path, Some(&worker)).await,
            (404, not_found.clone())
        );

        // No reason: 422 naming the field, and nothing written.
        let head = app.store.access_chain_head().await.unwrap();
        let (s, p) = app
            .post(
                &format!("{path}/break-glass"),
                Some(&worker),
                json!({"reason": "  "}),
            )
            .await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["pointer"], "/reason");
        assert_eq!(app.store.access_chain_head().await.unwrap(), head);
        // A case that does not exist: the same 404 as ever.
        let (s, p) = app
            .post(
                &format!("{missing}/break-glass"),
                Some(&worker),
                json!({"reason": "Fake emergency at the shelter"}),
            )
            .await;
        assert_eq!((s, p), (404, not_found.clone()));

        let (s, grant) = app
            .post(
                &format!("{path}/break-glass"),
                Some(&worker),
                json!({"reason": "Fake emergency at the shelter tonight"}),
            )
            .await;
        assert_eq!(s, 201, "{grant}");
        let (s, v, _) = app
            .send(reqwest::Method::GET, &path, Some(&worker), None)
            .await;
        assert_eq!(s, 200, "{v}");
        // Read-only: no change through break-glass.
        let (s, _) = app
            .post(
                &format!("{path}/closure"),
                Some(&worker),
                json!({"reason": "duplicate"}),
            )
            .await;
        assert_eq!(s, 404);

        // Flagged in the access log, with the stated purpose.
        let res = app
            .client
            .get(format!("{}{path}", app.base))
            .bearer_auth(&worker)
            .header("harbour-purpose", "arranging a fake transfer")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let (s, log) = app.get(&format!("{path}/access-log"), Some(&auditor)).await;
        assert_eq!(s, 200);
        let actions: Vec<&str> = log
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            vec![
                "refer",
                "break_glass",
                "break_glass_read",
                "break_glass_read"
            ],
            "{log}"
        );
        assert_eq!(log[3]["purpose"], "arranging a fake transfer");

        // The auditors' review list: who, when, until when, why.
        let (s, review) = app.get("/api/v1/break-glass", Some(&auditor)).await;
        assert_eq!(s, 200);
        assert_eq!(review.as_array().unwrap().len(), 1);
        assert_eq!(review[0]["user"], "cw@test.invalid");
        assert_eq!(review[0]["organisation"], "Fake NGO");
        assert_eq!(review[0]["case"], id.as_str());
        assert_eq!(review[0]["reason"], "Fake emergency at the shelter tonight");
        assert_eq!(review[0]["expires_at"], grant["expires_at"]);
        // The reason is sealed at rest.
        let dump = app.dump().await;
        assert!(!dump
            .windows(b"shelter tonight".len())
            .any(|w| w == b"shelter tonight"));

        // After four hours: not found again (a new login: the old session is long idle).
        app.clock.advance(Duration::hours(4));
        let worker = app.login("cw@test.invalid", PASSWORD).await;
        assert_eq!(
            app.get(&path, Some(&worker)).await,
            (404, not_found.clone())
        );
        app.finish().await;
    }
}

/// V6.5 (TOTP, L3): enrolment with a QR code and the secret, codes single-use, recovery codes
/// single-use and hashed, the secret sealed; V7.2.4 (new session token at authentication).
#[tokio::test]
async fn the_second_factor_is_enrolled_once_and_every_code_works_once() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        app.harbour
            .create_user(
                "ref@test.invalid",
                police.id,
                Role::FirstResponder,
                PASSWORD,
            )
            .await
            .unwrap();
        let (s, first, _) = password_step(&app, "ref@test.invalid", PASSWORD, "192.0.2.1").await;
        assert_eq!(s, 200);
        assert_eq!(first["mfa_required"], true);
        assert_eq!(first["enrolled"], false);
        assert!(
            first.get("token").is_none(),
            "no session before the second factor"
        );
        let challenge = first["challenge"].as_str().unwrap();
        // The challenge opens nothing.
        assert_eq!(app.get("/api/v1/me", Some(challenge)).await.0, 401);

        let enrolment = app.enrol_via_api("ref@test.invalid", challenge).await;
        let secret = enrolment["secret"].as_str().unwrap().to_string();
        assert_eq!(secret.len(), 32, "160-bit secret in base32");
        let uri = enrolment["otpauth_uri"].as_str().unwrap();
        assert!(uri.starts_with("otpauth://totp/Harbour%3Aref%40test.invalid?secret="));
        assert!(uri.contains(&secret));
        let svg = enrolment["qr_svg"].as_str().unwrap();
        assert!(svg.starts_with("<svg ") && svg.contains("aria-label"));

        let (s, p) = mfa_step(&app, challenge, "000000").await;
        assert_eq!(s, 401, "{p}");
        assert_eq!(p["type"], "/problems/bad-second-factor");
        let code = app.totp_code("ref@test.invalid");
        let (s, done) = mfa_step(&app, challenge, &code).await;
        assert_eq!(s, 200, "{done}");
        let token = done["token"].as_str().unwrap().to_string();
        assert_ne!(
            token, challenge,
            "the session id is new at the second factor"
        );
        let recovery: Vec<String> = done["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(recovery.len(), 10);
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 200);
        // The challenge is spent.
        assert_eq!(mfa_step(&app, challenge, &code).await.0, 401);

        // Next login: the same code (same time step) is refused; the next step's code works.
        let (_, second, _) = password_step(&app, "ref@test.invalid", PASSWORD, "192.0.2.1").await;
        assert_eq!(second["enrolled"], true);
        let challenge = second["challenge"].as_str().unwrap();
        let (s, p) = mfa_step(&app, challenge, &code).await;
        assert_eq!(s, 401, "a used code is refused: {p}");
        let (s, _) = mfa_step(&app, challenge, &app.totp_code("ref@test.invalid")).await;
        assert_eq!(s, 200);
        // Enrolling again is refused once a factor is confirmed.
        let (_, third, _) = password_step(&app, "ref@test.invalid", PASSWORD, "192.0.2.1").await;
        let challenge = third["challenge"].as_str().unwrap().to_string();
        let (s, _) = app
            .post(
                "/api/v1/auth/mfa/enrolment",
                None,
                json!({"challenge": challenge}),
            )
            .await;
        assert_eq!(s, 403);

        // A recovery code works once, typed in any case.
        let (s, _) = mfa_step(&app, &challenge, &recovery[0].to_uppercase()).await;
        assert_eq!(s, 200);
        let (_, fourth, _) = password_step(&app, "ref@test.invalid", PASSWORD, "192.0.2.1").await;
        let challenge = fourth["challenge"].as_str().unwrap().to_string();
        assert_eq!(mfa_step(&app, &challenge, &recovery[0]).await.0, 401);
        assert_eq!(mfa_step(&app, &challenge, &recovery[1]).await.0, 200);
        let user = app
            .store
            .user_by_email("ref@test.invalid")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(app.harbour.recovery_codes_left(user.id).await.unwrap(), 8);

        // Authentication events are in the chained access log (failed passwords are counted
        // apart, so timing cannot tell existing accounts from others).
        let actions: Vec<String> = app
            .store
            .access_chain(0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.record.user_id == user.id)
            .map(|a| a.record.action)
            .collect();
        assert_eq!(
            actions,
            vec![
                "login_failed_second_factor",
                "login_enrolled_second_factor",
                "login_failed_second_factor",
                "login",
                "login",
                "login_failed_second_factor",
                "login"
            ]
        );

        // Neither the secret nor a recovery code is stored in clear.
        let dump = app.dump().await;
        let raw = harbour_service::mfa::base32_decode(&secret).unwrap();
        for needle in [secret.as_bytes(), raw.as_slice(), recovery[2].as_bytes()] {
            assert!(
                !dump.windows(needle.len()).any(|w| w == needle),
                "{}: a second-factor secret is in the database in clear",
                app.backend_name()
            );
        }
        app.finish().await;
    }
}

/// V6.3.1 (brute force): failures are counted per account and per address in the database;
/// 429 with Retry-After; an unknown account is throttled the same way; wrong codes count too.
#[tokio::test]
async fn logins_are_throttled_per_account_and_per_address() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let office = app.org("Fake Office", OrgKind::Other).await;
        app.user("ref@test.invalid", &police, Role::FirstResponder)
            .await;
        for i in 0..30 {
            app.harbour
                .create_user(
                    &format!("user{i}@test.invalid"),
                    office.id,
                    Role::Coordinator,
                    PASSWORD,
                )
                .await
                .unwrap();
        }
        // Five wrong passwords lock the account for everyone, the right password included.
        for _ in 0..5 {
            let (s, _, _) =
                password_step(&app, "user0@test.invalid", "wrong password!", "192.0.2.10").await;
            assert_eq!(s, 401);
        }
        let (s, p, h) = password_step(&app, "user0@test.invalid", PASSWORD, "192.0.2.11").await;
        assert_eq!(s, 429, "{p}");
        assert_eq!(p["type"], "/problems/login-throttled");
        assert_eq!(h["retry-after"], "900");
        // An account that does not exist answers exactly the same way.
        for _ in 0..5 {
            password_step(&app, "ghost@test.invalid", "wrong password!", "192.0.2.12").await;
        }
        let (s2, p2, h2) = password_step(&app, "ghost@test.invalid", PASSWORD, "192.0.2.13").await;
        assert_eq!((s2, &p2, &h2["retry-after"]), (429, &p, &h["retry-after"]));
        // Fifteen minutes later the account may try again.
        app.clock.advance(Duration::minutes(15));
        let (s, _, _) = password_step(&app, "user0@test.invalid", PASSWORD, "192.0.2.11").await;
        assert_eq!(s, 200);

        // Twenty failures from one address, spread over accounts, lock the address only.
        for i in 1..=20 {
            let (s, _, _) = password_step(
                &app,
                &format!("user{i}@test.invalid"),
                "wrong password!",
                "198.51.100.7",
            )
            .await;
            assert_eq!(s, 401);
        }
        let (s, _, _) = password_step(&app, "user25@test.invalid", PASSWORD, "198.51.100.7").await;
        assert_eq!(s, 429);
        let (s, _, _) = password_step(&app, "user25@test.invalid", PASSWORD, "198.51.100.8").await;
        assert_eq!(s, 200);

        // Wrong second-factor codes count as failures of the account.
        let (_, r, _) = password_step(&app, "ref@test.invalid", PASSWORD, "192.0.2.20").await;
        let challenge = r["challenge"].as_str().unwrap();
        for _ in 0..5 {
            assert_eq!(mfa_step(&app, challenge, "999999").await.0, 401);
        }
        let (s, p) = mfa_step(&app, challenge, &app.totp_code("ref@test.invalid")).await;
        assert_eq!(s, 429, "{p}");
        app.finish().await;
    }
}

/// V7.3.1/V7.3.2 (idle and absolute timeouts), V7.4.1 (logout ends the session on the server),
/// V7.2.4 (a new token at every login).
#[tokio::test]
async fn sessions_rotate_end_when_idle_at_the_absolute_limit_and_at_logout() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let (token, _) = app
            .user("ref@test.invalid", &police, Role::FirstResponder)
            .await;
        let again = app.login("ref@test.invalid", PASSWORD).await;
        assert_ne!(token, again, "every login gets a new session id");

        // Idle: 29 minutes apart is fine; 30 minutes without use ends it.
        app.clock.advance(Duration::minutes(29));
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 200);
        app.clock.advance(Duration::minutes(30));
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 401);

        // Absolute: kept busy every 20 minutes, it still ends 8 hours after login.
        let token = app.login("ref@test.invalid", PASSWORD).await;
        for _ in 0..23 {
            app.clock.advance(Duration::minutes(20));
            assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 200);
        }
        app.clock.advance(Duration::minutes(20));
        assert_eq!(
            app.get("/api/v1/me", Some(&token)).await.0,
            401,
            "8 hours after login"
        );

        // Logout kills the session on the server.
        let token = app.login("ref@test.invalid", PASSWORD).await;
        let (s, _) = app
            .post("/api/v1/auth/logout", Some(&token), json!({}))
            .await;
        assert_eq!(s, 204);
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 401);
        app.finish().await;
    }
}

/// The pages: enrolment shows a QR code and the secret, the first good code shows the recovery
/// codes once and opens a new session; break-glass from the "not found" page.
#[tokio::test]
async fn pages_enrol_with_a_qr_code_and_break_the_glass_with_a_reason() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let ngo = app.org("Fake NGO", OrgKind::Ngo).await;
        let (referrer, _) = app
            .user("ref@test.invalid", &police, Role::FirstResponder)
            .await;
        let (_, case) = app
            .post(
                "/api/v1/referrals",
                Some(&referrer),
                adult_referral("Fakeperson", true),
            )
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        app.harbour
            .create_user("cw@test.invalid", ngo.id, Role::CaseWorker, PASSWORD)
            .await
            .unwrap();
        let c = client();
        let page = c
            .get(format!("{}/login?lang=en", app.base))
            .send()
            .await
            .unwrap();
        let login_cookie = cookie_of(page.headers(), "harbour_login").unwrap();
        let csrf = hidden(&page.text().await.unwrap(), "csrf");
        let res = c
            .post(format!("{}/login", app.base))
            .header(COOKIE, format!("harbour_login={login_cookie}"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!(
                "csrf={csrf}&email=cw%40test.invalid&password={}&lang=en",
                PASSWORD.replace(' ', "+")
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()[LOCATION], "/login/enrol");
        let challenge = cookie_of(res.headers(), "harbour_session").unwrap();
        let challenge_cookie = format!("harbour_session={challenge}");
        // The challenge cookie opens no page.
        let res = c
            .get(format!("{}/", app.base))
            .header(COOKIE, &challenge_cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()[LOCATION], "/login");

        // The language switch works on this page too (and is remembered).
        let res = c
            .get(format!("{}/login/enrol?lang=en", app.base))
            .header(COOKIE, &challenge_cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            cookie_of(res.headers(), "harbour_lang").as_deref(),
            Some("en")
        );
        let html = res.text().await.unwrap();
        assert!(html.contains("Set up your authenticator"));
        assert!(
            html.contains("action=\"/login/enrol\""),
            "the switch stays here"
        );
        assert!(
            html.contains("<figure class=\"qr\"><svg role=\"img\" aria-label=\""),
            "{}",
            &html[html.find("<figure").unwrap_or(0)..][..300]
        );
        let start = html.find("<code id=\"secret\">").unwrap() + "<code id=\"secret\">".len();
        let secret: String = html[start..].split('<').next().unwrap().to_string();
        app.remember_totp("cw@test.invalid", &secret);
        let csrf = hidden(&html, "csrf");
        let res = c
            .post(format!("{}/login/mfa", app.base))
            .header(COOKIE, &challenge_cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!(
                "csrf={csrf}&enrol=1&code={}",
                app.totp_code("cw@test.invalid")
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let session = cookie_of(res.headers(), "harbour_session").unwrap();
        assert_ne!(
            session, challenge,
            "a new session id after the second factor"
        );
        let html = res.text().await.unwrap();
        assert_eq!(html.matches("<li><code>").count(), 10, "ten recovery codes");
        let cookie = format!("harbour_session={session}");

        // Break-glass from the "not found" page.
        let res = c
            .get(format!("{}/cases/{id}", app.base))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("href=\"/cases/{id}/break-glass\"")));
        let missing = uuid::Uuid::new_v4();
        let res = c
            .get(format!("{}/cases/{missing}", app.base))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.text()
                .await
                .unwrap()
                .replace(&missing.to_string(), "ID"),
            html.replace(&id, "ID"),
            "a hidden case and a missing one look the same"
        );
        let res = c
            .get(format!("{}/cases/{id}/break-glass", app.base))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        let csrf = hidden(&res.text().await.unwrap(), "csrf");
        let post = |body: String| {
            c.post(format!("{}/cases/{id}/break-glass", app.base))
                .header(COOKIE, &cookie)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
        };
        let res = post(format!("csrf={csrf}&reason=")).await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("id=\"reason-error\""));
        let res = post(format!("csrf={csrf}&reason=Fake+night+emergency+call"))
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let to = res.headers()[LOCATION].to_str().unwrap().to_string();
        let res = c
            .get(format!("{}{to}", app.base))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let log = app.store.access_log(id.parse().unwrap()).await.unwrap();
        let last = log.last().unwrap();
        assert_eq!(last.action, "break_glass_read");
        assert_eq!(last.purpose.as_deref(), Some("emergency access"));
        app.finish().await;
    }
}
