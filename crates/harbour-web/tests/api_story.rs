//! The case spine through the real HTTP API on a real database, on every backend: organisations
//! and users, referral of an adult and a child, decisions, reads, denials, and the journal.

mod common;

use common::*;
use harbour_domain::{OrgKind, Role};
use serde_json::json;
use time::Duration;

#[tokio::test]
async fn the_case_spine_story_on_every_backend() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        story(&app).await;
        app.finish().await;
    }
}

async fn story(app: &TestApp) {
    let be = app.backend_name();
    let border = app.org("Fake Border Post", OrgKind::BorderGuard).await;
    let ngo = app.org("Fake NGO", OrgKind::Ngo).await;
    let authority = app
        .org("Fake Competent Authority", OrgKind::CompetentAuthority)
        .await;
    let childprot = app
        .org("Fake Child Protection", OrgKind::ChildProtection)
        .await;
    let guardianship = app
        .org("Fake Guardianship", OrgKind::GuardianshipAuthority)
        .await;
    let (responder, _) = app
        .user("responder@test.invalid", &border, Role::FirstResponder)
        .await;
    let (worker, _) = app
        .user("worker@test.invalid", &ngo, Role::CaseWorker)
        .await;
    let (mut decider, _) = app
        .user("decider@test.invalid", &authority, Role::DecisionMaker)
        .await;
    let (mut cpo, _) = app
        .user("cpo@test.invalid", &childprot, Role::ChildProtectionOfficer)
        .await;
    let (mut guardian_token, guardian) = app
        .user("guardian@test.invalid", &guardianship, Role::Guardian)
        .await;

    // Wrong password and unknown account look the same.
    let (s, wrong) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email":"responder@test.invalid","password":"nope nope nope"}),
        )
        .await;
    assert_eq!(s, 401, "{be}");
    let (s, unknown) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email":"ghost@test.invalid","password":"nope nope nope"}),
        )
        .await;
    assert_eq!(s, 401);
    assert_eq!(
        wrong, unknown,
        "{be}: a login failure must not reveal whether the account exists"
    );

    // An adult without consent: refused, with the field named, and nothing written.
    let (s, p) = app
        .post(
            "/api/v1/referrals",
            Some(&responder),
            adult_referral("Ivan", false),
        )
        .await;
    assert_eq!(s, 422, "{be}: {p}");
    assert_eq!(p["type"], "/problems/consent-required");
    assert_eq!(p["errors"][0]["pointer"], "/consent/nrm_referral");
    // The same adult with consent.
    let (s, adult) = app
        .post(
            "/api/v1/referrals",
            Some(&responder),
            adult_referral("Ivan", true),
        )
        .await;
    assert_eq!(s, 201, "{be}: {adult}");
    assert_eq!(adult["status"], "awaiting_reasonable_grounds");
    assert_eq!(adult["minority"], "adult");
    assert_eq!(
        adult["deadlines"]["reasonable_grounds_due"], "2026-11-30",
        "5 working days from Monday 23 November"
    );
    assert_eq!(adult["alerts"], json!([]));
    let adult_id = adult["id"].as_str().unwrap().to_string();

    // The contract's child example: age 15–19 → presumed child, referred without consent.
    let (s, child) = app
        .post("/api/v1/referrals", Some(&responder), child_referral())
        .await;
    assert_eq!(s, 201, "{be}: {child}");
    assert_eq!(child["minority"], "presumed_child");
    assert_eq!(child["child_views"], "Wants to stay with her cousin");
    let codes: Vec<&str> = child["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"guardian_missing"), "{codes:?}");
    assert!(codes.contains(&"age_assessment_pending"), "{codes:?}");
    assert!(child["recovery_period"].is_null());
    let child_id = child["id"].as_str().unwrap().to_string();

    // Need-to-know: the NGO has no relationship with either case, so they do not exist for it.
    let (s, p) = app
        .get(&format!("/api/v1/cases/{adult_id}"), Some(&worker))
        .await;
    assert_eq!(s, 404, "{be}");
    let (s2, p2) = app
        .get(
            &format!("/api/v1/cases/{}", uuid::Uuid::new_v4()),
            Some(&worker),
        )
        .await;
    assert_eq!(
        (s, &p),
        (s2, &p2),
        "a case you may not see is indistinguishable from no case"
    );
    let (s, list) = app.get("/api/v1/cases", Some(&worker)).await;
    assert_eq!(s, 200);
    assert_eq!(list["cases"], json!([]));
    // Child protection sees the child (lead agency for every child), not the adult.
    assert_eq!(
        app.get(&format!("/api/v1/cases/{child_id}"), Some(&cpo))
            .await
            .0,
        200,
        "{be}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/cases/{adult_id}"), Some(&cpo))
            .await
            .0,
        404
    );
    // The guardian sees nothing until appointed.
    assert_eq!(
        app.get(&format!("/api/v1/cases/{child_id}"), Some(&guardian_token))
            .await
            .0,
        404
    );

    // A first responder may not decide: 403, and nothing is written.
    let before = app
        .get(
            &format!("/api/v1/cases/{adult_id}/events"),
            Some(&responder),
        )
        .await
        .1
        .as_array()
        .unwrap()
        .len();
    let (s, p) = app
        .post(
            &format!("/api/v1/cases/{adult_id}/decisions"),
            Some(&responder),
            json!({"kind":"reasonable_grounds","outcome":"positive","reasons":"x"}),
        )
        .await;
    assert_eq!(s, 403, "{be}: {p}");
    assert_eq!(p["type"], "/problems/forbidden");
    let after = app
        .get(
            &format!("/api/v1/cases/{adult_id}/events"),
            Some(&responder),
        )
        .await
        .1
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);

    // Reasons are mandatory.
    let (s, p) = app
        .post(
            &format!("/api/v1/cases/{adult_id}/decisions"),
            Some(&decider),
            json!({"kind":"reasonable_grounds","outcome":"positive","reasons":" "}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["pointer"], "/reasons");

    // The decision maker decides: recovery period of 30 days. (Sessions last 8 hours, so
    // whoever acts after days have passed logs in again.)
    app.clock.advance(Duration::days(2));
    decider = app.login("decider@test.invalid", PASSWORD).await;
    cpo = app.login("cpo@test.invalid", PASSWORD).await;
    guardian_token = app.login("guardian@test.invalid", PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&responder)).await.0,
        401,
        "{be}: an expired session is refused"
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/cases/{adult_id}/decisions"),
            Some(&decider),
            json!({"kind":"reasonable_grounds","outcome":"positive","reasons":"credible account, indicators of coercion"}),
        )
        .await;
    assert_eq!(s, 200, "{be}: {v}");
    assert_eq!(v["status"], "recovery_period");
    assert_eq!(
        v["recovery_period"],
        json!({"start":"2026-11-25","end":"2026-12-25"})
    );

    // A conclusive decision during the recovery period: refused with the end date.
    let (s, p) = app
        .post(
            &format!("/api/v1/cases/{adult_id}/decisions"),
            Some(&decider),
            json!({"kind":"conclusive_grounds","outcome":"positive","reasons":"x"}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    assert_eq!(p["type"], "/problems/recovery-period-not-over");
    assert!(p["detail"].as_str().unwrap().contains("2026-12-25"), "{p}");

    // Child safeguards: child protection appoints the guardian and records the age assessment.
    let (s, v) = app
        .post(
            &format!("/api/v1/cases/{child_id}/guardian"),
            Some(&cpo),
            json!({"guardian": guardian.user.id}),
        )
        .await;
    assert_eq!(s, 200, "{be}: {v}");
    assert_eq!(
        app.get(&format!("/api/v1/cases/{child_id}"), Some(&guardian_token))
            .await
            .0,
        200,
        "the appointed guardian now sees the case"
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/cases/{child_id}/decisions"),
            Some(&cpo),
            json!({"kind":"age_assessment","outcome":"child","method":"multidisciplinary assessment","reasons":"school records"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["minority"], "child");
    assert_eq!(
        v["alerts"],
        json!([]),
        "guardian appointed and age assessed: no child alert left"
    );

    // Time passes: the list shows what is late.
    app.clock.advance(Duration::days(6));
    decider = app.login("decider@test.invalid", PASSWORD).await;
    let (_, overdue) = app.get("/api/v1/cases?overdue=true", Some(&decider)).await;
    let ids: Vec<&str> = overdue["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![child_id.as_str()],
        "{be}: the child's RG decision is overdue; the adult is in recovery"
    );
    let (_, rp) = app
        .get("/api/v1/cases?status=recovery_period", Some(&decider))
        .await;
    assert_eq!(rp["cases"].as_array().unwrap().len(), 1);
    // Oldest first pages the other way (both were referred in the same instant: ids break the tie).
    let ids_of = |v: &serde_json::Value| -> Vec<String> {
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, newest) = app.get("/api/v1/cases", Some(&decider)).await;
    let (_, oldest) = app
        .get("/api/v1/cases?order=oldest&limit=1", Some(&decider))
        .await;
    let next = oldest["next"].as_str().unwrap();
    let (_, second) = app
        .get(
            &format!("/api/v1/cases?order=oldest&limit=1&after={next}"),
            Some(&decider),
        )
        .await;
    let mut paged = [ids_of(&oldest), ids_of(&second)].concat();
    paged.reverse();
    assert_eq!(paged, ids_of(&newest));
    let (s, p) = app.get("/api/v1/cases?status=lost", Some(&decider)).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["pointer"], "/query/status");

    // After the recovery period, the conclusive decision.
    app.clock.advance(Duration::days(30));
    decider = app.login("decider@test.invalid", PASSWORD).await;
    let responder = app.login("responder@test.invalid", PASSWORD).await;
    let (_, v) = app
        .get(&format!("/api/v1/cases/{adult_id}"), Some(&decider))
        .await;
    assert_eq!(v["status"], "awaiting_conclusive_grounds");
    let (s, v) = app
        .post(&format!("/api/v1/cases/{adult_id}/decisions"), Some(&decider), json!({"kind":"conclusive_grounds","outcome":"positive","reasons":"balance of probabilities"}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "identified");

    // The timeline is the journal.
    let (_, events) = app
        .get(&format!("/api/v1/cases/{adult_id}/events"), Some(&decider))
        .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "referral_received",
            "reasonable_grounds_decided",
            "conclusive_grounds_decided"
        ]
    );

    // Anonymous notification for an adult who does not consent: counted, nothing identifying accepted.
    let (s, _) = app.post("/api/v1/anonymous-notifications", Some(&responder), json!({"sex":"female","age_group":"adult","nationality":"ua","exploitation_forms":["sexual"]})).await;
    assert_eq!(s, 201);
    let (s, p) = app
        .post(
            "/api/v1/anonymous-notifications",
            Some(&responder),
            json!({"age_group":"adult","name":"Someone"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        p["errors"][0]["pointer"], "/name",
        "identifying fields are refused by name"
    );
    let (s, p) = app
        .post(
            "/api/v1/anonymous-notifications",
            Some(&responder),
            json!({"age_group":"child"}),
        )
        .await;
    assert_eq!(s, 422, "a child is referred, never only notified: {p}");
    assert_eq!(app.store.count_anonymous_notifications().await.unwrap(), 1);

    // Every read and write of the adult's case is in its access log, readable by auditors only.
    let auditors = app.org("Fake Audit Office", OrgKind::Other).await;
    let (auditor, _) = app
        .user("auditor@test.invalid", &auditors, Role::Auditor)
        .await;
    assert_eq!(
        app.get(
            &format!("/api/v1/cases/{adult_id}/access-log"),
            Some(&decider)
        )
        .await
        .0,
        403
    );
    let (s, log) = app
        .get(
            &format!("/api/v1/cases/{adult_id}/access-log"),
            Some(&auditor),
        )
        .await;
    assert_eq!(s, 200);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.first(), Some(&"refer"));
    assert!(
        actions.contains(&"decide")
            && actions.contains(&"read")
            && actions.contains(&"read_events"),
        "{actions:?}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/cases/{adult_id}"), Some(&auditor))
            .await
            .0,
        404,
        "auditors read logs, not cases"
    );

    // The journals verify.
    let report = harbour_service::audit::verify_journals(app.store.as_ref())
        .await
        .unwrap();
    assert_eq!(report.cases, 2);
}

#[tokio::test]
async fn bad_input_gets_a_specific_problem_and_changes_nothing() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let org = app.org("Fake Police", OrgKind::Police).await;
        let (t, _) = app.user("p@test.invalid", &org, Role::FirstResponder).await;
        let (s, p) = app
            .post_raw("/api/v1/referrals", &t, "application/json", "{\"person\": ")
            .await;
        assert_eq!(s, 400, "{p}");
        assert_eq!(p["type"], "/problems/malformed-json");
        let (s, p) = app
            .post_raw("/api/v1/referrals", &t, "text/plain", "{}")
            .await;
        assert_eq!(s, 415, "{p}");
        let mut body = child_referral();
        body["person"]["favourite_colour"] = json!("blue");
        let (s, p) = app.post("/api/v1/referrals", Some(&t), body).await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["pointer"], "/person/favourite_colour");
        assert!(
            p["detail"].as_str().unwrap().contains("unknown field"),
            "{p}"
        );
        let mut body = child_referral();
        body["person"]["birth"] = json!({"date":"2012-02-30"});
        let (s, p) = app.post("/api/v1/referrals", Some(&t), body).await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["pointer"], "/person/birth");
        let mut body = child_referral();
        body["person"]["birth"] = json!({"date":"2031-01-01"});
        let (s, p) = app.post("/api/v1/referrals", Some(&t), body).await;
        assert_eq!(s, 422, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("future"), "{p}");
        let mut body = child_referral();
        body["exploitation_forms"] = json!(["sexual", "space_piracy"]);
        let (s, p) = app.post("/api/v1/referrals", Some(&t), body).await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["pointer"], "/exploitation_forms/1");
        let (_, list) = app.get("/api/v1/cases", Some(&t)).await;
        assert_eq!(list["cases"], json!([]), "nothing was written");
        let (s, p) = app.get("/api/v1/cases/not-a-uuid", Some(&t)).await;
        assert_eq!(s, 404, "{p}");
        app.finish().await;
    }
}

#[tokio::test]
async fn tampering_with_the_journal_is_detected() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let org = app.org("Fake Police", OrgKind::Police).await;
        let (t, _) = app.user("p@test.invalid", &org, Role::FirstResponder).await;
        let (_, a) = app
            .post("/api/v1/referrals", Some(&t), adult_referral("Anna", true))
            .await;
        let (_, b) = app
            .post("/api/v1/referrals", Some(&t), adult_referral("Boris", true))
            .await;
        harbour_service::audit::verify_journals(app.store.as_ref())
            .await
            .unwrap();
        let victim = b["id"].as_str().unwrap();
        let _ = a;
        let sql = "UPDATE case_events SET kind = 'case_closed' WHERE seq = 1 AND case_id = ";
        match &app.db {
            DbHandle::Sqlite { path, .. } => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .unwrap();
                sqlx::query(&format!("{sql}'{victim}'"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            }
            DbHandle::Postgres { url, .. } => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                sqlx::query(&format!("{sql}'{victim}'"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            }
        }
        let err = harbour_service::audit::verify_journals(app.store.as_ref())
            .await
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(victim) && msg.contains("event 1"), "{msg}");
        app.finish().await;
    }
}
