//! Screening requests: bad input is a specific error; results explain themselves in three
//! languages and say they are an indication, not a decision.

use harbour_indicators::{
    screen, Catalogue, DimensionId, InterviewPart, Lang, PersonMinority, Population,
    ScreeningError, ScreeningResult, INDICATION_NOTICE,
};

const ADULT_INDICATED: [&str; 6] = [
    "rec_deceit_job_employer_location",
    "rec_deceit_wages",
    "exploitation_excessive_hours",
    "exploitation_low_or_no_pay",
    "dest_coercion_confiscation_of_documents",
    "dest_coercion_debt_bondage",
];

fn cat() -> Catalogue {
    Catalogue::builtin().unwrap()
}

#[test]
fn unknown_list_and_unknown_indicator() {
    let c = cat();
    assert_eq!(
        c.screen("adult_begging", &ADULT_INDICATED, PersonMinority::Adult),
        Err(ScreeningError::UnknownList {
            list: "adult_begging".into()
        })
    );
    let e = c
        .screen(
            "adult_labour",
            &["rec_deceit_wages", "no_such_thing"],
            PersonMinority::Adult,
        )
        .unwrap_err();
    assert_eq!(
        e,
        ScreeningError::UnknownIndicator {
            list: "adult_labour".into(),
            indicator: "no_such_thing".into()
        }
    );
    assert_eq!(e.code(), "unknown_indicator");
    // An id that exists in another list only is still unknown here.
    let e = c
        .screen(
            "child_labour",
            &["exploitation_no_social_protection"],
            PersonMinority::Child,
        )
        .unwrap_err();
    assert!(matches!(e, ScreeningError::UnknownIndicator { .. }));
}

#[test]
fn an_indicator_given_twice() {
    let e = cat()
        .screen(
            "adult_labour",
            &[
                "dest_coercion_debt_bondage",
                "rec_deceit_wages",
                "dest_coercion_debt_bondage",
            ],
            PersonMinority::Adult,
        )
        .unwrap_err();
    assert_eq!(
        e,
        ScreeningError::DuplicateIndicator {
            list: "adult_labour".into(),
            indicator: "dest_coercion_debt_bondage".into()
        }
    );
    assert_eq!(e.code(), "duplicate_indicator");
}

#[test]
fn a_list_that_does_not_fit_the_minority() {
    let c = cat();
    for minority in [PersonMinority::Child, PersonMinority::PresumedChild] {
        let e = c
            .screen("adult_labour", &ADULT_INDICATED, minority)
            .unwrap_err();
        assert_eq!(
            e,
            ScreeningError::ListDoesNotFitMinority {
                list: "adult_labour".into(),
                population: Population::Adult,
                minority,
                use_instead: Some("child_labour".into()),
            }
        );
        assert!(e.to_string().contains("use `child_labour`"), "{e}");
    }
    let e = c
        .screen(
            "child_sexual",
            &["rec_coercion_violence"],
            PersonMinority::Adult,
        )
        .unwrap_err();
    assert!(
        matches!(e, ScreeningError::ListDoesNotFitMinority { use_instead: Some(ref l), .. } if l == "adult_sexual")
    );
    // The free function has no catalogue to suggest from.
    let e = screen(
        c.get("adult_labour").unwrap(),
        &ADULT_INDICATED,
        PersonMinority::PresumedChild,
    )
    .unwrap_err();
    assert!(matches!(
        e,
        ScreeningError::ListDoesNotFitMinority {
            use_instead: None,
            ..
        }
    ));
}

#[test]
fn the_rule_is_chosen_by_the_list_population() {
    let c = cat();
    let adult = c
        .screen("adult_labour", &ADULT_INDICATED[..4], PersonMinority::Adult)
        .unwrap();
    assert!(!adult.indicated, "adults need the means element");
    let child = c
        .screen(
            "child_labour",
            &ADULT_INDICATED[..4],
            PersonMinority::PresumedChild,
        )
        .unwrap();
    assert!(child.indicated, "children do not");
    assert_eq!(child.population, Population::Child);
}

#[test]
fn empty_observation_is_valid_and_not_indicated() {
    let r = cat()
        .screen::<&str>("adult_labour", &[], PersonMinority::Adult)
        .unwrap();
    assert!(!r.indicated);
    assert_eq!(r.dimensions.len(), 6);
    assert!(r
        .dimensions
        .iter()
        .all(|d| !d.positive && d.observed.is_empty()));
}

#[test]
fn result_explains_why_in_list_order_and_serialises_to_the_contract() {
    let c = cat();
    let mut shuffled = ADULT_INDICATED.to_vec();
    shuffled.reverse();
    let r = c
        .screen("adult_labour", &shuffled, PersonMinority::Adult)
        .unwrap();
    assert!(r.indicated);
    let d0 = &r.dimensions[0];
    assert_eq!(d0.dimension, DimensionId::DeceptiveRecruitment);
    assert!(d0.positive);
    assert_eq!(
        d0.observed,
        ["rec_deceit_job_employer_location", "rec_deceit_wages"]
    );
    assert_eq!(
        (d0.counts.strong, d0.counts.medium, d0.counts.weak),
        (1, 1, 0)
    );
    assert!(!r.dimensions[1].positive);

    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["list"], "adult_labour");
    assert_eq!(v["list_version"], "1.0.0");
    assert_eq!(v["indicated"], true);
    assert_eq!(v["dimensions"][0]["dimension"], "deceptive_recruitment");
    assert_eq!(v["dimensions"][0]["positive"], true);
    assert_eq!(v["dimensions"][0]["observed"][1], "rec_deceit_wages");
    assert_eq!(v["notice"]["en"], INDICATION_NOTICE.en);
    assert!(v["notice"]["uk"].as_str().unwrap().contains("не рішення"));
    assert!(v["notice"]["ru"].as_str().unwrap().contains("не решение"));
    // Results are stored (journal events): JSON round-trips.
    let back: ScreeningResult = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
    // A stored result without the notice still reads.
    let mut v = serde_json::to_value(&r).unwrap();
    v.as_object_mut().unwrap().remove("notice");
    assert_eq!(serde_json::from_value::<ScreeningResult>(v).unwrap(), r);
}

#[test]
fn explanation_in_three_languages() {
    let c = cat();
    let l = c.get("adult_labour").unwrap();
    let r = c
        .screen("adult_labour", &ADULT_INDICATED, PersonMinority::Adult)
        .unwrap();
    let en = r.explain(l, Lang::En);
    assert!(en.contains("Indicators of trafficking: present"), "{en}");
    assert!(
        en.contains("Deceptive recruitment (including transfer and transport): positive"),
        "{en}"
    );
    assert!(
        en.contains("Deceived about wages/earnings (medium)"),
        "{en}"
    );
    assert!(
        en.contains("Coercive recruitment: negative; nothing observed"),
        "{en}"
    );
    assert!(en.contains("not a decision"), "{en}");
    let uk = r.explain(l, Lang::Uk);
    assert!(
        uk.contains("Обман щодо заробітної плати / заробітку (середній)"),
        "{uk}"
    );
    assert!(uk.contains("не рішення"), "{uk}");
    let ru = r.explain(l, Lang::Ru);
    assert!(ru.contains("Долговая кабала (сильный)"), "{ru}");
    assert!(ru.contains("не решение"), "{ru}");
}

#[test]
fn child_lists_are_chosen_automatically() {
    let c = cat();
    for (minority, labour, sexual) in [
        (PersonMinority::Adult, "adult_labour", "adult_sexual"),
        (PersonMinority::Child, "child_labour", "child_sexual"),
        (
            PersonMinority::PresumedChild,
            "child_labour",
            "child_sexual",
        ),
    ] {
        assert_eq!(c.select(minority, "labour").unwrap().id(), labour);
        assert_eq!(c.select(minority, "sexual").unwrap().id(), sexual);
    }
    assert_eq!(
        c.select(PersonMinority::Adult, "organ_removal")
            .unwrap_err(),
        ScreeningError::NoListFor {
            population: Population::Adult,
            exploitation: "organ_removal".into()
        }
    );
}

#[test]
fn labour_and_sexual_in_one_interview() {
    let c = cat();
    let parts = vec![
        InterviewPart {
            exploitation: "labour".into(),
            observed: vec![
                "rec_deceit_job_employer_location".into(),
                "rec_deceit_education".into(),
                "exploitation_excessive_hours".into(),
                "exploitation_hazardous".into(),
            ],
        },
        InterviewPart {
            exploitation: "sexual".into(),
            observed: vec![
                "rec_coercion_violence".into(),
                "dest_coercion_forced_tasks_or_clients".into(),
            ],
        },
    ];
    let rs = c
        .screen_interview(PersonMinority::PresumedChild, &parts)
        .unwrap();
    assert_eq!(rs.len(), 2);
    assert_eq!(
        (rs[0].list.as_str(), rs[0].indicated),
        ("child_labour", true)
    );
    assert_eq!(
        (rs[1].list.as_str(), rs[1].indicated),
        ("child_sexual", false)
    );

    let rs = c.screen_interview(PersonMinority::Adult, &parts).unwrap();
    assert_eq!(rs[0].list, "adult_labour");
    assert_eq!(rs[1].list, "adult_sexual");

    // One bad part rejects the whole interview.
    let mut bad = parts.clone();
    bad[1].observed.push("rec_coercion_violence".into());
    assert!(matches!(
        c.screen_interview(PersonMinority::Adult, &bad),
        Err(ScreeningError::DuplicateIndicator { .. })
    ));
    let twice = vec![parts[0].clone(), parts[0].clone()];
    assert_eq!(
        c.screen_interview(PersonMinority::Adult, &twice)
            .unwrap_err(),
        ScreeningError::DuplicateExploitation {
            exploitation: "labour".into()
        }
    );
    // The parts deserialise from the request shape.
    let p: InterviewPart =
        serde_json::from_str(r#"{"exploitation":"labour","observed":["rec_deceit_wages"]}"#)
            .unwrap();
    assert_eq!(p.observed, ["rec_deceit_wages"]);
}

#[test]
fn person_minority_and_population_use_snake_case() {
    assert_eq!(
        serde_json::to_string(&PersonMinority::PresumedChild).unwrap(),
        "\"presumed_child\""
    );
    assert_eq!(
        PersonMinority::PresumedChild.population(),
        Population::Child
    );
    assert_eq!(
        serde_json::to_string(&Population::Adult).unwrap(),
        "\"adult\""
    );
}

/// A national list larger than the on-stack bitset (256 indicators) behaves the same.
#[test]
fn large_lists_use_the_heap_bitset_correctly() {
    let mut text = String::from(
        "id = \"big\"\nversion = \"1.0.0\"\npopulation = \"child\"\nexploitation = \"big\"\ntitle = { en = \"Big\", uk = \"Великий\", ru = \"Большой\" }\n",
    );
    for d in DimensionId::ALL {
        text.push_str(&format!(
            "[[dimensions]]\nid = \"{d}\"\nlabel = {{ en = \"{d}\", uk = \"вимір\", ru = \"измерение\" }}\n"
        ));
    }
    for n in 0..300 {
        let d = DimensionId::ALL[n % 6];
        text.push_str(&format!(
            "[[indicators]]\nid = \"i{n}\"\ndimension = \"{d}\"\nstrength = \"medium\"\nlabel = {{ en = \"I{n}\", uk = \"І{n}\", ru = \"И{n}\" }}\n"
        ));
    }
    let list = harbour_indicators::IndicatorList::from_toml_str("big.toml", &text).unwrap();
    assert_eq!(list.indicators().len(), 300);
    // Three medium in deceptive recruitment (0, 6, 294) and exploitation (3, 9, 297).
    let obs = ["i297", "i0", "i294", "i3", "i6", "i9"];
    let r = screen(&list, &obs, PersonMinority::Child).unwrap();
    assert!(r.indicated);
    assert_eq!(r.dimensions[0].observed, ["i0", "i6", "i294"]);
    assert_eq!(r.dimensions[3].observed, ["i3", "i9", "i297"]);
    let e = screen(&list, &["i299", "i5", "i299"], PersonMinority::Child).unwrap_err();
    assert!(
        matches!(e, ScreeningError::DuplicateIndicator { ref indicator, .. } if indicator == "i299")
    );
    let ev = harbour_indicators::evaluate(&list, &obs, PersonMinority::Child).unwrap();
    assert!(ev.indicated);
    assert_eq!(ev.counts[0].medium, 3);
}
