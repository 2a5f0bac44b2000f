//! Support, rights and justice through the API on every backend: the rights tracker, service
//! referrals with the provider's need-to-know and capacity, support that continues when the
//! person declines to cooperate, closure with open referrals, a child's guardian and best
//! interests before a return, and handovers with consent.

mod common;

use common::*;
use harbour_domain::{OrgKind, Role};
use reqwest::Method;
use serde_json::{json, Value};

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let (s, v, _) = app.send(Method::PUT, path, Some(token), Some(body)).await;
    (s, v)
}

async fn version(app: &TestApp, case: &str, token: &str) -> u64 {
    let (s, v) = app.get(&format!("/api/v1/cases/{case}"), Some(token)).await;
    assert_eq!(s, 200, "{v}");
    v["version"].as_u64().unwrap()
}

fn right<'a>(rights: &'a Value, code: &str) -> &'a Value {
    rights
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["right"] == code)
        .unwrap_or_else(|| panic!("no right {code} in {rights}"))
}

#[tokio::test]
async fn the_rights_tracker_shows_legal_basis_due_days_and_what_is_late() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let ngo = app.org("Fake Support NGO", OrgKind::Ngo).await;
        let (worker, _) = app.user("cw@test.invalid", &ngo, Role::CaseWorker).await;
        let (s, case) = app
            .post(
                "/api/v1/referrals",
                Some(&worker),
                adult_referral("Ion", true),
            )
            .await;
        assert_eq!(s, 201, "{case}");
        let id = case["id"].as_str().unwrap();
        let referred_on = &case["referred_at"].as_str().unwrap()[..10];

        let (s, rights) = app
            .get(&format!("/api/v1/cases/{id}/rights"), Some(&worker))
            .await;
        assert_eq!(s, 200, "{rights}");
        let info = right(&rights, "information");
        assert_eq!(info["legal_basis"], "Conv. 12(1)(d), 15(1)");
        assert_eq!(info["status"], "not_yet_informed");
        assert_eq!(info["due"], referred_on);
        assert_eq!(info["overdue"], false);
        // A child's rights are not listed for an adult.
        assert!(rights
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["right"] != "guardian"));

        app.clock.advance(time::Duration::days(2));
        // Sessions expire meanwhile; log in again.
        let worker = app.login("cw@test.invalid", PASSWORD).await;
        let (_, rights) = app
            .get(&format!("/api/v1/cases/{id}/rights"), Some(&worker))
            .await;
        assert_eq!(right(&rights, "information")["overdue"], true);
        assert_eq!(right(&rights, "recovery_period")["overdue"], true);
        let (_, view) = app.get(&format!("/api/v1/cases/{id}"), Some(&worker)).await;
        assert_eq!(
            view["support"]["rights_overdue"],
            json!(["information", "recovery_period"])
        );

        let (s, rights) = put(
            &app,
            &format!("/api/v1/cases/{id}/rights/information"),
            &worker,
            json!({"status":"informed"}),
        )
        .await;
        assert_eq!(s, 200, "{rights}");
        let info = right(&rights, "information");
        assert_eq!(
            (&info["status"], &info["overdue"]),
            (&json!("informed"), &json!(false))
        );
        assert_eq!(info["history"].as_array().unwrap().len(), 1);

        // Bad input: a specific problem, nothing changed.
        let before = version(&app, id, &worker).await;
        let (s, p) = put(
            &app,
            &format!("/api/v1/cases/{id}/rights/residence_permit"),
            &worker,
            json!({"status":"refused"}),
        )
        .await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["pointer"], "/reason");
        let (s, p) = put(
            &app,
            &format!("/api/v1/cases/{id}/rights/guardian"),
            &worker,
            json!({"status":"granted"}),
        )
        .await;
        assert_eq!(s, 422, "{p}");
        let (s, _) = put(
            &app,
            &format!("/api/v1/cases/{id}/rights/information"),
            &worker,
            json!({"status":"granted","extra":1}),
        )
        .await;
        assert_eq!(s, 422);
        assert_eq!(version(&app, id, &worker).await, before);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_provider_sees_its_referral_only_and_places_follow_acceptance() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let ngo = app.org("Fake Support NGO", OrgKind::Ngo).await;
        let shelter = app.org("Example Safe House", OrgKind::Shelter).await;
        let other = app.org("Other Fake Shelter", OrgKind::Shelter).await;
        let (worker, _) = app.user("cw@test.invalid", &ngo, Role::CaseWorker).await;
        let (provider, _) = app
            .user("sp@test.invalid", &shelter, Role::ServiceProvider)
            .await;
        let (other_provider, _) = app
            .user("osp@test.invalid", &other, Role::ServiceProvider)
            .await;

        let (s, service) = app
            .post(
                "/api/v1/services",
                Some(&provider),
                json!({"kind":"accommodation","name":"Fake safe beds","capacity":1,"languages":["ro","en"],"accepts":["adults"],"regions":["any"]}),
            )
            .await;
        assert_eq!(s, 201, "{service}");
        let sid = service["id"].as_str().unwrap();
        assert_eq!(service["free"], 1);
        let (s, list) = app
            .get(
                "/api/v1/services?kind=accommodation&language=ro&accepts=adults",
                Some(&worker),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (_, none) = app.get("/api/v1/services?language=uk", Some(&worker)).await;
        assert_eq!(none, json!([]));

        let (_, case) = app
            .post(
                "/api/v1/referrals",
                Some(&worker),
                adult_referral("Ion", true),
            )
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        let (s, v) = app
            .post(
                &format!("/api/v1/cases/{id}/needs"),
                Some(&worker),
                json!({"needs":[{"kind":"accommodation","priority":1,"notes":"somewhere quiet, ground floor"}],"priorities":"a bed tonight"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (_, ranked) = app
            .get(
                &format!("/api/v1/cases/{id}/services?need=accommodation"),
                Some(&worker),
            )
            .await;
        assert_eq!(ranked[0]["id"], sid);

        // Consent is required.
        let before = version(&app, &id, &worker).await;
        let (s, p) = app
            .post(
                &format!("/api/v1/cases/{id}/service-referrals"),
                Some(&worker),
                json!({"service_id": sid, "need":"accommodation"}),
            )
            .await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["pointer"], "/consent/informed_consent");
        assert_eq!(version(&app, &id, &worker).await, before);
        let (s, r) = app
            .post(
                &format!("/api/v1/cases/{id}/service-referrals"),
                Some(&worker),
                json!({"service_id": sid, "need":"accommodation","consent":{"informed_consent":true}}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
        assert_eq!(r["status"], "referred");
        let rid = r["id"].as_str().unwrap().to_string();

        // Need-to-know: the provider cannot read the case, only its referral.
        let (s, _) = app
            .get(&format!("/api/v1/cases/{id}"), Some(&provider))
            .await;
        assert_eq!(s, 404);
        for part in ["rights", "events", "services"] {
            let (s, _) = app
                .get(&format!("/api/v1/cases/{id}/{part}"), Some(&provider))
                .await;
            assert_eq!(s, 404, "{part}");
        }
        let (s, _) = app
            .post(
                &format!("/api/v1/cases/{id}/needs"),
                Some(&provider),
                json!({"needs":[{"kind":"accommodation"}]}),
            )
            .await;
        assert_eq!(s, 404);
        let (s, mine) = app
            .get(
                &format!("/api/v1/cases/{id}/service-referrals/{rid}"),
                Some(&provider),
            )
            .await;
        assert_eq!(s, 200, "{mine}");
        assert_eq!(mine["need_notes"], "somewhere quiet, ground floor");
        assert_eq!(mine["languages"], json!(["ro"]));
        let text = mine.to_string();
        for secret in ["Fakeson", "Ion", "Construction site", "summary", "names"] {
            assert!(
                !text.contains(secret),
                "provider view leaks {secret}: {text}"
            );
        }
        let (s, _) = app
            .get(
                &format!("/api/v1/cases/{id}/service-referrals/{rid}"),
                Some(&other_provider),
            )
            .await;
        assert_eq!(s, 404);
        let (s, _) = app
            .post(
                &format!("/api/v1/cases/{id}/service-referrals/{rid}/accept"),
                Some(&other_provider),
                json!({}),
            )
            .await;
        assert_eq!(s, 404);
        let (_, inbox) = app.get("/api/v1/service-referrals", Some(&provider)).await;
        assert_eq!(inbox[0]["id"], rid.as_str());

        // The person declines to cooperate: support goes on.
        let (s, v) = put(
            &app,
            &format!("/api/v1/cases/{id}/justice"),
            &worker,
            json!({"cooperation":"declined","compensation":[{"from":"state","claimed":{"amount_minor":250000,"currency":"eur"}}]}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            v["support"]["justice"]["compensation"][0]["claimed"]["currency"],
            "EUR"
        );
        // Some time passes before the provider accepts (within the 30-minute idle limit of the
        // sessions the test logged in with).
        app.clock.advance(time::Duration::minutes(20));
        let (s, accepted) = app
            .post(
                &format!("/api/v1/cases/{id}/service-referrals/{rid}/accept"),
                Some(&provider),
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{accepted}");
        assert_eq!(accepted["status"], "accepted");
        assert!(accepted["accepted_at"].is_string());
        let (_, list) = app
            .get("/api/v1/services?kind=accommodation", Some(&worker))
            .await;
        assert_eq!(list[0]["free"], 0);

        // A second person: the full service is refused, nothing changes.
        let (_, second) = app
            .post(
                "/api/v1/referrals",
                Some(&worker),
                adult_referral("Vasile", true),
            )
            .await;
        let id2 = second["id"].as_str().unwrap().to_string();
        app.post(
            &format!("/api/v1/cases/{id2}/needs"),
            Some(&worker),
            json!({"needs":[{"kind":"accommodation"}]}),
        )
        .await;
        let (_, ranked) = app
            .get(&format!("/api/v1/cases/{id2}/services"), Some(&worker))
            .await;
        assert_eq!(ranked, json!([]), "a full service is not offered");
        let before = version(&app, &id2, &worker).await;
        let (s, p) = app
            .post(
                &format!("/api/v1/cases/{id2}/service-referrals"),
                Some(&worker),
                json!({"service_id": sid, "need":"accommodation","consent":{"informed_consent":true}}),
            )
            .await;
        assert_eq!(s, 409, "{p}");
        assert_eq!(p["type"], "/problems/service-unsuitable");
        assert_eq!(version(&app, &id2, &worker).await, before);

        // Closing with the accepted referral open needs a word on it.
        let before = version(&app, &id, &worker).await;
        let (s, p) = app
            .post(
                &format!("/api/v1/cases/{id}/close"),
                Some(&worker),
                json!({"reason":"integrated"}),
            )
            .await;
        assert_eq!(s, 409, "{p}");
        assert_eq!(p["type"], "/problems/open-service-referrals");
        assert_eq!(version(&app, &id, &worker).await, before);
        let (s, closed) = app
            .post(
                &format!("/api/v1/cases/{id}/close"),
                Some(&worker),
                json!({"reason":"integrated","open_referrals":"withdraw"}),
            )
            .await;
        assert_eq!(s, 200, "{closed}");
        assert_eq!(closed["status"], "closed");
        assert_eq!(
            closed["support"]["service_referrals"][0]["status"],
            "withdrawn"
        );
        let (_, list) = app
            .get("/api/v1/services?kind=accommodation", Some(&worker))
            .await;
        assert_eq!(list[0]["free"], 1, "the place is freed");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_provider_declines_with_a_reason_and_completes_to_free_the_place() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let ngo = app.org("Fake Support NGO", OrgKind::Ngo).await;
        let clinic = app.org("Fake Counselling Centre", OrgKind::Health).await;
        let (worker, _) = app.user("cw@test.invalid", &ngo, Role::CaseWorker).await;
        let (provider, _) = app
            .user("sp@test.invalid", &clinic, Role::ServiceProvider)
            .await;
        let (_, service) = app
            .post(
                "/api/v1/services",
                Some(&provider),
                json!({"kind":"psychological","name":"Fake counselling","capacity":2,"languages":["ro"],"accepts":["adults","children"]}),
            )
            .await;
        let sid = service["id"].as_str().unwrap();
        let (_, case) = app
            .post(
                "/api/v1/referrals",
                Some(&worker),
                adult_referral("Ion", true),
            )
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        app.post(
            &format!("/api/v1/cases/{id}/needs"),
            Some(&worker),
            json!({"needs":[{"kind":"psychological"}]}),
        )
        .await;
        let referrals = format!("/api/v1/cases/{id}/service-referrals");
        let body =
            json!({"service_id": sid, "need":"psychological","consent":{"informed_consent":true}});
        let refer = || app.post(&referrals, Some(&worker), body.clone());
        let (_, r1) = refer().await;
        let r1 = r1["id"].as_str().unwrap().to_string();
        let path = |r: &str, step: &str| format!("/api/v1/cases/{id}/service-referrals/{r}/{step}");
        let (s, p) = app
            .post(&path(&r1, "decline"), Some(&provider), json!({}))
            .await;
        assert_eq!(s, 422, "{p}");
        let (s, v) = app
            .post(
                &path(&r1, "decline"),
                Some(&provider),
                json!({"reason":"no Romanian-speaking counsellor this month"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            v["decline_reason"],
            "no Romanian-speaking counsellor this month"
        );
        let (s, _) = app
            .post(&path(&r1, "accept"), Some(&provider), json!({}))
            .await;
        assert_eq!(s, 409, "a declined referral is not accepted later");

        let (_, r2) = refer().await;
        let r2 = r2["id"].as_str().unwrap().to_string();
        // The caseworker is not the provider.
        let (s, _) = app
            .post(&path(&r2, "accept"), Some(&worker), json!({}))
            .await;
        assert_eq!(s, 404);
        for step in ["accept", "start"] {
            let (s, v) = app.post(&path(&r2, step), Some(&provider), json!({})).await;
            assert_eq!(s, 200, "{step}: {v}");
        }
        let (_, list) = app.get("/api/v1/services", Some(&worker)).await;
        assert_eq!(list[0]["free"], 1);
        let (s, v) = app
            .post(&path(&r2, "complete"), Some(&provider), json!({}))
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["status"], "completed");
        let (_, list) = app.get("/api/v1/services", Some(&worker)).await;
        assert_eq!(list[0]["free"], 2);

        // Three referred while places were free; the third acceptance finds the service full.
        let mut waiting = vec![];
        for _ in 0..3 {
            let (s, r) = refer().await;
            assert_eq!(s, 201, "{r}");
            waiting.push(r["id"].as_str().unwrap().to_string());
        }
        for r in &waiting[..2] {
            let (s, v) = app
                .post(&path(r, "accept"), Some(&provider), json!({}))
                .await;
            assert_eq!(s, 200, "{v}");
        }
        let before = version(&app, &id, &worker).await;
        let (s, p) = app
            .post(&path(&waiting[2], "accept"), Some(&provider), json!({}))
            .await;
        assert_eq!(s, 409, "{p}");
        assert_eq!(p["type"], "/problems/service-unsuitable");
        assert_eq!(version(&app, &id, &worker).await, before);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_child_gets_a_named_guardian_and_no_return_without_a_determination() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let cp = app
            .org("Fake Child Protection", OrgKind::ChildProtection)
            .await;
        let (cpo, _) = app
            .user("cpo@test.invalid", &cp, Role::ChildProtectionOfficer)
            .await;
        let (_, case) = app
            .post("/api/v1/referrals", Some(&cpo), child_referral())
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        assert!(case["alerts"].to_string().contains("guardian_missing"));

        let (s, v) = app
            .post(
                &format!("/api/v1/cases/{id}/guardian"),
                Some(&cpo),
                json!({"name":"Fake Guardian","organisation":"Fake Guardianship Office"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert!(!v["alerts"].to_string().contains("guardian_missing"));
        assert_eq!(
            v["support"]["named_guardian"]["organisation"],
            "Fake Guardianship Office"
        );
        let (_, rights) = app
            .get(&format!("/api/v1/cases/{id}/rights"), Some(&cpo))
            .await;
        assert_eq!(right(&rights, "guardian")["status"], "granted");
        // The old shape still works and a half of the new one is refused.
        let (s, _) = app
            .post(
                &format!("/api/v1/cases/{id}/guardian"),
                Some(&cpo),
                json!({"name":"Only a name"}),
            )
            .await;
        assert_eq!(s, 422);

        let ret =
            json!({"kind":"return","country":"UA","risk_assessment":"family traced and safe"});
        let before = version(&app, &id, &cpo).await;
        let (s, p) = put(
            &app,
            &format!("/api/v1/cases/{id}/durable-solution"),
            &cpo,
            ret.clone(),
        )
        .await;
        assert_eq!(s, 409, "{p}");
        assert_eq!(p["type"], "/problems/best-interests-determination-required");
        assert_eq!(version(&app, &id, &cpo).await, before);

        let (s, v) = app
            .post(
                &format!("/api/v1/cases/{id}/best-interests"),
                Some(&cpo),
                json!({"kind":"determination","child_views":"wants to go home to her cousin","conclusion":"return with support","return_in_best_interests":true}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = put(
            &app,
            &format!("/api/v1/cases/{id}/durable-solution"),
            &cpo,
            ret,
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["support"]["durable_solution"]["kind"], "return");
        let (s, v) = app
            .post(
                &format!("/api/v1/cases/{id}/family-tracing"),
                Some(&cpo),
                json!({"requested":true}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(v["support"]["family_tracing_requested"], true);
        app.finish().await;
    }
}

#[tokio::test]
async fn handovers_check_consent_and_a_transfer_moves_ownership_on_acceptance() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let a = app.org("Fake NGO A", OrgKind::Ngo).await;
        let b = app.org("Fake NGO B", OrgKind::Ngo).await;
        let c = app.org("Fake Legal Aid C", OrgKind::LegalAid).await;
        let (officer, _) = app
            .user("po@test.invalid", &police, Role::FirstResponder)
            .await;
        let (wa, _) = app.user("a@test.invalid", &a, Role::CaseWorker).await;
        let (_, colleague) = app.user("a2@test.invalid", &a, Role::CaseWorker).await;
        let (wb, _) = app.user("b@test.invalid", &b, Role::CaseWorker).await;
        let (wc, _) = app.user("c@test.invalid", &c, Role::CaseWorker).await;
        // NGO A refers, so it owns the case; the police officer only reads cases they referred.
        let (_, case) = app
            .post("/api/v1/referrals", Some(&wa), adult_referral("Ion", true))
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        let transfers = format!("/api/v1/cases/{id}/transfers");

        let (s, _) = app
            .post(
                &transfers,
                Some(&officer),
                json!({"kind":"refer","to_org": c.id,"purpose":"legal aid","person_consents":true}),
            )
            .await;
        assert_eq!(s, 404, "not a party, not told the case exists");
        let before = version(&app, &id, &wa).await;
        let (s, p) = app
            .post(
                &transfers,
                Some(&wa),
                json!({"kind":"transfer","to_org": b.id,"purpose":"specialised shelter"}),
            )
            .await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["pointer"], "/person_consents");
        assert_eq!(version(&app, &id, &wa).await, before);

        // Assign within the organisation.
        let (s, v) = app
            .post(
                &transfers,
                Some(&wa),
                json!({"kind":"assign","to_user": colleague.user.id,"purpose":"holiday cover"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["support"]["assigned_to"], colleague.user.id.to_string());

        // Refer: C gets shared access, A keeps the case.
        let (s, _) = app.get(&format!("/api/v1/cases/{id}"), Some(&wc)).await;
        assert_eq!(s, 404);
        let (s, _) = app
            .post(
                &transfers,
                Some(&wa),
                json!({"kind":"refer","to_org": c.id,"purpose":"legal aid","person_consents":true}),
            )
            .await;
        assert_eq!(s, 201);
        let (s, _) = app.get(&format!("/api/v1/cases/{id}"), Some(&wc)).await;
        assert_eq!(s, 200);
        let (s, _) = app
            .post(
                &transfers,
                Some(&wc),
                json!({"kind":"refer","to_org": b.id,"purpose":"x","person_consents":true}),
            )
            .await;
        assert_eq!(s, 403, "shared access does not hand the case on");

        // Transfer: B sees nothing until it accepts, then owns the case.
        let (s, v) = app
            .post(&transfers, Some(&wa), json!({"kind":"transfer","to_org": b.id,"purpose":"specialised shelter","person_consents":true}))
            .await;
        assert_eq!(s, 201, "{v}");
        let h = v["support"]["handovers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["kind"] == "transfer")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (s, _) = app.get(&format!("/api/v1/cases/{id}"), Some(&wb)).await;
        assert_eq!(s, 404);
        // B's transfer inbox lists it (ids, the offering organisation, the date); C's does not.
        let (s, inbox) = app.get("/api/v1/transfers", Some(&wb)).await;
        assert_eq!(s, 200, "{inbox}");
        assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");
        assert_eq!(inbox[0]["id"], h.as_str());
        assert_eq!(inbox[0]["case_id"], id.as_str());
        assert_eq!(inbox[0]["from_org_name"], "Fake NGO A");
        assert!(
            inbox[0].get("purpose").is_none(),
            "the inbox shows nothing of the case"
        );
        let (_, inbox_c) = app.get("/api/v1/transfers", Some(&wc)).await;
        assert_eq!(inbox_c, json!([]));
        let (s, _) = app.get("/api/v1/transfers", Some(&officer)).await;
        assert_eq!(s, 403, "a first responder answers no transfers");
        let (s, _) = app
            .post(&format!("{transfers}/{h}/accept"), Some(&wc), json!({}))
            .await;
        assert_eq!(s, 404, "only the recipient answers");
        let (s, v) = app
            .post(&format!("{transfers}/{h}/accept"), Some(&wb), json!({}))
            .await;
        assert_eq!(s, 200, "{v}");
        let (s, _) = app.get(&format!("/api/v1/cases/{id}"), Some(&wb)).await;
        assert_eq!(s, 200);
        let (s, _) = app
            .post(&format!("{transfers}/{h}/accept"), Some(&wb), json!({}))
            .await;
        assert_eq!(s, 404, "answered once");
        let (_, inbox) = app.get("/api/v1/transfers", Some(&wb)).await;
        assert_eq!(inbox, json!([]), "answered: no longer waiting");
        // A referred the case, so it still reads it, but it no longer owns it.
        let (s, _) = app
            .post(
                &transfers,
                Some(&wa),
                json!({"kind":"refer","to_org": police.id,"purpose":"x","person_consents":true}),
            )
            .await;
        assert_eq!(s, 403);
        let (s, events) = app
            .get(&format!("/api/v1/cases/{id}/events"), Some(&wb))
            .await;
        assert_eq!(s, 200);
        let kinds: Vec<&str> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"]["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == "handover_recorded").count(),
            3
        );
        assert!(kinds.contains(&"transfer_answered"));
        app.finish().await;
    }
}

#[tokio::test]
async fn case_lists_count_late_rights_and_filter_on_them() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let ngo = app.org("Fake Support NGO", OrgKind::Ngo).await;
        let (worker, _) = app.user("cw@test.invalid", &ngo, Role::CaseWorker).await;
        let (_, late) = app
            .post(
                "/api/v1/referrals",
                Some(&worker),
                adult_referral("Ion", true),
            )
            .await;
        let late = late["id"].as_str().unwrap().to_string();
        let (_, kept) = app
            .post(
                "/api/v1/referrals",
                Some(&worker),
                adult_referral("Petru", true),
            )
            .await;
        let kept = kept["id"].as_str().unwrap().to_string();
        // The second case gets its information and recovery period in time.
        for right in ["information", "recovery_period"] {
            let (s, v) = put(
                &app,
                &format!("/api/v1/cases/{kept}/rights/{right}"),
                &worker,
                json!({"status":"waived"}),
            )
            .await;
            assert_eq!(s, 200, "{v}");
        }
        let count = |list: &Value, id: &str| {
            list["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
                .map(|c| c["rights_overdue"].clone())
        };
        let (_, list) = app.get("/api/v1/cases", Some(&worker)).await;
        assert_eq!(
            count(&list, &late),
            Some(json!(0)),
            "nothing is late on the day"
        );

        // Two days on, nothing written since: the list counts against the clock.
        app.clock.advance(time::Duration::days(2));
        let worker = app.login("cw@test.invalid", PASSWORD).await;
        let (_, list) = app.get("/api/v1/cases", Some(&worker)).await;
        assert_eq!(count(&list, &late), Some(json!(2)), "{list}");
        assert_eq!(count(&list, &kept), Some(json!(0)));
        let alerts = list["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == late.as_str())
            .unwrap()["alerts"]
            .clone();
        assert!(alerts
            .as_array()
            .unwrap()
            .contains(&json!("rights_overdue")));
        let (s, only) = app
            .get("/api/v1/cases?rights_overdue=true", Some(&worker))
            .await;
        assert_eq!(s, 200, "{only}");
        let ids: Vec<&str> = only["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![late.as_str()]);

        // Recording one right rewrites the projection in the same change.
        put(
            &app,
            &format!("/api/v1/cases/{late}/rights/information"),
            &worker,
            json!({"status":"informed"}),
        )
        .await;
        let (_, list) = app.get("/api/v1/cases", Some(&worker)).await;
        assert_eq!(count(&list, &late), Some(json!(1)));

        let (s, p) = app
            .get("/api/v1/cases?rights_overdue=soon", Some(&worker))
            .await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["pointer"], "/query/rights_overdue");
        app.finish().await;
    }
}

#[tokio::test]
async fn national_rights_join_the_tracker_with_their_deadlines() {
    let app = TestApp::start(&Backend::Sqlite).await;
    let ngo = app.org("Fake Support NGO", OrgKind::Ngo).await;
    let (worker, actor) = app.user("cw@test.invalid", &ngo, Role::CaseWorker).await;
    let (_, case) = app
        .post(
            "/api/v1/referrals",
            Some(&worker),
            adult_referral("Ion", true),
        )
        .await;
    let id: harbour_domain::CaseId = case["id"].as_str().unwrap().parse().unwrap();
    let national = app
        .harbour
        .clone()
        .with_national_rights(
            "[[right]]\ncode = \"fake_housing_allowance\"\nname = \"Fakeland housing allowance\"\nlegal_basis = \"Fakeland Act 12\"\napplies_to = \"adults\"\ndue_days = 3\n\n[[due]]\nright = \"information\"\ndays = 2\n",
        )
        .unwrap();
    let rights = national.case_rights(&actor, id, None).await.unwrap();
    let added = rights
        .iter()
        .find(|r| r.right == "fake_housing_allowance")
        .unwrap();
    assert_eq!(added.legal_basis, "Fakeland Act 12");
    assert!(added.due.is_some());
    app.clock.advance(time::Duration::days(2));
    let rights = national.case_rights(&actor, id, None).await.unwrap();
    let late: Vec<&str> = rights
        .iter()
        .filter(|r| r.overdue)
        .map(|r| r.right.as_str())
        .collect();
    assert_eq!(
        late,
        vec!["recovery_period"],
        "information is now due on day 2, housing on day 3"
    );
    assert!(app
        .harbour
        .clone()
        .with_national_rights("[[due]]\nright = \"no_such_right\"\ndays = 1\n")
        .is_err());
    app.finish().await;
}
