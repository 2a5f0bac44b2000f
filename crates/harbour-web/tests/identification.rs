//! Identification through the API on every backend: indicator lists, screenings with and
//! without a case, the quick screen, and a referral that asks once (duplicates found, attached).

mod common;

use common::*;
use harbour_domain::{OrgKind, Role};
use serde_json::json;

#[tokio::test]
async fn indicator_lists_screenings_and_quick_screen() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let be = app.backend_name();
        let police = app.org("Fake Police", OrgKind::Police).await;
        let (t, _) = app
            .user("p@test.invalid", &police, Role::FirstResponder)
            .await;

        // The four lists, with the contract's shape and labels in three languages.
        let (s, lists) = app.get("/api/v1/indicator-lists", Some(&t)).await;
        assert_eq!(s, 200);
        let ids: Vec<&str> = lists
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect();
        for id in [
            "adult_labour",
            "adult_sexual",
            "child_labour",
            "child_sexual",
        ] {
            assert!(ids.contains(&id), "{ids:?}");
        }
        let al = lists
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == "adult_labour")
            .unwrap();
        assert!(al["version"].is_string());
        assert_eq!(al["dimensions"].as_array().unwrap().len(), 6);
        let first = &al["indicators"][0];
        for k in ["id", "dimension", "strength"] {
            assert!(first[k].is_string(), "{first}");
        }
        for lang in ["en", "uk", "ru"] {
            assert!(
                first["label"][lang].as_str().is_some_and(|l| !l.is_empty()),
                "{first}"
            );
        }
        let with = |dim: &str, strength: &str| -> Vec<String> {
            al["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["dimension"] == dim && i["strength"] == strength)
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect()
        };

        // A screening before any case: indicated, explained, stored nowhere.
        let rec = with("deceptive_recruitment", "strong");
        // Each dimension positive by "one strong and one medium".
        let pair = |dim: &str| {
            vec![
                with(dim, "strong")[0].clone(),
                with(dim, "medium")[0].clone(),
            ]
        };
        let observed: Vec<String> = [
            pair("deceptive_recruitment"),
            pair("exploitation"),
            pair("coercion_at_destination"),
        ]
        .concat();
        let (s, r) = app
            .post(
                "/api/v1/screenings",
                Some(&t),
                json!({"list":"adult_labour","observed":observed,"notes":"roadside check"}),
            )
            .await;
        assert_eq!(s, 200, "{be}: {r}");
        assert_eq!(r["list"], "adult_labour");
        assert_eq!(r["indicated"], true, "{r}");
        let dims = r["dimensions"].as_array().unwrap();
        assert_eq!(dims.len(), 6);
        let exploitation = dims
            .iter()
            .find(|d| d["dimension"] == "exploitation")
            .unwrap();
        assert_eq!(exploitation["positive"], true);
        assert_eq!(exploitation["observed"].as_array().unwrap().len(), 2);
        assert!(
            r["notice"]["en"].as_str().unwrap().contains("indication"),
            "{r}"
        );
        // Without a coercion dimension an adult is not indicated.
        let (_, r) = app
            .post(
                "/api/v1/screenings",
                Some(&t),
                json!({"list":"adult_labour","observed":observed[..4]}),
            )
            .await;
        assert_eq!(r["indicated"], false, "{r}");

        // Bad input, each with its own pointer.
        let (s, p) = app
            .post(
                "/api/v1/screenings",
                Some(&t),
                json!({"list":"adult_gardening","observed":[]}),
            )
            .await;
        assert_eq!(
            (s, p["errors"][0]["pointer"].as_str()),
            (422, Some("/list")),
            "{p}"
        );
        let (s, p) = app
            .post(
                "/api/v1/screenings",
                Some(&t),
                json!({"list":"adult_labour","observed":[rec[0], "made_up_indicator"]}),
            )
            .await;
        assert_eq!(
            (s, p["errors"][0]["pointer"].as_str()),
            (422, Some("/observed/1")),
            "{p}"
        );
        let (s, p) = app
            .post(
                "/api/v1/screenings",
                Some(&t),
                json!({"list":"adult_labour","observed":[rec[0], rec[0]]}),
            )
            .await;
        assert_eq!(
            (s, p["errors"][0]["pointer"].as_str()),
            (422, Some("/observed/1")),
            "{p}"
        );
        assert!(
            p["detail"].as_str().unwrap().contains("more than once"),
            "{p}"
        );
        let (s, p) = app
            .post(
                "/api/v1/screenings",
                Some(&t),
                json!({"list":"adult_labour","observed":[],"minority":"presumed_child"}),
            )
            .await;
        assert_eq!(s, 422, "{p}");
        assert!(
            p["detail"].as_str().unwrap().contains("child_labour"),
            "names the list to use: {p}"
        );

        // A form of exploitation instead of a list id: the list that fits the person is chosen.
        let (s, r) = app
            .post(
                "/api/v1/screenings",
                Some(&t),
                json!({"list":"sexual","observed":[],"minority":"presumed_child"}),
            )
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["list"], "child_sexual");
        let (_, r) = app
            .post(
                "/api/v1/screenings",
                Some(&t),
                json!({"list":"labour","observed":[],"minority":"adult"}),
            )
            .await;
        assert_eq!(r["list"], "adult_labour");

        // Quick screen: checklist, and recommendations.
        let (s, qs) = app.get("/api/v1/quick-screen", Some(&t)).await;
        assert_eq!(s, 200);
        assert!(qs["items"].as_array().unwrap().len() >= 6, "{qs}");
        let (_, r) = app
            .post(
                "/api/v1/quick-screen",
                Some(&t),
                json!({"flagged":["debt_to_recruiter","signs_of_control_or_fear"]}),
            )
            .await;
        assert_eq!(r["recommendation"], "full_screening", "{r}");
        assert_eq!(
            r["because"],
            json!(["debt_to_recruiter", "signs_of_control_or_fear"])
        );
        let (_, r) = app
            .post(
                "/api/v1/quick-screen",
                Some(&t),
                json!({"flagged":["unaccompanied_or_separated_child"]}),
            )
            .await;
        assert_eq!(r["recommendation"], "child_protection_referral", "{r}");
        let (_, r) = app
            .post(
                "/api/v1/quick-screen",
                Some(&t),
                json!({"flagged":["debt_to_recruiter"],"minority":"presumed_child"}),
            )
            .await;
        assert_eq!(
            r["recommendation"], "child_protection_referral",
            "child protection never waits: {r}"
        );
        let (_, r) = app
            .post("/api/v1/quick-screen", Some(&t), json!({"flagged":[]}))
            .await;
        assert_eq!(r["recommendation"], "no_indication");
        let (s, p) = app
            .post(
                "/api/v1/quick-screen",
                Some(&t),
                json!({"flagged":["teleportation"]}),
            )
            .await;
        assert_eq!(
            (s, p["errors"][0]["pointer"].as_str()),
            (422, Some("/flagged/0")),
            "{p}"
        );

        // Screenings in a referral: recorded in the new case as journal events.
        let mut body = child_referral();
        body["screenings"] = json!([{"list":"child_sexual","observed":[],"notes":"first interview"}, {"list":"child_labour","observed":[]}]);
        body["online_recruitment"] = json!(true);
        body["platform_types"] = json!(["social_media", "messaging"]);
        body["country_of_origin"] = json!("ua");
        body["countries_of_transit"] = json!(["PL"]);
        let (s, case) = app.post("/api/v1/referrals", Some(&t), body).await;
        assert_eq!(s, 201, "{be}: {case}");
        assert_eq!(case["screenings"].as_array().unwrap().len(), 2);
        assert_eq!(case["screenings"][0]["notes"], "first interview");
        assert_eq!(case["country_of_origin"], "UA");
        assert_eq!(
            (
                case["online"].as_bool(),
                case["online_recruitment"].as_bool()
            ),
            (Some(true), Some(true))
        );
        assert_eq!(case["platform_types"], json!(["messaging", "social_media"]));
        assert_eq!(case["countries_of_transit"], json!(["PL"]));
        let id = case["id"].as_str().unwrap();
        let (_, events) = app
            .get(&format!("/api/v1/cases/{id}/events"), Some(&t))
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
                "screening_recorded",
                "screening_recorded"
            ]
        );
        // An adult list for a presumed child is refused, at its place in the referral, and nothing is written.
        let mut body = child_referral();
        body["person"]["names"][0]["given"] = json!("Different");
        body["screenings"] = json!([{"list":"adult_labour","observed":[]}]);
        let (s, p) = app.post("/api/v1/referrals", Some(&t), body).await;
        assert_eq!(
            (s, p["errors"][0]["pointer"].as_str()),
            (422, Some("/screenings/0/list")),
            "{p}"
        );
        // Later screening on the case: the child list fits, the adult one does not.
        let (s, r) = app
            .post(
                &format!("/api/v1/cases/{id}/screenings"),
                Some(&t),
                json!({"list":"child_labour","observed":[]}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
        let (s, p) = app
            .post(
                &format!("/api/v1/cases/{id}/screenings"),
                Some(&t),
                json!({"list":"adult_labour","observed":[]}),
            )
            .await;
        assert_eq!(s, 422, "{p}");
        let (_, events) = app
            .get(&format!("/api/v1/cases/{id}/events"), Some(&t))
            .await;
        assert_eq!(events.as_array().unwrap().len(), 4);
        let (_, list) = app.get("/api/v1/cases", Some(&t)).await;
        assert_eq!(
            list["cases"].as_array().unwrap().len(),
            1,
            "the refused referral wrote nothing"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_referral_asks_once_possible_duplicates_are_offered_and_attached() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let be = app.backend_name();
        let police = app.org("Fake Police", OrgKind::Police).await;
        let ngo = app.org("Fake NGO", OrgKind::Ngo).await;
        let other = app.org("Unrelated Fake Police", OrgKind::Police).await;
        let (t, _) = app
            .user("p@test.invalid", &police, Role::FirstResponder)
            .await;
        let (ngo_worker, _) = app.user("n@test.invalid", &ngo, Role::CaseWorker).await;
        let (stranger, _) = app
            .user("s@test.invalid", &other, Role::FirstResponder)
            .await;

        let first = json!({"person":{"names":[{"given":"Oleksandr","family":"Kovalenko","script":"Latn","transliterations":[{"scheme":"uk-Cyrl","given":"Олександр","family":"Коваленко"}]}],"birth":{"year":2015},"sex":"male"},"exploitation_forms":["forced_begging"]});
        let (s, a) = app.post("/api/v1/referrals", Some(&t), first).await;
        assert_eq!(s, 201, "{be}: {a}");
        let a_id = a["id"].as_str().unwrap().to_string();

        // The same child written in Cyrillic, surname first, about 11: offered as a duplicate.
        let again = json!({"person":{"names":[{"given":"Коваленко","family":"олександр","script":"Cyrl"}],"birth":{"age_estimate":{"min":10,"max":12}}},"exploitation_forms":["forced_criminality"],"summary":"seen at the station"});
        let (s, p) = app.post("/api/v1/referrals", Some(&t), again.clone()).await;
        assert_eq!(s, 409, "{be}: {p}");
        assert_eq!(p["type"], "/problems/possible-duplicate");
        assert_eq!(p["candidates"][0]["id"], a_id.as_str());
        assert_eq!(p["candidates"][0]["name"], "Oleksandr Kovalenko");

        // An organisation that cannot see the existing case is not told about it.
        let (s, c) = app
            .post("/api/v1/referrals", Some(&stranger), again.clone())
            .await;
        assert_eq!(s, 201, "no candidate visible to this organisation: {c}");

        // A different birth is not the same person.
        let mut older = again.clone();
        older["person"]["birth"] = json!({"year": 1980});
        let mut older_adult = older.clone();
        older_adult["consent"] = json!({"nrm_referral": true});
        let (s, _) = app.post("/api/v1/referrals", Some(&t), older_adult).await;
        assert_eq!(s, 201);

        // Attach: the facts join the existing case, the referring organisation becomes a party.
        let (_, before) = app.get("/api/v1/cases", Some(&t)).await;
        let mut attach = again.clone();
        attach["attach_to"] = json!(a_id);
        let (s, v) = app
            .post("/api/v1/referrals", Some(&t), attach.clone())
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["id"], a_id.as_str());
        let forms: Vec<&str> = v["exploitation_forms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert_eq!(forms, vec!["forced_begging", "forced_criminality"]);
        let (_, after) = app.get("/api/v1/cases", Some(&t)).await;
        assert_eq!(
            before["cases"].as_array().unwrap().len(),
            after["cases"].as_array().unwrap().len(),
            "no new case"
        );
        // Attaching to a case one may not see is a 404, like any invisible case.
        let (s, _) = app
            .post("/api/v1/referrals", Some(&ngo_worker), attach)
            .await;
        assert_eq!(s, 404);

        // Across scripts, diminutives and spellings: "Сашко Коваленко, about 11" and
        // "Aleksandr Kowalenko, 2015" are offered as the Oleksandr Kovalenko already referred.
        for (names, birth) in [
            (
                json!([{"given":"Сашко","family":"Коваленко","script":"Cyrl"}]),
                json!({"age_estimate":{"min":10,"max":12}}),
            ),
            (
                json!([{"given":"Aleksandr","family":"Kowalenko","script":"Latn"}]),
                json!({"year":2015}),
            ),
        ] {
            let body =
                json!({"person":{"names":names,"birth":birth},"exploitation_forms":["unknown"]});
            let (s, p) = app.post("/api/v1/referrals", Some(&t), body).await;
            assert_eq!(s, 409, "{be}: {names}: {p}");
            assert_eq!(p["candidates"][0]["id"], a_id.as_str(), "{names}");
        }

        // Confirming it is someone else opens a new case.
        let mut confirm = again.clone();
        confirm["confirm_new_person"] = json!(true);
        let (s, _) = app.post("/api/v1/referrals", Some(&t), confirm).await;
        assert_eq!(s, 201);
        app.finish().await;
    }
}
