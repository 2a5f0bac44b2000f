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
    "reporting-endpoints",
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
             reporting-endpoints: csp-endpoint=\"/api/v1/csp-reports\"\n\
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
    // The CSP allows script only from Harbour's own files (never inline), and no framing.
    assert!(harbour_web::CONTENT_SECURITY_POLICY.contains("script-src 'self';"));
    assert!(!harbour_web::CONTENT_SECURITY_POLICY.contains("unsafe"));
    assert!(harbour_web::CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
    // V3.4.7: violations are reported, in both formats, to Harbour's own endpoint.
    assert!(harbour_web::CONTENT_SECURITY_POLICY.contains("report-uri /api/v1/csp-reports"));
    assert!(harbour_web::CONTENT_SECURITY_POLICY.contains("report-to csp-endpoint"));
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

// ---------- second factor: administrator reset, renewal after step-up, trusted proxies ----------

async fn page_get(app: &TestApp, path: &str, token: &str) -> (u16, String, HeaderMap) {
    let res = client()
        .get(format!("{}{path}", app.base))
        .header(COOKIE, format!("harbour_session={token}"))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.text().await.unwrap(), headers)
}

async fn page_post(app: &TestApp, path: &str, token: &str, form: &str) -> (u16, String, HeaderMap) {
    let res = client()
        .post(format!("{}{path}", app.base))
        .header(COOKIE, format!("harbour_session={token}"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={}&{form}",
            harbour_web::pages::csrf_for(token)
        ))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.text().await.unwrap(), headers)
}

/// V6.3.3 (administrators and auditors answer a second factor too), V6.5.6 and V6.4.4 (a lost
/// factor is revoked and set up again at the next login, after the administrator checked who
/// asks), V7.4.5 (the user's sessions end), V16.3.1 (the reset is in the chained access log):
/// over the API and the admin page. The administrator learns no secret and reads no case.
#[tokio::test]
async fn an_administrator_resets_a_lost_second_factor_and_still_reads_no_case() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let office = app.org("Fake Office", OrgKind::Other).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let admin_user = app
            .harbour
            .create_user("adm@test.invalid", office.id, Role::Admin, PASSWORD)
            .await
            .unwrap();
        // The password alone opens nothing for an administrator.
        let (s, first, _) = password_step(&app, "adm@test.invalid", PASSWORD, "198.51.100.1").await;
        assert_eq!(s, 200);
        assert_eq!(
            (first["mfa_required"].clone(), first["enrolled"].clone()),
            (json!(true), json!(false))
        );
        assert!(first.get("token").is_none(), "{first}");
        let challenge = first["challenge"].as_str().unwrap();
        assert_eq!(app.get("/api/v1/me", Some(challenge)).await.0, 401);
        let admin = app.login("adm@test.invalid", PASSWORD).await;
        let (auditor, auditor_actor) = app.user("aud@test.invalid", &office, Role::Auditor).await;
        assert!(
            app.store
                .totp(auditor_actor.user.id)
                .await
                .unwrap()
                .unwrap()
                .confirmed_at
                .is_some(),
            "an auditor has a confirmed second factor after logging in"
        );
        let (other_admin, other_admin_actor) =
            app.user("adm2@test.invalid", &office, Role::Admin).await;
        let (worker, worker_actor) = app
            .user("fr@test.invalid", &police, Role::FirstResponder)
            .await;
        let (_, case) = app
            .post(
                "/api/v1/referrals",
                Some(&worker),
                adult_referral("Petro", true),
            )
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        let reset = |u: &dyn std::fmt::Display| format!("/api/v1/users/{u}/second-factor/reset");
        let target = worker_actor.user.id;

        // Only administrators; never their own factor; a missing user is 404.
        assert_eq!(
            app.post(&reset(&target), Some(&worker), json!({})).await.0,
            403
        );
        assert_eq!(
            app.post(&reset(&target), Some(&auditor), json!({})).await.0,
            403
        );
        assert_eq!(app.post(&reset(&target), None, json!({})).await.0, 401);
        assert_eq!(
            app.post(&reset(&admin_user.id), Some(&admin), json!({}))
                .await
                .0,
            403
        );
        assert_eq!(
            app.post(&reset(&uuid::Uuid::new_v4()), Some(&admin), json!({}))
                .await
                .0,
            404
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&worker)).await.0,
            200,
            "refusals change nothing"
        );

        let head = app.store.access_chain_head().await.unwrap().0;
        let (s, v) = app.post(&reset(&target), Some(&admin), json!({})).await;
        assert_eq!(s, 204, "{v}");
        // Every session of the user ended; the factor and the recovery codes are gone.
        assert_eq!(app.get("/api/v1/me", Some(&worker)).await.0, 401);
        assert_eq!(app.store.totp(target).await.unwrap(), None);
        assert_eq!(app.harbour.recovery_codes_left(target).await.unwrap(), 0);
        // The old authenticator no longer opens the account; the next login enrols again.
        let (_, again, _) = password_step(&app, "fr@test.invalid", PASSWORD, "198.51.100.2").await;
        assert_eq!(again["enrolled"], false);
        let old_code = app.totp_code("fr@test.invalid");
        assert_eq!(
            mfa_step(&app, again["challenge"].as_str().unwrap(), &old_code)
                .await
                .0,
            401
        );
        let worker = app.login("fr@test.invalid", PASSWORD).await;
        assert_eq!(
            app.get(&format!("/api/v1/cases/{id}"), Some(&worker))
                .await
                .0,
            200
        );

        // Recorded in the chain: which administrator reset whose factor.
        let chain = app.store.access_chain(head, 100).await.unwrap();
        let record = &chain
            .iter()
            .find(|c| c.record.action == "second_factor_reset")
            .expect("the reset is in the access log")
            .record;
        assert_eq!((record.user_id, record.org_id), (admin_user.id, office.id));
        assert_eq!(record.purpose, Some(format!("user {target}")));
        assert!(chain.iter().any(
            |c| c.record.user_id == target && c.record.action == "login_enrolled_second_factor"
        ));
        harbour_service::audit::verify_access_log(app.store.as_ref())
            .await
            .expect("the access log still verifies");

        // The administrator still reads no case, before or after a reset.
        for path in [
            format!("/api/v1/cases/{id}"),
            format!("/api/v1/cases/{id}/events"),
        ] {
            assert_eq!(app.get(&path, Some(&admin)).await.0, 404, "{path}");
        }

        // The admin page: a reset button for every other user, none for oneself.
        let (s, html, _) = page_get(&app, "/admin", &other_admin).await;
        assert_eq!(s, 200);
        assert!(html.contains(&format!("action=\"/admin/users/{target}/second-factor\"")));
        assert!(!html.contains(&format!(
            "action=\"/admin/users/{}/second-factor\"",
            other_admin_actor.user.id
        )));
        let path = format!("/admin/users/{target}/second-factor");
        let (s, _, _) = page_post(&app, &path, &worker, "").await;
        assert_eq!(s, 403, "a first responder resets nothing");
        let (s, _, h) = page_post(&app, &path, &other_admin, "").await;
        assert_eq!((s, h[LOCATION].to_str().unwrap()), (303, "/admin?reset=1"));
        assert_eq!(app.get("/api/v1/me", Some(&worker)).await.0, 401);
        let (_, html, _) = page_get(&app, "/admin?reset=1", &other_admin).await;
        assert!(html.contains("The second factor was reset."));
        app.finish().await;
    }
}

/// V7.5.1 (full re-authentication before changing the second factor), V7.2.4 (a new session
/// token at that step-up, the old one ends), V6.5.2 (earlier recovery codes stop working, the
/// new ones work once), V16.3.1 (renewals and failed step-ups are logged): API and page.
#[tokio::test]
async fn recovery_codes_are_renewed_only_after_a_step_up_and_the_session_rotates() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let coord = app
            .org("Fake Coordinator", OrgKind::NationalCoordinator)
            .await;
        let email = "fr@test.invalid";
        let user = app
            .harbour
            .create_user(email, police.id, Role::FirstResponder, PASSWORD)
            .await
            .unwrap();
        let (_, first, _) = password_step(&app, email, PASSWORD, "198.51.100.3").await;
        let challenge = first["challenge"].as_str().unwrap().to_string();
        app.enrol_via_api(email, &challenge).await;
        let (s, done) = mfa_step(&app, &challenge, &app.totp_code(email)).await;
        assert_eq!(s, 200, "{done}");
        let token = done["token"].as_str().unwrap().to_string();
        let old_codes: Vec<String> =
            serde_json::from_value(done["recovery_codes"].clone()).unwrap();
        let path = "/api/v1/me/recovery-codes";

        // Refused without the password, with a recovery code instead of the authenticator,
        // without a session, or with a malformed body; nothing changes.
        let (s, p) = app
            .post(
                path,
                Some(&token),
                json!({"password": "not the password", "code": app.totp_code(email)}),
            )
            .await;
        assert_eq!(
            (s, p["type"].as_str()),
            (401, Some("/problems/bad-credentials"))
        );
        let (s, p) = app
            .post(
                path,
                Some(&token),
                json!({"password": PASSWORD, "code": old_codes[0]}),
            )
            .await;
        assert_eq!(
            (s, p["type"].as_str()),
            (401, Some("/problems/bad-second-factor"))
        );
        assert_eq!(
            app.post(path, None, json!({"password": PASSWORD, "code": "123456"}))
                .await
                .0,
            401
        );
        assert_eq!(
            app.post(path, Some(&token), json!({"password": PASSWORD}))
                .await
                .0,
            422
        );
        assert_eq!(app.harbour.recovery_codes_left(user.id).await.unwrap(), 10);
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 200);

        let (s, v) = app
            .post(
                path,
                Some(&token),
                json!({"password": PASSWORD, "code": app.totp_code(email)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let new_codes: Vec<String> = serde_json::from_value(v["recovery_codes"].clone()).unwrap();
        assert_eq!(new_codes.len(), 10);
        assert!(new_codes.iter().all(|c| !old_codes.contains(c)));
        let rotated = v["token"].as_str().unwrap().to_string();
        assert_ne!(rotated, token);
        assert_eq!(
            app.get("/api/v1/me", Some(&token)).await.0,
            401,
            "the old session ended"
        );
        assert_eq!(app.get("/api/v1/me", Some(&rotated)).await.0, 200);

        // An old code no longer signs in; a new one does, once.
        let (_, login, _) = password_step(&app, email, PASSWORD, "198.51.100.4").await;
        let c = login["challenge"].as_str().unwrap();
        assert_eq!(mfa_step(&app, c, &old_codes[1]).await.0, 401);
        assert_eq!(mfa_step(&app, c, &new_codes[0]).await.0, 200);
        let log: Vec<String> = app
            .store
            .access_chain(0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.record.user_id == user.id)
            .map(|c| c.record.action)
            .collect();
        assert_eq!(
            log.iter().filter(|a| *a == "step_up_failed").count(),
            2,
            "{log:?}"
        );
        assert!(
            log.contains(&"recovery_codes_renewed".to_string()),
            "{log:?}"
        );

        // The page: the same step-up, then the codes once and a new session cookie.
        let (s, html, _) = page_get(&app, "/account/recovery-codes", &rotated).await;
        assert_eq!(s, 200);
        // One of the new codes was spent at the login above.
        assert!(html.contains("You have 9 unused recovery codes."), "{html}");
        let (s, html, _) = page_post(
            &app,
            "/account/recovery-codes",
            &rotated,
            "password=wrong&code=000000",
        )
        .await;
        assert_eq!(s, 422);
        assert!(html.contains("Enter your current password."));
        let form = format!(
            "password={}&code={}",
            PASSWORD.replace(' ', "+"),
            app.totp_code(email)
        );
        let (s, html, headers) = page_post(&app, "/account/recovery-codes", &rotated, &form).await;
        assert_eq!(s, 200, "{html}");
        assert_eq!(html.matches("<li><code>").count(), 10);
        let cookie = cookie_of(&headers, "harbour_session").expect("a new session cookie");
        assert_ne!(cookie, rotated);
        assert_eq!(app.get("/api/v1/me", Some(&rotated)).await.0, 401);
        assert_eq!(
            page_get(&app, "/account/recovery-codes", &cookie).await.0,
            200
        );
        // Roles without a second factor have nothing to renew.
        let (coordinator, _) = app
            .user("coo@test.invalid", &coord, Role::Coordinator)
            .await;
        assert_eq!(
            page_get(&app, "/account/recovery-codes", &coordinator)
                .await
                .0,
            403
        );
        assert_eq!(
            app.post(
                path,
                Some(&coordinator),
                json!({"password": PASSWORD, "code": "123456"})
            )
            .await
            .0,
            401
        );
        app.finish().await;
    }
}

/// V4.1.3 and V15.3.4: `X-Forwarded-For` counts only when the connection comes from a
/// configured trusted proxy. A server trusting no proxy counts every attempt against the
/// connection's address whatever the header says; behind a trusted proxy, the hop it appended
/// counts and a hop the client wrote further left does not.
#[tokio::test]
async fn the_client_address_comes_from_forwarded_for_only_behind_a_trusted_proxy() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        // A second server on the same database that trusts no proxy.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let direct = format!("http://{}", listener.local_addr().unwrap());
        let router = harbour_web::router(app.harbour.clone());
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let attempt = |base: String, i: usize, xff: String| {
            let client = app.client.clone();
            async move {
                client
                    .post(format!("{base}/api/v1/auth/login"))
                    .header("x-forwarded-for", xff)
                    .json(&json!({"email": format!("ghost{i}@test.invalid"), "password": "wrong password!"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        // Exposed directly: a different forged address on every try still hits the limit of 20.
        for i in 0..20 {
            assert_eq!(
                attempt(direct.clone(), i, format!("203.0.113.{i}")).await,
                401
            );
        }
        assert_eq!(
            attempt(direct.clone(), 20, "203.0.113.99".into()).await,
            429
        );
        // Behind the trusted proxy (loopback in the test harness): the proxy's hop counts, the
        // forged one to its left does not; another client is not throttled.
        for i in 0..20 {
            let xff = format!("192.0.2.{i}, 198.51.100.7");
            assert_eq!(attempt(app.base.clone(), 100 + i, xff).await, 401);
        }
        assert_eq!(
            attempt(app.base.clone(), 200, "192.0.2.200, 198.51.100.7".into()).await,
            429
        );
        assert_eq!(
            attempt(app.base.clone(), 201, "198.51.100.8".into()).await,
            401
        );
        server.abort();
        app.finish().await;
    }
}

/// V3.4.1 and V3.3.1 behind a proxy: `X-Forwarded-Proto` / `Forwarded: proto=https` say the
/// request came over TLS only when a configured trusted proxy sent them. From any other peer the
/// forged header earns neither HSTS nor the `__Host-` / `Secure` cookie; from the trusted proxy
/// (loopback in the test harness) it earns both.
#[tokio::test]
async fn the_scheme_is_believed_only_from_a_trusted_proxy() {
    let app = TestApp::start(&Backend::Sqlite).await;
    // A second server on the same database that trusts no proxy.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let direct = format!("http://{}", listener.local_addr().unwrap());
    let router = harbour_web::router(app.harbour.clone());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    for (name, value) in [
        ("x-forwarded-proto", "https"),
        ("forwarded", "for=192.0.2.1;proto=https"),
    ] {
        for (base, trusted) in [(direct.as_str(), false), (app.base.as_str(), true)] {
            let res = client()
                .get(format!("{base}/login?lang=en"))
                .header(name, value)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let hsts = res.headers().get("strict-transport-security").is_some();
            let host_cookie = cookie_of(res.headers(), "__Host-harbour_login").is_some();
            let plain_cookie = cookie_of(res.headers(), "harbour_login").is_some();
            let secure = res
                .headers()
                .get_all(SET_COOKIE)
                .iter()
                .any(|c| c.to_str().unwrap_or("").contains("; Secure"));
            assert_eq!(
                (hsts, host_cookie, secure, plain_cookie),
                (trusted, trusted, trusted, !trusted),
                "{name}: {value} from a {} peer",
                if trusted { "trusted" } else { "untrusted" }
            );
        }
    }
    server.abort();
    app.finish().await;
}

/// The ids of a user's sessions as `GET /api/v1/me/sessions` lists them, with which is current.
async fn listed_sessions(app: &TestApp, token: &str) -> Vec<(String, bool)> {
    let (s, v) = app.get("/api/v1/me/sessions", Some(token)).await;
    assert_eq!(s, 200, "{v}");
    v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["current"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// The kinds (and counts) of a user's security notices, newest first, and how many are unread.
async fn notices(app: &TestApp, token: &str) -> (Vec<(String, u64)>, usize) {
    let (s, v) = app.get("/api/v1/me/security-notices", Some(token)).await;
    assert_eq!(s, 200, "{v}");
    let list = v["notices"].as_array().unwrap();
    (
        list.iter()
            .map(|n| {
                (
                    n["kind"].as_str().unwrap().to_string(),
                    n["count"].as_u64().unwrap(),
                )
            })
            .collect(),
        list.iter()
            .filter(|n| n["acknowledged_at"].is_null())
            .count(),
    )
}

/// V7.4.3: renewing the recovery codes (a change to the second factor) ends every other session
/// of the user, in the same transaction; the renewing session goes on under its new token. Over
/// the API and the page, on both backends. V6.3.7: the user is told.
#[tokio::test]
async fn renewing_recovery_codes_ends_the_users_other_sessions() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let email = "renew@test.invalid";
        let (first, _) = app.user(email, &police, Role::FirstResponder).await;
        let second = app.login(email, PASSWORD).await;
        let (_, bystander_actor) = app
            .user("bystander@test.invalid", &police, Role::FirstResponder)
            .await;
        let bystander = app.login("bystander@test.invalid", PASSWORD).await;
        assert_eq!(listed_sessions(&app, &first).await.len(), 2);

        let (s, v) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&first),
                json!({"password": PASSWORD, "code": app.totp_code(email)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let renewed = v["token"].as_str().unwrap().to_string();
        assert_eq!(
            app.get("/api/v1/me", Some(&second)).await.0,
            401,
            "the other session ended"
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&first)).await.0,
            401,
            "the old token ended"
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&renewed)).await.0,
            200,
            "the renewing session goes on"
        );
        let sessions = listed_sessions(&app, &renewed).await;
        assert_eq!(sessions.len(), 1);
        assert!(sessions[0].1, "the one left is the current one");
        assert_eq!(
            app.get("/api/v1/me", Some(&bystander)).await.0,
            200,
            "another user's sessions are untouched"
        );
        assert_eq!(bystander_actor.user.email, "bystander@test.invalid");
        assert_eq!(
            notices(&app, &renewed).await,
            (vec![("recovery_codes_renewed".to_string(), 1)], 1)
        );

        // Through the page: a browser renews, the user's API session ends, the browser goes on
        // with the new cookie.
        let api = app.login(email, PASSWORD).await;
        let web = app.login(email, PASSWORD).await;
        let (s, html, headers) = page_post(
            &app,
            "/account/recovery-codes",
            &web,
            &format!(
                "password={}&code={}",
                PASSWORD.replace(' ', "+"),
                app.totp_code(email)
            ),
        )
        .await;
        assert_eq!(s, 200, "{html}");
        let cookie = cookie_of(&headers, "harbour_session").unwrap();
        assert_ne!(cookie, web);
        for ended in [&api, &web, &renewed] {
            assert_eq!(app.get("/api/v1/me", Some(ended)).await.0, 401);
        }
        assert_eq!(page_get(&app, "/account/sessions", &cookie).await.0, 200);
        assert_eq!(listed_sessions(&app, &cookie).await.len(), 1);
        app.finish().await;
    }
}

/// V7.5.2: a user lists their own live sessions (an opaque id that is neither the token nor its
/// hash, when it started, was last used and ends, and which is the current one) and ends any of
/// them, or all the others; another user's session, an unknown and a malformed id all answer the
/// same 404 and end nothing. Over the API and the page, on both backends.
#[tokio::test]
async fn users_list_and_end_their_own_sessions_only() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let email = "owner@test.invalid";
        let (a, _) = app.user(email, &police, Role::FirstResponder).await;
        app.clock.advance(Duration::minutes(2));
        let b = app.login(email, PASSWORD).await;
        app.clock.advance(Duration::minutes(2));
        let c = app.login(email, PASSWORD).await;
        let (other, _) = app
            .user("other@test.invalid", &police, Role::FirstResponder)
            .await;

        let (s, v) = app.get("/api/v1/me/sessions", Some(&b)).await;
        assert_eq!(s, 200);
        let list = v["sessions"].as_array().unwrap().clone();
        assert_eq!(list.len(), 3, "{v}");
        let ids: Vec<String> = list
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            list.iter()
                .map(|s| s["current"].as_bool().unwrap())
                .collect::<Vec<_>>(),
            vec![false, true, false],
            "oldest first; the asking session is marked"
        );
        for s in &list {
            let id = s["id"].as_str().unwrap();
            for token in [&a, &b, &c] {
                let hash: String = harbour_crypto::sha256(token.as_bytes())
                    .iter()
                    .map(|x| format!("{x:02x}"))
                    .collect();
                assert!(!token.contains(id) && !hash.contains(&id.replace('-', "")));
            }
            assert_eq!(s["kind"], "api");
            assert!(s["created_at"].as_str().unwrap() < s["expires_at"].as_str().unwrap());
            let keys: Vec<&String> = s.as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                vec![
                    "created_at",
                    "current",
                    "expires_at",
                    "id",
                    "kind",
                    "last_seen_at"
                ],
                "no token, hash or address"
            );
        }

        // Someone else's session: the same 404 as one that does not exist, and it lives on.
        let other_id = listed_sessions(&app, &other).await[0].0.clone();
        let end = |id: &str| format!("/api/v1/me/sessions/{id}/end");
        let (s1, unknown) = app
            .post(&end(&uuid::Uuid::new_v4().to_string()), Some(&a), json!({}))
            .await;
        let (s2, theirs) = app.post(&end(&other_id), Some(&a), json!({})).await;
        let (s3, malformed) = app.post(&end("not-a-session"), Some(&a), json!({})).await;
        assert_eq!((s1, s2, s3), (404, 404, 404));
        assert_eq!(unknown, theirs);
        assert_eq!(unknown, malformed);
        assert_eq!(app.get("/api/v1/me", Some(&other)).await.0, 200);
        assert_eq!(app.post(&end(&ids[0]), None, json!({})).await.0, 401);

        // One's own: ended at once, once.
        assert_eq!(app.post(&end(&ids[0]), Some(&b), json!({})).await.0, 204);
        assert_eq!(app.get("/api/v1/me", Some(&a)).await.0, 401);
        assert_eq!(app.post(&end(&ids[0]), Some(&b), json!({})).await.0, 404);
        // All the others: only the asking one is left, the other user's stays.
        let (s, v) = app
            .post("/api/v1/me/sessions/end-others", Some(&b), json!({}))
            .await;
        assert_eq!((s, v["ended"].as_u64()), (200, Some(1)));
        assert_eq!(app.get("/api/v1/me", Some(&c)).await.0, 401);
        assert_eq!(
            listed_sessions(&app, &b).await,
            vec![(ids[1].clone(), true)]
        );
        assert_eq!(app.get("/api/v1/me", Some(&other)).await.0, 200);

        // The page lists them, each with a form; ending another signs that one out, ending the
        // current one signs out here.
        let d = app.login(email, PASSWORD).await;
        let d_id = listed_sessions(&app, &d).await[1].0.clone();
        let (s, html, _) = page_get(&app, "/account/sessions", &b).await;
        assert_eq!(s, 200);
        for id in [&ids[1], &d_id] {
            assert!(html.contains(&format!("action=\"/account/sessions/{id}/end\"")));
        }
        assert!(
            !html.contains(&other_id),
            "another user's session is not shown"
        );
        assert!(html.contains("action=\"/account/sessions/end-others\""));
        assert!(html.contains(&harbour_web::pages::csrf_for(&b)));
        let (s, _, h) = page_post(&app, &format!("/account/sessions/{other_id}/end"), &b, "").await;
        assert_eq!(s, 404);
        assert!(h.get(SET_COOKIE).is_none());
        assert_eq!(app.get("/api/v1/me", Some(&other)).await.0, 200);
        let (s, _, h) = page_post(&app, &format!("/account/sessions/{d_id}/end"), &b, "").await;
        assert_eq!(
            (s, h[LOCATION].to_str().unwrap()),
            (303, "/account/sessions")
        );
        assert_eq!(app.get("/api/v1/me", Some(&d)).await.0, 401);
        let e = app.login(email, PASSWORD).await;
        let (s, _, _) = page_post(&app, "/account/sessions/end-others", &b, "").await;
        assert_eq!(s, 303);
        assert_eq!(app.get("/api/v1/me", Some(&e)).await.0, 401);
        let (s, _, h) = page_post(&app, &format!("/account/sessions/{}/end", ids[1]), &b, "").await;
        assert_eq!((s, h[LOCATION].to_str().unwrap()), (303, "/login?out=1"));
        assert_eq!(app.get("/api/v1/me", Some(&b)).await.0, 401);
        // Without the session's CSRF token, nothing ends.
        let f = app.login(email, PASSWORD).await;
        let f_id = listed_sessions(&app, &f).await[0].0.clone();
        let res = client()
            .post(format!("{}/account/sessions/{f_id}/end", app.base))
            .header(COOKIE, format!("harbour_session={f}"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("csrf=forged")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(app.get("/api/v1/me", Some(&f)).await.0, 200);
        app.finish().await;
    }
}

/// V6.3.7 and V6.3.5 (L3): Harbour sends no e-mail, so a user is told in the application that an
/// administrator reset their second factor, that their recovery codes were renewed, and how many
/// sign-in attempts (password or second factor) failed since their last sign-in. The notice shows
/// on the home page after sign-in until acknowledged and stays listed on the account page; it
/// holds no address. Over the API and the pages, on both backends.
#[tokio::test]
async fn users_are_told_of_changes_to_their_sign_in_and_of_failed_attempts() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let office = app.org("Fake Office", OrgKind::Other).await;
        let (admin, _) = app.user("adm@test.invalid", &office, Role::Admin).await;
        let email = "told@test.invalid";
        let (token, actor) = app.user(email, &police, Role::FirstResponder).await;
        assert_eq!(
            notices(&app, &token).await,
            (vec![], 0),
            "a first sign-in has none"
        );
        let (s, home, _) = page_get(&app, "/", &token).await;
        assert_eq!(s, 200);
        assert!(!home.contains("security-banner"));

        // Two wrong passwords and a wrong authenticator code, from an address, then a sign-in.
        for _ in 0..2 {
            assert_eq!(
                password_step(&app, email, "wrong password!", "203.0.113.77")
                    .await
                    .0,
                401
            );
        }
        let (_, first, _) = password_step(&app, email, PASSWORD, "203.0.113.77").await;
        let challenge = first["challenge"].as_str().unwrap().to_string();
        assert_eq!(mfa_step(&app, &challenge, "000000").await.0, 401);
        let token = app.login(email, PASSWORD).await;
        assert_eq!(
            notices(&app, &token).await,
            (vec![("failed_sign_ins".to_string(), 3)], 1)
        );
        let (_, raw) = app.get("/api/v1/me/security-notices", Some(&token)).await;
        assert!(
            !raw.to_string().contains("203.0.113.77"),
            "no address: {raw}"
        );
        // A clean sign-in adds nothing.
        let token = app.login(email, PASSWORD).await;
        assert_eq!(notices(&app, &token).await.0.len(), 1);

        // The home page shows the unread notice with a form to acknowledge it; English and
        // Ukrainian.
        let (_, home, _) = page_get(&app, "/", &token).await;
        assert!(home.contains("security-banner"), "{home}");
        assert!(home.contains("There were 3 failed attempts to sign in to your account"));
        assert!(home.contains("action=\"/account/security-notices/acknowledge\""));
        app.store
            .set_user_locale(actor.user.id, "uk")
            .await
            .unwrap();
        let (_, home_uk, _) = page_get(&app, "/", &token).await;
        assert!(home_uk.contains("3 невдалі спроби увійти"), "{home_uk}");
        app.store
            .set_user_locale(actor.user.id, "en")
            .await
            .unwrap();
        let (s, _, h) = page_post(
            &app,
            "/account/security-notices/acknowledge",
            &token,
            "back=/",
        )
        .await;
        assert_eq!((s, h[LOCATION].to_str().unwrap()), (303, "/"));
        let (_, home, _) = page_get(&app, "/", &token).await;
        assert!(!home.contains("security-banner"));
        assert_eq!(notices(&app, &token).await.1, 0);
        let (s, account, _) = page_get(&app, "/account", &token).await;
        assert_eq!(s, 200);
        assert!(
            account.contains("There were 3 failed attempts"),
            "still listed"
        );
        assert!(account.contains("href=\"/account/sessions\""));

        // An administrator's reset, a few minutes later: after enrolling again, the user is told.
        app.clock.advance(Duration::minutes(5));
        let user = actor.user.id;
        let (s, _) = app
            .post(
                &format!("/api/v1/users/{user}/second-factor/reset"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(s, 204);
        let (_, first, _) = password_step(&app, email, PASSWORD, "198.51.100.9").await;
        let challenge = first["challenge"].as_str().unwrap().to_string();
        app.enrol_via_api(email, &challenge).await;
        let (s, done) = mfa_step(&app, &challenge, &app.totp_code(email)).await;
        assert_eq!(s, 200, "{done}");
        let token = done["token"].as_str().unwrap().to_string();
        assert_eq!(
            notices(&app, &token).await,
            (
                vec![
                    ("second_factor_reset".to_string(), 1),
                    ("failed_sign_ins".to_string(), 3)
                ],
                1
            )
        );
        let (_, home, _) = page_get(&app, "/", &token).await;
        assert!(home.contains("An administrator reset your second factor"));
        assert!(
            !home.contains("There were 3 failed attempts"),
            "read notices leave home"
        );
        // The API acknowledges too; another user's notices are not theirs to see or read.
        let (s, v) = app
            .post(
                "/api/v1/me/security-notices/acknowledge",
                Some(&token),
                json!({}),
            )
            .await;
        assert_eq!((s, v["acknowledged"].as_u64()), (200, Some(1)));
        assert_eq!(notices(&app, &admin).await, (vec![], 0));
        app.finish().await;
    }
}
