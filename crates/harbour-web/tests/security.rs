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

/// Every route × role × relationship to the case: allowed, or denied without revealing anything.
/// A route missing from this table fails the test, so a new route arrives with its rows.
#[tokio::test]
async fn authorisation_on_every_route() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let other = app.org("Other Fake Police", OrgKind::Police).await;
        let authority = app.org("Fake Authority", OrgKind::CompetentAuthority).await;
        let cp = app
            .org("Fake Child Protection", OrgKind::ChildProtection)
            .await;
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
        let (decider, _) = app
            .user("dec@test.invalid", &authority, Role::DecisionMaker)
            .await;
        let (cpo, _) = app
            .user("cpo@test.invalid", &cp, Role::ChildProtectionOfficer)
            .await;
        let (admin, _) = app.user("adm@test.invalid", &office, Role::Admin).await;
        let (auditor, _) = app.user("aud@test.invalid", &office, Role::Auditor).await;
        let (coordinator, _) = app
            .user("coo@test.invalid", &coord, Role::Coordinator)
            .await;
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
        let (_, request) = app
            .post(
                "/api/v1/tracing-requests",
                Some(&cpo),
                tracing_request_body(),
            )
            .await;
        let r = request["id"].as_str().unwrap().to_string();

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
                .replace("{request}", &r);
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
