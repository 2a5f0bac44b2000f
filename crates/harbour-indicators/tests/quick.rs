//! The quick screen: red flags in, a recommendation and its reasons out.

use harbour_indicators::{
    LoadErrorKind, PersonMinority, QuickScreen, QuickScreenError, Recommendation,
};

const DEFAULT: &str = include_str!("../../../data/quick-screen/default.toml");

fn qs() -> QuickScreen {
    QuickScreen::builtin().unwrap()
}

#[test]
fn nothing_flagged_means_no_indication() {
    let r = qs().evaluate::<&str>(&[]).unwrap();
    assert_eq!(r.recommendation, Recommendation::NoIndication);
    assert!(r.because.is_empty());
    assert_eq!(r.quick_screen_version, "1.0.0");
}

#[test]
fn each_adult_red_flag_recommends_full_screening() {
    let q = qs();
    for item in [
        "documents_held_by_someone_else",
        "offer_from_stranger_or_unverified_volunteer",
        "debt_to_recruiter",
        "signs_of_control_or_fear",
        "does_not_know_destination",
    ] {
        let r = q.evaluate(&[item]).unwrap();
        assert_eq!(r.recommendation, Recommendation::FullScreening, "{item}");
        assert_eq!(r.because, [item]);
    }
}

#[test]
fn a_child_flag_always_means_child_protection_referral() {
    let q = qs();
    let r = q
        .evaluate(&[
            "signs_of_control_or_fear",
            "unaccompanied_or_separated_child",
            "debt_to_recruiter",
        ])
        .unwrap();
    assert_eq!(r.recommendation, Recommendation::ChildProtectionReferral);
    // Every flag is a reason, in checklist order.
    assert_eq!(
        r.because,
        [
            "unaccompanied_or_separated_child",
            "debt_to_recruiter",
            "signs_of_control_or_fear"
        ]
    );
    // For a known or presumed child, any red flag goes straight to child protection.
    for m in [PersonMinority::Child, PersonMinority::PresumedChild] {
        let r = q.evaluate_for(&["debt_to_recruiter"], m).unwrap();
        assert_eq!(r.recommendation, Recommendation::ChildProtectionReferral);
    }
    let r = q
        .evaluate_for(&["debt_to_recruiter"], PersonMinority::Adult)
        .unwrap();
    assert_eq!(r.recommendation, Recommendation::FullScreening);
    let r = q.evaluate_for::<&str>(&[], PersonMinority::Child).unwrap();
    assert_eq!(r.recommendation, Recommendation::NoIndication);
}

#[test]
fn bad_input() {
    let q = qs();
    assert_eq!(
        q.evaluate(&["no_such_flag"]).unwrap_err(),
        QuickScreenError::UnknownItem {
            item: "no_such_flag".into()
        }
    );
    let e = q
        .evaluate(&["debt_to_recruiter", "debt_to_recruiter"])
        .unwrap_err();
    assert_eq!(
        e,
        QuickScreenError::DuplicateItem {
            item: "debt_to_recruiter".into()
        }
    );
    assert_eq!(e.code(), "duplicate_quick_screen_item");
}

#[test]
fn json_shape() {
    let r = qs()
        .evaluate(&["unaccompanied_or_separated_child"])
        .unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["recommendation"], "child_protection_referral");
    assert_eq!(v["because"][0], "unaccompanied_or_separated_child");
    let v = serde_json::to_value(qs()).unwrap();
    assert_eq!(v["items"][0]["recommends"], "child_protection_referral");
    assert_eq!(v["items"][0]["child"], true);
    assert_eq!(
        v["items"][1]["label"]["ru"],
        "Документы человека находятся у кого-то другого"
    );
    for r in [
        Recommendation::NoIndication,
        Recommendation::FullScreening,
        Recommendation::ChildProtectionReferral,
    ] {
        assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
    }
}

#[test]
fn validation_of_the_checklist_file() {
    let load = |t: &str| QuickScreen::from_toml_str("qs.toml", t);
    // A child item that does not recommend child protection.
    let bad = DEFAULT.replacen(
        "child = true\nrecommends = \"child_protection_referral\"",
        "child = true\nrecommends = \"full_screening\"",
        1,
    );
    let e = load(&bad).unwrap_err();
    assert!(
        matches!(e.kind, LoadErrorKind::ChildItemRecommendation { .. }),
        "{e}"
    );
    assert_eq!(
        e.line,
        Some(bad[..bad.find("[[items]]").unwrap()].matches('\n').count() + 1)
    );
    // An item cannot recommend nothing.
    let bad = DEFAULT.replacen(
        "recommends = \"full_screening\"",
        "recommends = \"no_indication\"",
        1,
    );
    assert!(matches!(
        load(&bad).unwrap_err().kind,
        LoadErrorKind::InvalidRecommendation { .. }
    ));
    // Missing translation, duplicate id, missing recommends.
    let bad = DEFAULT.replacen(", ru = \"Признаки контроля или страха\"", "", 1);
    assert!(matches!(
        load(&bad).unwrap_err().kind,
        LoadErrorKind::MissingTranslation { .. }
    ));
    let bad = DEFAULT.replacen(
        "id = \"debt_to_recruiter\"",
        "id = \"signs_of_control_or_fear\"",
        1,
    );
    assert!(matches!(
        load(&bad).unwrap_err().kind,
        LoadErrorKind::DuplicateId { what: "item", .. }
    ));
    let bad = DEFAULT.replacen(
        "id = \"debt_to_recruiter\"\nrecommends = \"full_screening\"\n",
        "id = \"debt_to_recruiter\"\n",
        1,
    );
    assert!(matches!(
        load(&bad).unwrap_err().kind,
        LoadErrorKind::MissingField {
            field: "recommends",
            ..
        }
    ));
    // A national addition loads.
    let added = format!("{DEFAULT}\n[[items]]\nid = \"child_travelling_with_unrelated_adult\"\nchild = true\nrecommends = \"child_protection_referral\"\nlabel = {{ en = \"Child travelling with an adult who is not a parent or guardian\", uk = \"Дитина подорожує з дорослим, який не є її батьком чи опікуном\", ru = \"Ребёнок путешествует со взрослым, который не является его родителем или опекуном\" }}\n");
    let q = load(&added).unwrap();
    assert_eq!(q.items().len(), 7);
    assert_eq!(
        q.evaluate(&["child_travelling_with_unrelated_adult"])
            .unwrap()
            .recommendation,
        Recommendation::ChildProtectionReferral
    );
}
