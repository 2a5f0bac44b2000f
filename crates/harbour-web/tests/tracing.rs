//! Family tracing through the API, on every backend: the seed meeting's cross-script example,
//! what each role sees, the consent and legal-basis filter, withdrawal, the index rebuilt at
//! start, bad input, and the matcher's score in the intake duplicate warning.

mod common;

use common::*;
use harbour_domain::{OrgKind, Role};
use serde_json::{json, Value};

fn child(given: &str, family: &str, year: i32, translit: Option<(&str, &str)>) -> Value {
    let mut name = json!({"given": given, "family": family, "script": "Latn"});
    if let Some((g, f)) = translit {
        name["transliterations"] = json!([{"scheme": "de", "given": g, "family": f}]);
    }
    json!({"person": {"names": [name], "sex": "male", "birth": {"year": year}, "nationalities": ["UA"]},
           "exploitation_forms": ["unknown"], "confirm_new_person": true})
}

fn adult(given: &str, family: &str, tracing: bool) -> Value {
    json!({"person": {"names": [{"given": given, "family": family}], "sex": "male", "birth": {"year": 1980}},
           "exploitation_forms": ["forced_labour"],
           "consent": {"nrm_referral": true, "family_tracing": tracing},
           "confirm_new_person": true})
}

fn adult_request(given: &str, family: &str) -> Value {
    json!({"sought": {"names": [{"given": given, "family": family}], "birth": {"year": 1980}},
           "requester": {"relationship": "sibling", "contact": "fake contact, test.invalid"},
           "legal_basis": "consent_of_requester"})
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c[key].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn mothers_request_finds_the_child_across_scripts() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Border Police", OrgKind::BorderGuard).await;
        let ngo = app.org("Fake Family Links NGO", OrgKind::Ngo).await;
        let cp = app
            .org("Fake Child Protection", OrgKind::ChildProtection)
            .await;
        let office = app.org("Fake Office", OrgKind::Other).await;
        let (responder, _) = app
            .user("resp@test.invalid", &police, Role::FirstResponder)
            .await;
        let (rfl, _) = app.user("rfl@test.invalid", &ngo, Role::CaseWorker).await;
        let (cpo, _) = app
            .user("cpo@test.invalid", &cp, Role::ChildProtectionOfficer)
            .await;
        let (auditor, _) = app.user("aud@test.invalid", &office, Role::Auditor).await;

        // The child as registered abroad, with a German rendering; a namesake too old; an adult
        // namesake without consent to family tracing.
        let (s, boy) = app
            .post(
                "/api/v1/referrals",
                Some(&responder),
                child(
                    "Oleksandr",
                    "Kovalenko",
                    2015,
                    Some(("Aleksandr", "Kowalenko")),
                ),
            )
            .await;
        assert_eq!(s, 201, "{boy}");
        let boy = boy["id"].as_str().unwrap().to_string();
        let (_, older) = app
            .post(
                "/api/v1/referrals",
                Some(&responder),
                child("Andrii", "Kovalenko", 2009, None),
            )
            .await;
        let older = older["id"].as_str().unwrap().to_string();
        let (s, grown) = app
            .post(
                "/api/v1/referrals",
                Some(&responder),
                adult("Oleksandr", "Kovalenko", false),
            )
            .await;
        assert_eq!(s, 201, "{grown}");
        let grown = grown["id"].as_str().unwrap().to_string();

        // The mother's request, filed by the NGO's family-links service.
        let (s, request) = app
            .post(
                "/api/v1/tracing-requests",
                Some(&rfl),
                tracing_request_body(),
            )
            .await;
        assert_eq!(s, 201, "{request}");
        let rid = request["id"].as_str().unwrap().to_string();
        assert_eq!(request["status"], "open");
        assert_eq!(request["searchable"], true);
        assert_eq!(request["requester"]["relationship"], "mother");

        // The child-protection officer sees the boy first, explained field by field.
        let (s, cands) = app
            .get(
                &format!("/api/v1/tracing-requests/{rid}/candidates"),
                Some(&cpo),
            )
            .await;
        assert_eq!(s, 200, "{cands}");
        let found = ids(&cands, "case_id");
        assert_eq!(found.first(), Some(&boy), "{cands:#}");
        assert!(
            !found.contains(&grown),
            "an adult without consent is never searched"
        );
        let top = &cands[0];
        assert!(top["probability"].as_f64().unwrap() > 0.5, "{top:#}");
        assert_eq!(top["basis"], "child_protection_mandate");
        let given = top["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["field"] == "given_name")
            .expect("a given-name reason");
        assert_eq!(given["level"], "same name in the lexicon");
        assert!(
            given["detail"].as_str().unwrap().contains("diminutive"),
            "{given}"
        );
        assert!(given["weight"].as_f64().unwrap() > 0.0);
        if let Some(pos) = found.iter().position(|c| c == &older) {
            assert!(
                cands[pos]["weight"].as_f64() < top["weight"].as_f64(),
                "{cands:#}"
            );
        }

        // The NGO files but does not see candidate lists; it sees its own request in full.
        let (s, _) = app
            .get(
                &format!("/api/v1/tracing-requests/{rid}/candidates"),
                Some(&rfl),
            )
            .await;
        assert_eq!(s, 403);
        let (s, list) = app.get("/api/v1/tracing-requests", Some(&rfl)).await;
        assert_eq!((s, ids(&list, "id")), (200, vec![rid.clone()]));
        assert!(
            list[0].get("sought").is_none(),
            "lists carry nothing personal"
        );

        // From the child's case page: the request exists, who filed it, why; not who asked.
        let (s, on_case) = app
            .get(
                &format!("/api/v1/cases/{boy}/tracing-candidates"),
                Some(&cpo),
            )
            .await;
        assert_eq!(s, 200, "{on_case}");
        assert_eq!(on_case["basis"], "child_protection_mandate");
        let c = &on_case["candidates"][0];
        assert_eq!(c["request_id"], rid.as_str());
        assert_eq!(c["filing_org_name"], "Fake Family Links NGO");
        assert_eq!(c["legal_basis"], "child_protection_mandate");
        let text = on_case.to_string();
        for secret in ["fake number", "requester", "contact", "Fakeina"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        // The officer may open the request (a child is sought) without the requester.
        let (s, seen) = app
            .get(&format!("/api/v1/tracing-requests/{rid}"), Some(&cpo))
            .await;
        assert_eq!(s, 200);
        assert!(seen.get("requester").is_none(), "{seen}");

        // Every read is in an access record: the case's and the request's.
        let (_, log) = app
            .get(&format!("/api/v1/cases/{boy}/access-log"), Some(&auditor))
            .await;
        let actions: Vec<&str> = log
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["action"].as_str())
            .collect();
        assert!(actions.contains(&"tracing_candidate"), "{actions:?}");
        assert!(actions.contains(&"tracing_candidates"), "{actions:?}");
        let req_log: Vec<String> = app
            .store
            .tracing_access_log(rid.parse().unwrap())
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        // (The NGO's refused attempt read nothing and is not a read.)
        assert_eq!(req_log, ["file", "candidates", "candidate_of_case", "read"]);

        // Names are sealed at rest: the database dump holds none of them in clear.
        let dump = app.dump().await;
        for name in ["Сашко", "Коваленко", "Fakeina", "fake number"] {
            assert!(
                !dump.windows(name.len()).any(|w| w == name.as_bytes()),
                "{name} in clear in the store"
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn consent_filter_withdrawal_and_rebuild() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let authority = app.org("Fake Authority", OrgKind::CompetentAuthority).await;
        let cp = app
            .org("Fake Child Protection", OrgKind::ChildProtection)
            .await;
        let (responder, _) = app
            .user("resp@test.invalid", &police, Role::FirstResponder)
            .await;
        let (decider, _) = app
            .user("dec@test.invalid", &authority, Role::DecisionMaker)
            .await;
        let (cpo, _) = app
            .user("cpo@test.invalid", &cp, Role::ChildProtectionOfficer)
            .await;

        let (_, consenting) = app
            .post(
                "/api/v1/referrals",
                Some(&responder),
                adult("Fakemir", "Testovych", true),
            )
            .await;
        let consenting = consenting["id"].as_str().unwrap().to_string();
        let (_, refusing) = app
            .post(
                "/api/v1/referrals",
                Some(&responder),
                adult("Fakemir", "Testovych", false),
            )
            .await;
        let refusing = refusing["id"].as_str().unwrap().to_string();
        let (s, req) = app
            .post(
                "/api/v1/tracing-requests",
                Some(&decider),
                adult_request("Факемир", "Тестович"),
            )
            .await;
        assert_eq!(s, 201, "{req}");
        let rid = req["id"].as_str().unwrap().to_string();
        let candidates = |who: String| {
            let app = &app;
            let rid = rid.clone();
            async move {
                let (s, c) = app
                    .get(
                        &format!("/api/v1/tracing-requests/{rid}/candidates"),
                        Some(&who),
                    )
                    .await;
                assert_eq!(s, 200, "{c}");
                ids(&c, "case_id")
            }
        };
        // Only the adult who consented to family tracing is searched.
        assert_eq!(candidates(decider.clone()).await, vec![consenting.clone()]);
        // Child protection does not see adults' cases at all.
        let (s, _) = app
            .get(
                &format!("/api/v1/tracing-requests/{rid}/candidates"),
                Some(&cpo),
            )
            .await;
        assert_eq!(
            s, 404,
            "an adult is sought: not the child-protection officer's"
        );

        // Consent given later puts the case in; withdrawn, it leaves at once.
        let (s, _) = app
            .post(
                &format!("/api/v1/cases/{refusing}/family-tracing-consent"),
                Some(&responder),
                json!({"given": true}),
            )
            .await;
        assert_eq!(s, 200);
        let mut both = vec![consenting.clone(), refusing.clone()];
        both.sort();
        let mut got = candidates(decider.clone()).await;
        got.sort();
        assert_eq!(got, both);
        let (s, _) = app
            .post(
                &format!("/api/v1/cases/{consenting}/family-tracing-consent"),
                Some(&responder),
                json!({"given": false}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(candidates(decider.clone()).await, vec![refusing.clone()]);
        let (_, on_case) = app
            .get(
                &format!("/api/v1/cases/{consenting}/tracing-candidates"),
                Some(&decider),
            )
            .await;
        assert_eq!(on_case["basis"], Value::Null);
        assert_eq!(on_case["candidates"], json!([]));

        // The index built from the store at start agrees with the one kept up to date.
        let (cases, requests) = app.harbour.rebuild_tracing_index().await.unwrap();
        assert_eq!((cases, requests), (1, 1));
        assert_eq!(candidates(decider.clone()).await, vec![refusing.clone()]);

        // Withdrawing the request takes it out of every case's list.
        let (_, on_case) = app
            .get(
                &format!("/api/v1/cases/{refusing}/tracing-candidates"),
                Some(&decider),
            )
            .await;
        assert_eq!(ids(&on_case["candidates"], "request_id"), vec![rid.clone()]);
        let (s, w) = app
            .post(
                &format!("/api/v1/tracing-requests/{rid}/withdraw"),
                Some(&decider),
                json!({}),
            )
            .await;
        assert_eq!((s, &w["status"]), (200, &json!("withdrawn")));
        let (_, on_case) = app
            .get(
                &format!("/api/v1/cases/{refusing}/tracing-candidates"),
                Some(&decider),
            )
            .await;
        assert_eq!(on_case["candidates"], json!([]));
        assert_eq!(candidates(decider.clone()).await, Vec::<String>::new());
        let (cases, requests) = app.harbour.rebuild_tracing_index().await.unwrap();
        assert_eq!((cases, requests), (1, 0));
        app.finish().await;
    }
}

#[tokio::test]
async fn bad_tracing_requests_are_refused_and_write_nothing() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let cp = app
            .org("Fake Child Protection", OrgKind::ChildProtection)
            .await;
        let (cpo, _) = app
            .user("cpo@test.invalid", &cp, Role::ChildProtectionOfficer)
            .await;
        let mut no_names = tracing_request_body();
        no_names["sought"]["names"] = json!([]);
        let mut impossible = tracing_request_body();
        impossible["sought"]["birth"] = json!({"date": "2015-02-30"});
        let mut future = tracing_request_body();
        future["sought"]["birth"] = json!({"year": 2031});
        let mut basis = tracing_request_body();
        basis["legal_basis"] = json!("curiosity");
        let mut adult_mandate = tracing_request_body();
        adult_mandate["sought"]["birth"] = json!({"year": 1970});
        let mut blank_contact = tracing_request_body();
        blank_contact["requester"]["contact"] = json!("  ");
        let mut unknown_field = tracing_request_body();
        unknown_field["sought"]["eye_colour"] = json!("brown");
        for (body, pointer) in [
            (no_names, "/sought/names"),
            (impossible, "/sought/birth"),
            (future, "/sought/birth"),
            (basis, "/legal_basis"),
            (adult_mandate, "/legal_basis"),
            (blank_contact, "/requester/contact"),
            (unknown_field, "/sought"),
        ] {
            let (s, p) = app.post("/api/v1/tracing-requests", Some(&cpo), body).await;
            assert_eq!(s, 422, "{pointer}: {p}");
            let pointers: Vec<&str> = p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["pointer"].as_str())
                .collect();
            assert!(
                pointers.iter().any(|q| q.starts_with(pointer)),
                "{pointer}: {p}"
            );
        }
        let (s, list) = app.get("/api/v1/tracing-requests", Some(&cpo)).await;
        assert_eq!((s, list), (200, json!([])), "nothing was written");
        assert!(app
            .store
            .list_tracing_requests(None)
            .await
            .unwrap()
            .is_empty());
        app.finish().await;
    }
}

#[tokio::test]
async fn duplicate_warning_ranks_with_the_matcher() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let (responder, _) = app
            .user("resp@test.invalid", &police, Role::FirstResponder)
            .await;
        let mut first = child("Oleksandr", "Kovalenko", 2015, None);
        first["confirm_new_person"] = json!(false);
        let (s, a) = app.post("/api/v1/referrals", Some(&responder), first).await;
        assert_eq!(s, 201, "{a}");
        let mut again = child("Олександр", "Коваленко", 2015, None);
        again["confirm_new_person"] = json!(false);
        let (s, p) = app.post("/api/v1/referrals", Some(&responder), again).await;
        assert_eq!(s, 409, "{p}");
        let c = &p["candidates"][0];
        assert_eq!(c["id"], a["id"]);
        assert!(c["score"]["probability"].as_f64().unwrap() > 0.5, "{c:#}");
        let fields: Vec<&str> = c["score"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["field"].as_str())
            .collect();
        assert!(
            fields.contains(&"given_name") && fields.contains(&"surname"),
            "{c:#}"
        );
        app.finish().await;
    }
}

/// Several app servers: each keeps its own index in memory and learns of the others' writes
/// from the store's change feed before answering.
#[tokio::test]
async fn a_second_app_server_sees_changes_through_the_feed() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let police = app.org("Fake Police", OrgKind::Police).await;
        let cp = app
            .org("Fake Child Protection", OrgKind::ChildProtection)
            .await;
        let (responder, _) = app
            .user("resp@test.invalid", &police, Role::FirstResponder)
            .await;
        let (cpo, cpo_actor) = app
            .user("cpo@test.invalid", &cp, Role::ChildProtectionOfficer)
            .await;
        let other = app.harbour.another_app_server().unwrap();
        assert_eq!(other.rebuild_tracing_index().await.unwrap(), (0, 0));

        // Written through the first server.
        let (_, boy) = app
            .post(
                "/api/v1/referrals",
                Some(&responder),
                child(
                    "Oleksandr",
                    "Kovalenko",
                    2015,
                    Some(("Aleksandr", "Kowalenko")),
                ),
            )
            .await;
        let boy: harbour_domain::CaseId = boy["id"].as_str().unwrap().parse().unwrap();
        let (_, request) = app
            .post(
                "/api/v1/tracing-requests",
                Some(&cpo),
                tracing_request_body(),
            )
            .await;
        let rid: uuid::Uuid = request["id"].as_str().unwrap().parse().unwrap();

        // Answered by the second.
        let found = other
            .tracing_request_candidates(&cpo_actor, rid)
            .await
            .unwrap();
        assert_eq!(found.first().map(|c| c.case_id), Some(boy));
        let on_case = other
            .case_tracing_candidates(&cpo_actor, boy)
            .await
            .unwrap();
        assert_eq!(
            on_case
                .candidates
                .iter()
                .map(|c| c.request_id)
                .collect::<Vec<_>>(),
            [rid]
        );

        // Withdrawn on the first: gone on the second.
        let (s, _) = app
            .post(
                &format!("/api/v1/tracing-requests/{rid}/withdraw"),
                Some(&cpo),
                json!({}),
            )
            .await;
        assert_eq!(s, 200);
        let on_case = other
            .case_tracing_candidates(&cpo_actor, boy)
            .await
            .unwrap();
        assert!(on_case.candidates.is_empty());
        app.finish().await;
    }
}

/// How long the start-up build takes (run by hand: `cargo test -p harbour-web --release --test
/// tracing -- --ignored --nocapture`). N children referred through the service, then the index
/// built from the store; the baseline is reading and decrypting the same cases without indexing.
#[tokio::test]
#[ignore]
async fn start_up_build_timing() {
    let n: usize = std::env::var("TRACING_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let app = TestApp::start(&Backend::Sqlite).await;
    let police = app.org("Fake Police", OrgKind::Police).await;
    let (_, responder) = app
        .user("resp@test.invalid", &police, Role::FirstResponder)
        .await;
    let given = ["Oleksandr", "Iryna", "Petro", "Olena", "Taras", "Sofiia"];
    let family = ["Kovalenko", "Bondar", "Melnyk", "Shevchenko", "Tkachenko"];
    let t = std::time::Instant::now();
    for i in 0..n {
        let body = child(
            &format!("{}{}", given[i % given.len()], i / 30),
            family[(i / 7) % family.len()],
            2010 + (i % 8) as i32,
            None,
        );
        let mut referral = body.clone();
        let obj = referral.as_object_mut().unwrap();
        obj.remove("confirm_new_person");
        let referral: harbour_domain::Referral = serde_json::from_value(referral).unwrap();
        app.harbour
            .refer(
                &responder,
                referral,
                harbour_service::cases::ReferralOptions {
                    confirm_new_person: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    let referred = t.elapsed();
    let t = std::time::Instant::now();
    let mut after = None;
    let mut read = 0;
    loop {
        let ids = app.store.case_ids(after, 500).await.unwrap();
        let Some(last) = ids.last().copied() else {
            break;
        };
        for id in ids {
            app.harbour.get_case(&responder, id, None).await.unwrap();
            read += 1;
        }
        after = Some(last);
    }
    let baseline = t.elapsed();
    let t = std::time::Instant::now();
    let (cases, _) = app.harbour.rebuild_tracing_index().await.unwrap();
    let build = t.elapsed();
    assert_eq!((cases, read), (n, n));
    println!(
        "{n} children: referred in {:.1} s; read+decrypt every case (baseline, with access records) {:.2} s; tracing index build {:.2} s",
        referred.as_secs_f64(),
        baseline.as_secs_f64(),
        build.as_secs_f64()
    );
    app.finish().await;
}
