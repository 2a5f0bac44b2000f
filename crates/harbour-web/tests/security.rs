//! Encryption at rest, the OpenAPI document, and authorisation on every route.

mod common;

use common::*;
use harbour_domain::{OrgKind, Role};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Seed canary values in every personal field, then search every byte the database holds.
#[tokio::test]
async fn no_personal_data_in_clear_in_a_database_dump() {
    let canaries = [
        "Zqxcanarygiven",
        "Zqxcanaryfamily",
        "Жзщканарейка",
        "zqx-canary-views",
        "zqx-canary-summary",
        "Zqxcanarypatronymic",
    ];
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let org = app.org("Fake Police", OrgKind::Police).await;
        let (t, _) = app.user("p@test.invalid", &org, Role::FirstResponder).await;
        let mut body = child_referral();
        body["person"]["names"] = json!([
            {"given": canaries[0], "family": canaries[1], "patronymic": canaries[5], "script": "Latn"},
            {"given": canaries[2], "family": canaries[2], "script": "Cyrl"}
        ]);
        body["child_views"] = json!(canaries[3]);
        body["summary"] = json!(canaries[4]);
        let (s, v) = app.post("/api/v1/referrals", Some(&t), body).await;
        assert_eq!(s, 201, "{v}");
        // The data is really there, readable through the API...
        let (_, v) = app
            .get(
                &format!("/api/v1/cases/{}", v["id"].as_str().unwrap()),
                Some(&t),
            )
            .await;
        assert_eq!(v["person"]["names"][0]["given"], canaries[0]);
        // ...and nowhere in clear in the database.
        let dump = app.dump().await;
        assert!(
            dump.len() > 1000,
            "{}: the dump is suspiciously small",
            app.backend_name()
        );
        let org_name_found = dump
            .windows(b"Fake Police".len())
            .any(|w| w == b"Fake Police");
        assert!(
            org_name_found,
            "the dump must be able to see clear text at all (organisation names are not secret)"
        );
        for c in canaries {
            let found = dump.windows(c.len()).any(|w| w == c.as_bytes());
            assert!(
                !found,
                "{}: canary {c} found in clear in the database",
                app.backend_name()
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn openapi_document_is_served_and_covers_exactly_the_routes() {
    let app = TestApp::start(&Backend::Sqlite).await;
    let (s, served) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(s, 200);
    let file: Value = serde_json::from_str(harbour_web::OPENAPI).unwrap();
    assert_eq!(served, file, "the served document is the reviewed snapshot");
    let mut documented = BTreeSet::new();
    for (path, ops) in file["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routes: BTreeSet<(String, String)> = harbour_web::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, routes, "OpenAPI document and router disagree");
    // Every documented route answers (not the 404 fallback) at its method.
    for (m, p) in &routes {
        let path = p.replace("{id}", &uuid::Uuid::new_v4().to_string());
        let (status, body, _) = app
            .send(
                m.parse().unwrap(),
                &path,
                None,
                (m == "POST").then(|| json!({})),
            )
            .await;
        assert!(
            !(status == 404 && body["type"] == "/problems/not-found" && !p.contains("{id}")),
            "{m} {p} is documented but not routed"
        );
    }
    app.finish().await;
}

/// The organisations, users and records both authorisation matrices run against: one
/// referrer's adult and child cases (the child with an appointed guardian), a case worker's case
/// referred on to a shelter's service, a tracing request, a break-glass grant on the adult case,
/// a user whose second factor the administrator resets and one whose session others try to end.
struct Fixture {
    referrer: String,
    stranger: String,
    glass: String,
    decider: String,
    cpo: String,
    guardian: String,
    worker: String,
    provider: String,
    other_provider: String,
    admin: String,
    auditor: String,
    coordinator: String,
    spare_id: String,
    victim: String,
    victim_session: String,
    a: String,
    c: String,
    sup: String,
    sref: String,
    req: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let police = app.org("Fake Police", OrgKind::Police).await;
    let other = app.org("Other Fake Police", OrgKind::Police).await;
    let authority = app.org("Fake Authority", OrgKind::CompetentAuthority).await;
    let cp = app
        .org("Fake Child Protection", OrgKind::ChildProtection)
        .await;
    let ngo = app.org("Fake Support NGO", OrgKind::Ngo).await;
    let shelter = app.org("Example Safe House", OrgKind::Shelter).await;
    let other_shelter = app.org("Other Fake Shelter", OrgKind::Shelter).await;
    let office = app.org("Fake Office", OrgKind::Other).await;
    let coord = app
        .org("Fake Coordinator", OrgKind::NationalCoordinator)
        .await;
    let (referrer, _) = app
        .user("ref@test.invalid", &police, Role::FirstResponder)
        .await;
    let (stranger, _) = app
        .user("str@test.invalid", &other, Role::FirstResponder)
        .await;
    let (glass, _) = app
        .user("glass@test.invalid", &other, Role::FirstResponder)
        .await;
    let (decider, _) = app
        .user("dec@test.invalid", &authority, Role::DecisionMaker)
        .await;
    let (cpo, _) = app
        .user("cpo@test.invalid", &cp, Role::ChildProtectionOfficer)
        .await;
    let (guardian, guardian_actor) = app.user("grd@test.invalid", &cp, Role::Guardian).await;
    let (worker, _) = app.user("cw@test.invalid", &ngo, Role::CaseWorker).await;
    let (provider, _) = app
        .user("sp@test.invalid", &shelter, Role::ServiceProvider)
        .await;
    let (other_provider, _) = app
        .user("osp@test.invalid", &other_shelter, Role::ServiceProvider)
        .await;
    let (admin, _) = app.user("adm@test.invalid", &office, Role::Admin).await;
    let (auditor, _) = app.user("aud@test.invalid", &office, Role::Auditor).await;
    let (coordinator, _) = app
        .user("coo@test.invalid", &coord, Role::Coordinator)
        .await;
    let (_, spare) = app
        .user("spare@test.invalid", &police, Role::FirstResponder)
        .await;
    let spare_id = spare.user.id.to_string();
    let (victim, _) = app
        .user("vic@test.invalid", &police, Role::FirstResponder)
        .await;
    let victim_session = app.get("/api/v1/me/sessions", Some(&victim)).await.1["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let (_, adult) = app
        .post(
            "/api/v1/referrals",
            Some(&referrer),
            adult_referral("Petro", true),
        )
        .await;
    let (_, child) = app
        .post("/api/v1/referrals", Some(&referrer), child_referral())
        .await;
    let a = adult["id"].as_str().unwrap().to_string();
    let c = child["id"].as_str().unwrap().to_string();
    let (s, v) = app
        .post(
            &format!("/api/v1/cases/{c}/guardian"),
            Some(&cpo),
            json!({"guardian": guardian_actor.user.id}),
        )
        .await;
    assert_eq!(s, 200, "appointing the guardian: {v}");
    // A case the NGO's case worker referred on to the shelter's service.
    let (s, service) = app
        .post(
            "/api/v1/services",
            Some(&provider),
            json!({"kind":"accommodation","name":"Fake safe beds","capacity":2,"accepts":["adults"]}),
        )
        .await;
    assert_eq!(s, 201, "{service}");
    let (_, supported) = app
        .post(
            "/api/v1/referrals",
            Some(&worker),
            adult_referral("Ion", true),
        )
        .await;
    let sup = supported["id"].as_str().unwrap().to_string();
    let (s, v) = app
        .post(
            &format!("/api/v1/cases/{sup}/needs"),
            Some(&worker),
            json!({"needs":[{"kind":"accommodation"}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, r) = app
        .post(
            &format!("/api/v1/cases/{sup}/service-referrals"),
            Some(&worker),
            json!({"service_id": service["id"], "need":"accommodation","consent":{"informed_consent":true}}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let sref = r["id"].as_str().unwrap().to_string();
    let (_, request) = app
        .post(
            "/api/v1/tracing-requests",
            Some(&cpo),
            tracing_request_body(),
        )
        .await;
    let req = request["id"].as_str().unwrap().to_string();
    // Break-glass on the adult case, as the API grants it.
    let (s, v) = app
        .post(
            &format!("/api/v1/cases/{a}/break-glass"),
            Some(&glass),
            json!({"reason": "Fake emergency: police call at night"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");

    Fixture {
        referrer,
        stranger,
        glass,
        decider,
        cpo,
        guardian,
        worker,
        provider,
        other_provider,
        admin,
        auditor,
        coordinator,
        spare_id,
        victim,
        victim_session,
        a,
        c,
        sup,
        sref,
        req,
    }
}

/// Every route × role × relationship to the case: allowed, or denied without revealing anything.
/// A route missing from this table fails the test, so a new route arrives with its rows.
#[tokio::test]
async fn authorisation_on_every_route() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let Fixture {
            referrer,
            stranger,
            decider,
            cpo,
            admin,
            auditor,
            coordinator,
            victim,
            victim_session,
            a,
            c,
            spare_id: u,
            req: r,
            ..
        } = fixture(&app).await;
        let rg = json!({"kind":"reasonable_grounds","outcome":"positive","reasons":"r"});
        let age =
            json!({"kind":"age_assessment","outcome":"child","method":"documents","reasons":"r"});
        let close = json!({"reason":"duplicate"});
        let reasons = json!({"reasons":"r"});
        let guardian = json!({"guardian": uuid::Uuid::new_v4()});
        // (method, path template, body, [(who, expected status)]). None = no token.
        type Row<'a> = (&'a str, &'a str, Option<Value>, Vec<(Option<&'a str>, u16)>);
        let table: Vec<Row> = vec![
            ("GET", "/healthz", None, vec![(None, 200)]),
            ("GET", "/api/v1/openapi.json", None, vec![(None, 200)]),
            // Public: browsers send CSP reports without credentials; a token changes nothing.
            (
                "POST",
                "/api/v1/csp-reports",
                Some(json!({"csp-report": {"violated-directive": "img-src"}})),
                vec![
                    (None, 204),
                    (Some(&admin), 204),
                    (Some(&auditor), 204),
                    (Some(&coordinator), 204),
                    (Some(&referrer), 204),
                    (Some(&stranger), 204),
                    (Some(&decider), 204),
                    (Some(&cpo), 204),
                    (Some(&victim), 204),
                ],
            ),
            (
                "POST",
                "/api/v1/auth/login",
                Some(json!({"email":"ref@test.invalid","password":"wrong password!"})),
                vec![(None, 401)],
            ),
            (
                "GET",
                "/api/v1/me",
                None,
                vec![(None, 401), (Some(&admin), 200), (Some(&referrer), 200)],
            ),
            (
                "POST",
                "/api/v1/referrals",
                Some(adult_referral("Olek", true)),
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&coordinator), 403),
                    (Some(&auditor), 403),
                    (Some(&decider), 403),
                    (Some(&stranger), 201),
                ],
            ),
            (
                "POST",
                "/api/v1/anonymous-notifications",
                Some(json!({"age_group":"adult"})),
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&coordinator), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 201),
                ],
            ),
            (
                "GET",
                "/api/v1/cases",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&coordinator), 403),
                    (Some(&auditor), 403),
                    (Some(&stranger), 200),
                    (Some(&referrer), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/cases/{adult}",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&coordinator), 404),
                    (Some(&auditor), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 404),
                    (Some(&referrer), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/cases/{child}",
                None,
                vec![
                    (Some(&cpo), 200),
                    (Some(&stranger), 404),
                    (Some(&admin), 404),
                ],
            ),
            (
                "GET",
                "/api/v1/cases/{adult}/events",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/decisions",
                Some(rg.clone()),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                    (Some(&decider), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{child}/decisions",
                Some(age.clone()),
                vec![
                    (Some(&referrer), 403),
                    (Some(&stranger), 404),
                    (Some(&cpo), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{child}/guardian",
                Some(guardian.clone()),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                    (Some(&cpo), 422),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/early-conclusive-decision",
                Some(reasons.clone()),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/reconsideration",
                Some(reasons.clone()),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 409),
                ],
            ),
            // Support, rights and justice (api_support.rs). The provider's and the transfer
            // recipient's own routes are proven with real ids in tests/support.rs.
            (
                "POST",
                "/api/v1/services",
                Some(
                    json!({"kind":"psychological","name":"Fake Counselling","capacity":2,"accepts":["adults"]}),
                ),
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&referrer), 403),
                    (Some(&decider), 403),
                    (Some(&cpo), 201),
                ],
            ),
            (
                "GET",
                "/api/v1/services",
                None,
                vec![(None, 401), (Some(&admin), 200), (Some(&referrer), 200)],
            ),
            (
                "GET",
                "/api/v1/cases/{adult}/services",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 404),
                    (Some(&referrer), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/needs",
                Some(json!({"needs":[{"kind":"psychological"}]})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                    (Some(&decider), 403),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{child}/needs",
                Some(json!({"needs":[{"kind":"child_care"}],"child_views":"wants a quiet place"})),
                vec![(Some(&stranger), 404), (Some(&cpo), 200)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/service-referrals",
                Some(json!({"service_id": uuid::Uuid::new_v4(), "need":"psychological"})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                ],
            ),
            (
                "GET",
                "/api/v1/service-referrals",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&referrer), 403),
                    (Some(&cpo), 403),
                ],
            ),
            (
                "GET",
                "/api/v1/cases/{adult}/service-referrals/{ref}",
                None,
                vec![(None, 401), (Some(&referrer), 404), (Some(&stranger), 404)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/service-referrals/{ref}/accept",
                None,
                vec![(None, 401), (Some(&referrer), 404), (Some(&stranger), 404)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/service-referrals/{ref}/decline",
                None,
                vec![(None, 401), (Some(&referrer), 404), (Some(&stranger), 404)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/service-referrals/{ref}/start",
                None,
                vec![(None, 401), (Some(&referrer), 404), (Some(&stranger), 404)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/service-referrals/{ref}/complete",
                None,
                vec![(None, 401), (Some(&referrer), 404), (Some(&stranger), 404)],
            ),
            (
                "GET",
                "/api/v1/cases/{adult}/rights",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&auditor), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 404),
                    (Some(&referrer), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "PUT",
                "/api/v1/cases/{adult}/rights/{right}",
                Some(json!({"status":"informed"})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    // `{right}` is not a right in the catalogue.
                    (Some(&referrer), 422),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{child}/best-interests",
                Some(json!({"kind":"assessment","child_views":"wants school","conclusion":"stay"})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                    (Some(&cpo), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{child}/family-tracing",
                Some(json!({"requested": true})),
                vec![
                    (None, 401),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                    (Some(&cpo), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/transition-plan",
                Some(json!({"plan":"p"})),
                vec![(None, 401), (Some(&stranger), 404), (Some(&referrer), 403)],
            ),
            (
                "PUT",
                "/api/v1/cases/{adult}/justice",
                Some(json!({"cooperation":"undecided"})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                ],
            ),
            (
                "PUT",
                "/api/v1/cases/{adult}/durable-solution",
                Some(json!({"kind":"integration"})),
                vec![
                    (None, 401),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                    (Some(&decider), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/follow-ups",
                Some(json!({"notes":"n"})),
                vec![(None, 401), (Some(&stranger), 404), (Some(&referrer), 403)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/transfers",
                Some(
                    json!({"kind":"transfer","to_org": uuid::Uuid::new_v4(),"purpose":"p","person_consents":true}),
                ),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/transfers/{handover}/accept",
                None,
                vec![(None, 401), (Some(&stranger), 404), (Some(&referrer), 404)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/transfers/{handover}/decline",
                None,
                vec![(None, 401), (Some(&stranger), 404), (Some(&referrer), 404)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/close",
                Some(json!({"reason":"integrated"})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{child}/closure",
                Some(close.clone()),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                    (Some(&cpo), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/cases/{adult}/access-log",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&referrer), 403),
                    (Some(&decider), 403),
                    (Some(&auditor), 200),
                ],
            ),
            // Platform keys, not user tokens, open the hash-match API (tested in hash_match.rs).
            (
                "POST",
                "/api/v1/hash-match",
                Some(
                    json!({"hashes": ["d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"]}),
                ),
                vec![
                    (None, 401),
                    (Some(&admin), 401),
                    (Some(&referrer), 401),
                    (Some(&auditor), 401),
                ],
            ),
            (
                "GET",
                "/api/v1/indicator-lists",
                None,
                vec![(None, 401), (Some(&admin), 200), (Some(&referrer), 200)],
            ),
            (
                "GET",
                "/api/v1/quick-screen",
                None,
                vec![(None, 401), (Some(&referrer), 200)],
            ),
            (
                "POST",
                "/api/v1/quick-screen",
                Some(json!({"flagged": ["debt_to_recruiter"]})),
                vec![(None, 401), (Some(&referrer), 200)],
            ),
            (
                "POST",
                "/api/v1/screenings",
                Some(json!({"list": "adult_labour", "observed": []})),
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&coordinator), 403),
                    (Some(&referrer), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/screenings",
                Some(json!({"list": "adult_labour", "observed": []})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 404),
                    (Some(&decider), 403),
                    (Some(&referrer), 201),
                ],
            ),
            // The second login step answers nothing without a live challenge.
            (
                "POST",
                "/api/v1/auth/mfa",
                Some(json!({"challenge": "not-a-challenge", "code": "123456"})),
                vec![(None, 401), (Some(&referrer), 401)],
            ),
            (
                "POST",
                "/api/v1/auth/mfa/enrolment",
                Some(json!({"challenge": "not-a-challenge"})),
                vec![(None, 401), (Some(&referrer), 401)],
            ),
            // Security keys: the login step needs a live challenge like the TOTP step; every role
            // has its own keys and reaches nobody else's (tests/webauthn.rs proves the ceremony).
            (
                "POST",
                "/api/v1/auth/mfa/security-key/options",
                Some(json!({"challenge": "not-a-challenge"})),
                vec![(None, 401), (Some(&referrer), 401)],
            ),
            (
                "POST",
                "/api/v1/auth/mfa/security-key",
                Some(json!({
                    "challenge": "not-a-challenge",
                    "credential_id": "AAAA",
                    "client_data_json": "AAAA",
                    "authenticator_data": "AAAA",
                    "signature": "AAAA",
                })),
                vec![(None, 401), (Some(&referrer), 401)],
            ),
            (
                "GET",
                "/api/v1/me/security-keys",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 200),
                    (Some(&decider), 200),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&coordinator), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/me/security-keys/options",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 200),
                    (Some(&cpo), 200),
                    (Some(&admin), 200),
                    (Some(&coordinator), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/me/security-keys",
                Some(
                    json!({"name": "fake key", "client_data_json": "AAAA", "attestation_object": "AAAA"}),
                ),
                vec![(None, 401), (Some(&referrer), 422), (Some(&admin), 422)],
            ),
            (
                "POST",
                "/api/v1/me/security-keys/{key}/remove",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 404),
                    (Some(&decider), 404),
                    (Some(&admin), 404),
                ],
            ),
            // Break-glass: only roles that read cases, only with a reason, only for a case
            // they cannot already see; then read-only.
            (
                "POST",
                "/api/v1/cases/{adult}/break-glass",
                Some(json!({"reason": "   "})),
                vec![(None, 401), (Some(&stranger), 422)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/break-glass",
                Some(json!({"reason": "Fake emergency: police call at night"})),
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&coordinator), 403),
                    (Some(&referrer), 409),
                    (Some(&decider), 409),
                    (Some(&cpo), 201),
                    (Some(&stranger), 201),
                ],
            ),
            (
                "GET",
                "/api/v1/cases/{adult}",
                None,
                vec![
                    (Some(&stranger), 200),
                    (Some(&cpo), 200),
                    (Some(&admin), 404),
                ],
            ),
            (
                "GET",
                "/api/v1/cases/{adult}/events",
                None,
                vec![(Some(&stranger), 200)],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/reconsideration",
                Some(reasons.clone()),
                vec![(Some(&stranger), 404)],
            ),
            (
                "GET",
                "/api/v1/cases/{child}",
                None,
                vec![(Some(&stranger), 404)],
            ),
            (
                "GET",
                "/api/v1/break-glass",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&referrer), 403),
                    (Some(&stranger), 403),
                    (Some(&auditor), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/tracing-requests",
                Some(tracing_request_body()),
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&coordinator), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 403),
                    (Some(&cpo), 201),
                ],
            ),
            (
                "GET",
                "/api/v1/tracing-requests",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 403),
                    (Some(&cpo), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/tracing-requests/{request}",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&auditor), 404),
                    (Some(&coordinator), 404),
                    (Some(&referrer), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/tracing-requests/{request}/candidates",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&referrer), 404),
                    (Some(&cpo), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/cases/{child}/tracing-candidates",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&auditor), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 403),
                    (Some(&cpo), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/cases/{adult}/family-tracing-consent",
                Some(json!({"given": true})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 404),
                    (Some(&referrer), 200),
                    (Some(&decider), 200),
                ],
            ),
            // Last of the tracing rows: withdrawing changes the request.
            (
                "POST",
                "/api/v1/tracing-requests/{request}/withdraw",
                Some(json!({})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&decider), 403),
                    (Some(&cpo), 200),
                    (Some(&cpo), 409),
                ],
            ),
            (
                "GET",
                "/api/v1/statistics/referrals?by=quarter,exploitation_form",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 403),
                    (Some(&cpo), 403),
                    (Some(&coordinator), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/statistics/notifications?by=quarter",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 403),
                    (Some(&cpo), 403),
                    (Some(&coordinator), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/statistics/timeliness",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 403),
                    (Some(&cpo), 403),
                    (Some(&coordinator), 200),
                    (Some(&decider), 200),
                ],
            ),
            // The second factor: only administrators reset another user's; renewing one's own
            // recovery codes needs the password and a fresh code.
            (
                "POST",
                "/api/v1/users/{user}/second-factor/reset",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 403),
                    (Some(&auditor), 403),
                    (Some(&coordinator), 403),
                    (Some(&decider), 403),
                    (Some(&admin), 204),
                ],
            ),
            (
                "POST",
                "/api/v1/me/recovery-codes",
                Some(json!({"password": "wrong password!", "code": "123456"})),
                vec![(None, 401), (Some(&referrer), 401), (Some(&admin), 401)],
            ),
            // The same step-up answered with a security key (a forged one here: refused like a
            // wrong password), and the options for it: only for a user who has a key, which
            // nobody in this fixture has.
            (
                "POST",
                "/api/v1/me/recovery-codes",
                Some(json!({"password": "wrong password!", "security_key": {
                    "credential_id": "AAAA",
                    "client_data_json": "AAAA",
                    "authenticator_data": "AAAA",
                    "signature": "AAAA",
                }})),
                vec![(None, 401), (Some(&referrer), 401), (Some(&admin), 401)],
            ),
            (
                "POST",
                "/api/v1/me/step-up/security-key/options",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 403),
                    (Some(&decider), 403),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&coordinator), 403),
                ],
            ),
            // A user's own sessions and security notices: every role has them, and nobody reaches
            // another user's (someone else's session id is a 404 like an unknown one).
            (
                "GET",
                "/api/v1/me/sessions",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 200),
                    (Some(&stranger), 200),
                    (Some(&decider), 200),
                    (Some(&cpo), 200),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&coordinator), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/me/sessions/{session}/end",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 404),
                    (Some(&stranger), 404),
                    (Some(&decider), 404),
                    (Some(&cpo), 404),
                    (Some(&admin), 404),
                    (Some(&auditor), 404),
                    (Some(&coordinator), 404),
                    (Some(&victim), 204),
                    (Some(&victim), 401),
                ],
            ),
            (
                "POST",
                "/api/v1/me/sessions/end-others",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 200),
                    (Some(&stranger), 200),
                    (Some(&decider), 200),
                    (Some(&cpo), 200),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&coordinator), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/me/security-notices",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 200),
                    (Some(&stranger), 200),
                    (Some(&decider), 200),
                    (Some(&cpo), 200),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&coordinator), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/me/security-notices/acknowledge",
                None,
                vec![
                    (None, 401),
                    (Some(&referrer), 200),
                    (Some(&stranger), 200),
                    (Some(&decider), 200),
                    (Some(&cpo), 200),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&coordinator), 200),
                ],
            ),
            // h5: the transfer inbox (support pages). Only roles that hand cases over have one;
            // what it lists is proven with a real transfer in tests/support.rs.
            (
                "GET",
                "/api/v1/transfers",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 403),
                    (Some(&decider), 403),
                    (Some(&cpo), 200),
                ],
            ),
            (
                "GET",
                "/api/v1/statistics/rights?by=quarter",
                None,
                vec![
                    (None, 401),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 403),
                    (Some(&cpo), 403),
                    (Some(&stranger), 403),
                    (Some(&coordinator), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "POST",
                "/api/v1/auth/logout",
                Some(json!({})),
                vec![(None, 401), (Some(&coordinator), 204)],
            ),
            // Last of all: the adult case is erased here, so it answers 410 from then on (the
            // coordinator is logged out just above; it is refused like every role without cases).
            (
                "POST",
                "/api/v1/cases/{adult}/erasure",
                Some(json!({"reasons": "Fake request of the person under GDPR Art. 17"})),
                vec![
                    (None, 401),
                    (Some(&admin), 404),
                    (Some(&auditor), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 404),
                    (Some(&referrer), 403),
                    (Some(&decider), 200),
                    (Some(&decider), 410),
                    (Some(&referrer), 410),
                    (Some(&stranger), 404),
                ],
            ),
        ];
        let covered: BTreeSet<(String, String)> = table
            .iter()
            .map(|(m, p, _, _)| {
                (
                    m.to_string(),
                    p.replace("{adult}", "{id}")
                        .replace("{child}", "{id}")
                        .replace("{request}", "{id}")
                        .replace("{user}", "{id}")
                        .replace("{session}", "{id}")
                        .replace("{key}", "{id}")
                        .split('?')
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect();
        for (m, p) in harbour_web::ROUTES {
            assert!(
                covered.contains(&(m.to_string(), p.to_string())),
                "route {m} {p} has no authorisation rows"
            );
        }
        let not_found = app
            .get(
                &format!("/api/v1/cases/{}", uuid::Uuid::new_v4()),
                Some(&referrer),
            )
            .await
            .1;
        for (method, template, body, rows) in &table {
            let path = template
                .replace("{adult}", &a)
                .replace("{child}", &c)
                .replace("{request}", &r)
                .replace("{user}", &u)
                .replace("{session}", &victim_session)
                // A key id of nobody: an unknown key answers like another user's
                // (tests/webauthn.rs removes a real one of someone else).
                .replace("{key}", &uuid::Uuid::new_v4().to_string());
            for (who, expected) in rows {
                let (status, response, _) = app
                    .send(method.parse().unwrap(), &path, *who, body.clone())
                    .await;
                assert_eq!(
                    status,
                    *expected,
                    "{}: {method} {template} as {who:?}: {response}",
                    app.backend_name()
                );
                if status == 404 {
                    assert_eq!(
                        response, not_found,
                        "a denial reveals nothing: same body as a case that does not exist"
                    );
                }
            }
        }
        // The coordinator's logout killed that session on the server.
        assert_eq!(app.get("/api/v1/me", Some(&coordinator)).await.0, 401);
        app.finish().await;
    }
}

// ---------- the HTML pages: every page route × role × relationship to the case ----------

/// Every page route the router serves, as (method, path), read from the router's source so a
/// page route added there without rows here fails [`authorisation_on_every_page_route`].
fn page_routes() -> BTreeSet<(String, String)> {
    let src = include_str!("../src/pages/mod.rs");
    let mut routes = BTreeSet::new();
    let mut rest = src;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        // The call's text, up to its closing parenthesis.
        let mut depth = 1usize;
        let mut end = rest.len();
        for (i, ch) in rest.char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let call = &rest[..end];
        let path = call.split('"').nth(1).expect("a route path literal");
        for method in ["get", "post", "put", "delete", "patch"] {
            let found = call.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0
                    || !call.as_bytes()[i - 1].is_ascii_alphanumeric()
                        && call.as_bytes()[i - 1] != b'_'
            });
            if found {
                routes.insert((method.to_uppercase(), path.to_string()));
            }
        }
    }
    routes
}

/// A page request as a browser sends it: the session cookie, and for a form the session's CSRF
/// token; redirects are answers, not followed.
async fn page(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    form: Option<&str>,
) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut req = client.request(method.parse().unwrap(), format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.header("cookie", format!("harbour_session={t}"));
    }
    if let Some(f) = form {
        let csrf = token.map(harbour_web::pages::csrf_for).unwrap_or_default();
        req = req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={csrf}&{f}"));
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Page routes × role × relationship to the case: own organisation (the referrer), another
/// organisation (a stranger of the same role), the decision maker, the child protection
/// officer, the appointed guardian, the referred service provider (and another provider),
/// roles without cases (administrator, auditor, coordinator) and break-glass. Every `404` must
/// be the page of a case that does not exist (ids aside), and no denial shows the person.
#[tokio::test]
async fn authorisation_on_every_page_route() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let Fixture {
            referrer,
            stranger,
            glass,
            decider,
            cpo,
            guardian,
            worker,
            provider,
            other_provider,
            admin,
            auditor,
            coordinator,
            spare_id,
            victim,
            victim_session,
            a,
            c,
            sup,
            sref,
            req,
        } = fixture(&app).await;
        let good_reason = "reason=Fake+emergency%3A+found+at+the+border+at+night";
        // No transfer of any case was offered: every answer to this one is a missing page.
        let ghost_handover = uuid::Uuid::new_v4().to_string();
        // (method, path template, form, [(who, expected status)]). None = no session.
        type Row<'a> = (
            &'a str,
            &'a str,
            Option<&'a str>,
            Vec<(Option<&'a str>, u16)>,
        );
        let table: Vec<Row> = vec![
            (
                "GET",
                "/",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&referrer), 200),
                    (Some(&provider), 200),
                    (Some(&guardian), 200),
                ],
            ),
            ("GET", "/static/harbour.css", None, vec![(None, 200)]),
            ("GET", "/login", None, vec![(None, 200)]),
            // The login form without its own CSRF cookie is asked again before any password
            // check; the second step without a challenge goes back to the login.
            (
                "POST",
                "/login",
                Some("email=ref%40test.invalid&password=wrong"),
                vec![(None, 422)],
            ),
            ("GET", "/login/mfa", None, vec![(None, 303)]),
            ("POST", "/login/mfa", Some("code=123456"), vec![(None, 303)]),
            ("GET", "/login/enrol", None, vec![(None, 303)]),
            ("GET", "/static/webauthn.js", None, vec![(None, 200)]),
            // The key step without a challenge goes back to the login, like the code step.
            (
                "POST",
                "/login/security-key",
                Some("credential_id=AAAA"),
                vec![(None, 303)],
            ),
            (
                "POST",
                "/lang",
                Some("lang=en"),
                vec![(None, 303), (Some(&referrer), 303)],
            ),
            (
                "GET",
                "/cases",
                None,
                vec![
                    (None, 303),
                    (Some(&referrer), 200),
                    (Some(&stranger), 200),
                    (Some(&provider), 200),
                ],
            ),
            (
                "GET",
                "/cases/{adult}",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 404),
                    (Some(&auditor), 404),
                    (Some(&coordinator), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 404),
                    (Some(&guardian), 404),
                    (Some(&provider), 404),
                    (Some(&referrer), 200),
                    (Some(&decider), 200),
                    (Some(&glass), 200),
                ],
            ),
            (
                "GET",
                "/cases/{child}",
                None,
                vec![
                    (Some(&cpo), 200),
                    (Some(&guardian), 200),
                    (Some(&referrer), 200),
                    (Some(&stranger), 404),
                    (Some(&glass), 404),
                    (Some(&provider), 404),
                    (Some(&admin), 404),
                ],
            ),
            (
                "GET",
                "/cases/{supported}",
                None,
                vec![
                    (Some(&worker), 200),
                    (Some(&provider), 404),
                    (Some(&other_provider), 404),
                    (Some(&referrer), 404),
                ],
            ),
            (
                "POST",
                "/cases/{adult}/decisions",
                Some("kind=reasonable_grounds&outcome=positive&reasons=r"),
                vec![
                    (None, 303),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&glass), 404),
                    (Some(&cpo), 404),
                    (Some(&referrer), 422),
                ],
            ),
            (
                "POST",
                "/cases/{child}/guardian",
                Some("guardian=7d0c4a3e-2f55-4c1e-9a57-1d3f7f3e7a10"),
                vec![
                    (None, 303),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&provider), 404),
                    (Some(&referrer), 422),
                    (Some(&guardian), 422),
                ],
            ),
            (
                "POST",
                "/cases/{adult}/closure",
                Some("reason=duplicate"),
                vec![
                    (None, 303),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&glass), 404),
                    (Some(&referrer), 422),
                ],
            ),
            (
                "POST",
                "/cases/{adult}/requests",
                Some("kind=reconsideration&reasons=r"),
                vec![
                    (None, 303),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&glass), 404),
                    (Some(&referrer), 422),
                ],
            ),
            (
                "POST",
                "/cases/{adult}/support",
                Some("form=right&right=legal_aid&status=requested"),
                vec![
                    (None, 303),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&glass), 404),
                    (Some(&provider), 404),
                ],
            ),
            (
                "GET",
                "/cases/{adult}/break-glass",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&coordinator), 403),
                    (Some(&stranger), 200),
                    (Some(&referrer), 200),
                ],
            ),
            (
                "POST",
                "/cases/{adult}/break-glass",
                Some("reason=short"),
                vec![(None, 303), (Some(&admin), 403), (Some(&stranger), 422)],
            ),
            (
                "POST",
                "/cases/{adult}/break-glass",
                Some(good_reason),
                vec![
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 303),
                ],
            ),
            (
                "GET",
                "/referrals/new",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&coordinator), 403),
                    (Some(&referrer), 200),
                ],
            ),
            (
                "POST",
                "/referrals/new",
                Some("step=person"),
                vec![(None, 303), (Some(&admin), 403), (Some(&coordinator), 403)],
            ),
            (
                "GET",
                "/notifications/new",
                None,
                vec![(None, 303), (Some(&admin), 403), (Some(&referrer), 200)],
            ),
            (
                "POST",
                "/notifications",
                Some("age_group=adult&sex=unknown"),
                vec![(None, 303), (Some(&admin), 403), (Some(&auditor), 403)],
            ),
            (
                "GET",
                "/admin",
                None,
                vec![
                    (None, 303),
                    (Some(&referrer), 403),
                    (Some(&auditor), 403),
                    (Some(&admin), 200),
                ],
            ),
            (
                "POST",
                "/admin/organisations",
                Some("name=Fake+New+Org&kind=ngo"),
                vec![
                    (None, 303),
                    (Some(&referrer), 403),
                    (Some(&auditor), 403),
                    (Some(&admin), 303),
                ],
            ),
            (
                "POST",
                "/admin/users",
                Some("email=new%40test.invalid&role=case_worker&password=long+enough+password"),
                vec![(None, 303), (Some(&referrer), 403), (Some(&auditor), 403)],
            ),
            (
                "GET",
                "/audit",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 403),
                    (Some(&referrer), 403),
                    (Some(&auditor), 200),
                ],
            ),
            (
                "GET",
                "/audit?case={adult}",
                None,
                vec![
                    (Some(&admin), 403),
                    (Some(&referrer), 403),
                    (Some(&auditor), 200),
                ],
            ),
            (
                "GET",
                "/tracing",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 403),
                    (Some(&referrer), 403),
                    (Some(&cpo), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "POST",
                "/tracing",
                Some("legal_basis=child_protection_mandate"),
                vec![(None, 303), (Some(&admin), 403), (Some(&referrer), 403)],
            ),
            (
                "GET",
                "/tracing/new",
                None,
                vec![(None, 303), (Some(&admin), 403), (Some(&cpo), 200)],
            ),
            (
                "GET",
                "/tracing/{request}",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 404),
                    (Some(&referrer), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "GET",
                "/service-referrals",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 403),
                    (Some(&referrer), 403),
                    (Some(&provider), 200),
                    (Some(&worker), 200),
                ],
            ),
            (
                "GET",
                "/cases/{supported}/service-referrals/{ref}",
                None,
                vec![
                    (None, 303),
                    (Some(&other_provider), 404),
                    (Some(&stranger), 404),
                    (Some(&referrer), 404),
                    (Some(&admin), 404),
                    (Some(&provider), 200),
                ],
            ),
            (
                "POST",
                "/cases/{supported}/service-referrals/{ref}",
                Some("action=accept"),
                vec![
                    (None, 303),
                    (Some(&other_provider), 404),
                    (Some(&stranger), 404),
                    (Some(&admin), 404),
                    (Some(&provider), 303),
                ],
            ),
            // The second factor: an administrator resets another user's; one's own recovery
            // codes are renewed after a step-up.
            (
                "POST",
                "/admin/users/{user}/second-factor",
                Some(""),
                vec![
                    (None, 303),
                    (Some(&referrer), 403),
                    (Some(&auditor), 403),
                    (Some(&coordinator), 403),
                    (Some(&admin), 303),
                ],
            ),
            (
                "GET",
                "/account/recovery-codes",
                None,
                vec![
                    (None, 303),
                    (Some(&coordinator), 403),
                    (Some(&referrer), 200),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&provider), 403),
                ],
            ),
            (
                "POST",
                "/account/recovery-codes",
                Some("password=wrong&code=000000"),
                vec![
                    (None, 303),
                    (Some(&coordinator), 403),
                    (Some(&guardian), 422),
                ],
            ),
            // The same form answered with a (forged) security key.
            (
                "POST",
                "/account/recovery-codes",
                Some("password=wrong&method=security-key&credential_id=AAAA&client_data_json=AAAA&authenticator_data=AAAA&signature=AAAA"),
                vec![
                    (None, 303),
                    (Some(&coordinator), 403),
                    (Some(&guardian), 422),
                ],
            ),
            // The user's own account: every role has one; another user's session is a missing
            // page, the same as one that does not exist (ASVS 7.5.2).
            (
                "GET",
                "/account",
                None,
                vec![
                    (None, 303),
                    (Some(&referrer), 200),
                    (Some(&stranger), 200),
                    (Some(&decider), 200),
                    (Some(&cpo), 200),
                    (Some(&guardian), 200),
                    (Some(&worker), 200),
                    (Some(&provider), 200),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&coordinator), 200),
                ],
            ),
            (
                "GET",
                "/account/sessions",
                None,
                vec![
                    (None, 303),
                    (Some(&referrer), 200),
                    (Some(&stranger), 200),
                    (Some(&decider), 200),
                    (Some(&cpo), 200),
                    (Some(&guardian), 200),
                    (Some(&worker), 200),
                    (Some(&provider), 200),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&coordinator), 200),
                ],
            ),
            (
                "POST",
                "/account/sessions/{session}/end",
                Some(""),
                vec![
                    (None, 303),
                    (Some(&referrer), 404),
                    (Some(&stranger), 404),
                    (Some(&decider), 404),
                    (Some(&cpo), 404),
                    (Some(&guardian), 404),
                    (Some(&worker), 404),
                    (Some(&provider), 404),
                    (Some(&admin), 404),
                    (Some(&auditor), 404),
                    (Some(&coordinator), 404),
                    (Some(&victim), 303),
                ],
            ),
            (
                "POST",
                "/account/sessions/end-others",
                Some(""),
                vec![
                    (None, 303),
                    (Some(&referrer), 303),
                    (Some(&stranger), 303),
                    (Some(&decider), 303),
                    (Some(&cpo), 303),
                    (Some(&guardian), 303),
                    (Some(&worker), 303),
                    (Some(&provider), 303),
                    (Some(&admin), 303),
                    (Some(&auditor), 303),
                    (Some(&coordinator), 303),
                ],
            ),
            // Security keys: everyone has their own page; nobody removes anyone else's key (an
            // unknown id answers the same); an add without the authenticator's answer is refused.
            (
                "GET",
                "/account/security-keys",
                None,
                vec![
                    (None, 303),
                    (Some(&referrer), 200),
                    (Some(&decider), 200),
                    (Some(&provider), 200),
                    (Some(&admin), 200),
                    (Some(&auditor), 200),
                    (Some(&coordinator), 200),
                ],
            ),
            (
                "POST",
                "/account/security-keys",
                Some("name=Fake+key"),
                vec![(None, 303), (Some(&referrer), 422), (Some(&admin), 422)],
            ),
            (
                "POST",
                "/account/security-keys/{key}/remove",
                Some(""),
                vec![
                    (None, 303),
                    (Some(&referrer), 404),
                    (Some(&decider), 404),
                    (Some(&admin), 404),
                ],
            ),
            (
                "POST",
                "/account/security-notices/acknowledge",
                Some("back=/"),
                vec![
                    (None, 303),
                    (Some(&referrer), 303),
                    (Some(&stranger), 303),
                    (Some(&decider), 303),
                    (Some(&cpo), 303),
                    (Some(&guardian), 303),
                    (Some(&worker), 303),
                    (Some(&provider), 303),
                    (Some(&admin), 303),
                    (Some(&auditor), 303),
                    (Some(&coordinator), 303),
                ],
            ),
            (
                "GET",
                "/statistics",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 403),
                    (Some(&auditor), 403),
                    (Some(&referrer), 403),
                    (Some(&coordinator), 200),
                    (Some(&decider), 200),
                ],
            ),
            (
                "POST",
                "/tracing/{request}/withdraw",
                Some(""),
                vec![
                    (None, 303),
                    (Some(&admin), 404),
                    (Some(&stranger), 404),
                    (Some(&cpo), 303),
                ],
            ),
            // Break-glass through the page: the stranger gets in read-only.
            (
                "POST",
                "/cases/{adult}/break-glass",
                Some(good_reason),
                vec![(Some(&stranger), 303)],
            ),
            ("GET", "/cases/{adult}", None, vec![(Some(&stranger), 200)]),
            (
                "POST",
                "/cases/{adult}/closure",
                Some("reason=duplicate"),
                vec![(Some(&stranger), 404)],
            ),
            // The transfer inbox (issue 5): only roles that hand cases over have one; an answer to
            // a transfer that was not offered to one's organisation is a missing page. A real
            // transfer is accepted in pages.rs::the_transfer_inbox_is_the_receiving_organisations_only.
            (
                "GET",
                "/transfers",
                None,
                vec![
                    (None, 303),
                    (Some(&admin), 403),
                    (Some(&referrer), 403),
                    (Some(&provider), 403),
                    (Some(&worker), 200),
                    (Some(&cpo), 200),
                ],
            ),
            (
                "POST",
                "/cases/{adult}/transfers/{handover}",
                Some("action=accept"),
                vec![
                    (None, 303),
                    (Some(&stranger), 404),
                    (Some(&referrer), 404),
                    (Some(&worker), 404),
                    (Some(&cpo), 404),
                ],
            ),
            (
                "POST",
                "/logout",
                Some(""),
                vec![(None, 303), (Some(&coordinator), 303)],
            ),
            ("GET", "/", None, vec![(Some(&coordinator), 303)]),
        ];

        let covered: BTreeSet<(String, String)> = table
            .iter()
            .map(|(m, p, _, _)| {
                let p = p
                    .replace("{adult}", "{id}")
                    .replace("{child}", "{id}")
                    .replace("{supported}", "{id}")
                    .replace("{request}", "{id}")
                    .replace("{user}", "{id}")
                    .replace("{session}", "{id}")
                    .replace("{key}", "{id}");
                (
                    m.to_string(),
                    p.split('?').next().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let routes = page_routes();
        assert!(
            routes.len() > 30,
            "the page router was not read: {routes:?}"
        );
        for (m, p) in &routes {
            assert!(
                covered.contains(&(m.clone(), p.clone())),
                "page route {m} {p} has no authorisation rows"
            );
        }

        let ids = [&a, &c, &sup, &sref, &req, &victim_session];
        let fill = |template: &str, case: &str, child: &str, s: &str, r: &str, q: &str| {
            template
                .replace("{adult}", case)
                .replace("{child}", child)
                .replace("{supported}", s)
                .replace("{ref}", r)
                .replace("{request}", q)
        };
        let canaries = [
            "Petro",
            "Fakeson",
            "Olena",
            "Kovalenko",
            "Construction site",
        ];
        let names: std::collections::HashMap<&str, &str> = [
            (referrer.as_str(), "referrer (own organisation)"),
            (stranger.as_str(), "stranger (other organisation)"),
            (glass.as_str(), "break-glass holder"),
            (decider.as_str(), "decision maker"),
            (cpo.as_str(), "child protection officer"),
            (guardian.as_str(), "appointed guardian"),
            (worker.as_str(), "case worker"),
            (provider.as_str(), "referred service provider"),
            (other_provider.as_str(), "other service provider"),
            (admin.as_str(), "administrator"),
            (auditor.as_str(), "auditor"),
            (coordinator.as_str(), "coordinator"),
            (
                victim.as_str(),
                "another user of the referrer's organisation",
            ),
        ]
        .into_iter()
        .collect();
        // A security key of nobody (tests/webauthn.rs removes a real one of someone else).
        let ghost_key = uuid::Uuid::new_v4().to_string();
        let mut wrong = vec![];
        for (method, template, form, rows) in &table {
            let path = fill(template, &a, &c, &sup, &sref, &req)
                .replace("{user}", &spare_id)
                .replace("{session}", &victim_session)
                .replace("{handover}", &ghost_handover)
                .replace("{key}", &ghost_key);
            for (who, expected) in rows {
                let (status, body) = page(&app, method, &path, *who, *form).await;
                if status != *expected {
                    let heading = body.split("<h1").nth(1).unwrap_or(&body);
                    wrong.push(format!(
                        "{method} {template} as {}: {status}, expected {expected}: {}",
                        who.map(|t| names[t]).unwrap_or("nobody"),
                        heading.chars().take(160).collect::<String>()
                    ));
                    continue;
                }
                if status == 404 {
                    // The same request for ids that exist nowhere, answered to the same user.
                    let ghost = || uuid::Uuid::new_v4().to_string();
                    let (g1, g2, g3, g4, g5) = (ghost(), ghost(), ghost(), ghost(), ghost());
                    let missing = fill(template, &g1, &g2, &g3, &g4, &g5)
                        .replace("{user}", &g1)
                        .replace("{session}", &g2)
                        .replace("{handover}", &ghost_handover)
                        .replace("{key}", &ghost_key);
                    let (ghost_status, ghost_body) =
                        page(&app, method, &missing, *who, *form).await;
                    let mut shown = body.clone();
                    for id in ids {
                        shown = shown.replace(id.as_str(), "ID");
                    }
                    let mut expected_body = ghost_body;
                    for id in [&g1, &g2, &g3, &g4, &g5] {
                        expected_body = expected_body.replace(id.as_str(), "ID");
                    }
                    assert_eq!(
                        (ghost_status, expected_body),
                        (404, shown),
                        "{method} {template} as {:?}: a denial reveals nothing",
                        who.map(|t| names[t])
                    );
                }
                if matches!(status, 303 | 403 | 404) {
                    for canary in canaries {
                        assert!(
                            !body.contains(canary),
                            "{method} {template} as {:?} answered {status} and shows {canary}",
                            who.map(|t| names[t])
                        );
                    }
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{}: page answers differ from the matrix:\n{}",
            app.backend_name(),
            wrong.join("\n")
        );
        // Lists show only one's own cases (references, never names).
        let reference = |id: &str| id.chars().take(8).collect::<String>().to_uppercase();
        let (_, mine) = page(&app, "GET", "/cases", Some(&referrer), None).await;
        assert!(mine.contains(&reference(&a)) && mine.contains(&reference(&c)));
        let (_, theirs) = page(&app, "GET", "/cases", Some(&stranger), None).await;
        assert!(!theirs.contains(&reference(&a)) && !theirs.contains(&reference(&c)));
        let (_, inbox) = page(
            &app,
            "GET",
            "/service-referrals",
            Some(&other_provider),
            None,
        )
        .await;
        assert!(!inbox.contains(&reference(&sup)));
        app.finish().await;
    }
}
