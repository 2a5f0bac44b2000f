//! The shipped data: every list loads, round-trips, has all three languages, and matches the
//! reference tables.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use harbour_indicators::{
    Catalogue, DimensionId, IndicatorList, Lang, Population, QuickScreen, Strength,
};

const LABOUR_TABLE: &str = include_str!("fixtures/delphi_labour_table.md");

fn data_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// (dimension number, English label, A·L class, C·L class) from the reference table.
fn reference_rows() -> Vec<(usize, String, Option<Strength>, Option<Strength>)> {
    let class = |s: &str| match s {
        "S" => Some(Strength::Strong),
        "M" => Some(Strength::Medium),
        "W" => Some(Strength::Weak),
        "—" => None,
        other => panic!("bad class {other}"),
    };
    LABOUR_TABLE
        .lines()
        .filter(|l| l.starts_with("| "))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (
                cells[0].parse().unwrap(),
                cells[1].to_owned(),
                class(cells[2]),
                class(cells[3]),
            )
        })
        .collect()
}

#[test]
fn builtin_catalogue_has_the_four_lists() {
    let cat = Catalogue::builtin().unwrap();
    let ids: Vec<&str> = cat.lists().iter().map(|l| l.id()).collect();
    assert_eq!(
        ids,
        [
            "adult_labour",
            "adult_sexual",
            "child_labour",
            "child_sexual"
        ]
    );
    let counts: Vec<usize> = cat.lists().iter().map(|l| l.indicators().len()).collect();
    assert_eq!(counts, [67, 67, 65, 65]);
    for l in cat.lists() {
        assert_eq!(l.version(), "1.0.0");
        assert_eq!(l.dimensions().len(), 6);
        for (d, id) in l.dimensions().iter().zip(DimensionId::ALL) {
            assert_eq!(d.id, id);
        }
    }
}

#[test]
fn embedded_lists_equal_the_files_on_disk() {
    let builtin = Catalogue::builtin().unwrap();
    let from_dir = Catalogue::load_dir(data_dir().join("indicators")).unwrap();
    assert_eq!(builtin.lists(), from_dir.lists());
    for name in [
        "adult_labour",
        "adult_sexual",
        "child_labour",
        "child_sexual",
    ] {
        let f =
            IndicatorList::load_file(data_dir().join(format!("indicators/{name}.toml"))).unwrap();
        assert_eq!(Some(&f), builtin.get(name));
    }
    let q = QuickScreen::load_file(data_dir().join("quick-screen/default.toml")).unwrap();
    assert_eq!(q, QuickScreen::builtin().unwrap());
}

#[test]
fn every_list_round_trips_through_toml_in_all_languages() {
    for l in Catalogue::builtin().unwrap().lists() {
        let text = l.to_toml_string().unwrap();
        let back = IndicatorList::from_toml_str("roundtrip.toml", &text).unwrap();
        assert_eq!(&back, l, "{}", l.id());
        // Every label present and distinct per language where scripts differ.
        for lang in Lang::ALL {
            assert!(!l.title().get(lang).trim().is_empty());
            for d in l.dimensions() {
                assert!(!d.label.get(lang).trim().is_empty());
            }
            for i in l.indicators() {
                assert!(
                    !i.label.get(lang).trim().is_empty(),
                    "{} {}",
                    i.id,
                    lang.code()
                );
            }
        }
        for i in l.indicators() {
            // Ukrainian and Russian labels are translations, not copies of the English.
            assert!(
                i.label
                    .uk
                    .chars()
                    .any(|c| ('\u{400}'..='\u{4ff}').contains(&c)),
                "{}",
                i.id
            );
            assert!(
                i.label
                    .ru
                    .chars()
                    .any(|c| ('\u{400}'..='\u{4ff}').contains(&c)),
                "{}",
                i.id
            );
        }
    }
    let q = QuickScreen::builtin().unwrap();
    let back = QuickScreen::from_toml_str("roundtrip.toml", &q.to_toml_string().unwrap()).unwrap();
    assert_eq!(back, q);
}

#[test]
fn json_matches_the_api_contract_shape() {
    let cat = Catalogue::builtin().unwrap();
    let v = serde_json::to_value(cat.lists()).unwrap();
    let first = &v[0];
    assert_eq!(first["id"], "adult_labour");
    assert_eq!(first["version"], "1.0.0");
    assert_eq!(first["population"], "adult");
    assert_eq!(first["exploitation"], "labour");
    assert_eq!(first["dimensions"][0]["id"], "deceptive_recruitment");
    assert!(first["dimensions"][0]["label"]["uk"].is_string());
    let ind = &first["indicators"][0];
    assert_eq!(ind["id"], "rec_deceit_job_employer_location");
    assert_eq!(ind["dimension"], "deceptive_recruitment");
    assert_eq!(ind["strength"], "strong");
    assert_eq!(
        ind["label"]["en"],
        "Deceived about the nature of the job, location or employer"
    );
    assert_eq!(ind["to_verify"], false);
    assert!(first.get("index").is_none());
}

/// A·L and C·L: same rows, same English labels, same strengths as the reference table, and
/// nothing marked to verify.
#[test]
fn labour_lists_match_the_reference_table_exactly() {
    let cat = Catalogue::builtin().unwrap();
    let rows = reference_rows();
    assert_eq!(rows.len(), 67);
    for (list_id, col) in [("adult_labour", 0), ("child_labour", 1)] {
        let list = cat.get(list_id).unwrap();
        let expected: Vec<(DimensionId, &str, Strength)> = rows
            .iter()
            .filter_map(|(d, label, a, c)| {
                let class = if col == 0 { *a } else { *c };
                class.map(|s| (DimensionId::ALL[d - 1], label.as_str(), s))
            })
            .collect();
        let actual: Vec<(DimensionId, &str, Strength)> = list
            .indicators()
            .iter()
            .map(|i| (i.dimension, i.label.en.as_str(), i.strength))
            .collect();
        assert_eq!(actual, expected, "{list_id}");
        assert!(list.indicators().iter().all(|i| !i.to_verify), "{list_id}");
        assert_eq!(
            list.population(),
            if col == 0 {
                Population::Adult
            } else {
                Population::Child
            }
        );
    }
}

/// The sexual lists: the strengths the reference states, the "no strong exploitation indicator"
/// rule for A·S, no weak tier for C·S, and every other entry marked to verify.
#[test]
fn sexual_lists_follow_the_reference_notes() {
    let cat = Catalogue::builtin().unwrap();
    let a_s = cat.get("adult_sexual").unwrap();
    let c_s = cat.get("child_sexual").unwrap();
    let a_l = cat.get("adult_labour").unwrap();
    let c_l = cat.get("child_labour").unwrap();
    let strength = |l: &IndicatorList, id: &str| l.indicator(id).unwrap().strength;
    let verify = |l: &IndicatorList, id: &str| l.indicator(id).unwrap().to_verify;

    // Stated in indicators.md: not to verify.
    let stated = [
        (a_s, "dest_coercion_forced_tasks_or_clients"),
        (c_s, "dest_coercion_forced_tasks_or_clients"),
        (a_s, "dest_coercion_threats_of_violence"),
        (a_s, "rec_coercion_abduction"),
        (c_s, "exploitation_hazardous"),
    ];
    for (l, id) in stated {
        assert_eq!(strength(l, id), Strength::Strong, "{} {id}", l.id());
        assert!(!verify(l, id), "{} {id}", l.id());
    }
    assert_eq!(
        c_s.indicator("exploitation_hazardous").unwrap().label.en,
        "Hazardous activity"
    );
    assert_eq!(
        a_s.indicator("rec_deceit_conditions").unwrap().label.en,
        "Deceived about conditions of prostitution"
    );

    // A·S has no strong exploitation indicator; excessive hours is not strong there.
    assert!(a_s
        .indicators()
        .iter()
        .filter(|i| i.dimension == DimensionId::Exploitation)
        .all(|i| i.strength != Strength::Strong));
    assert_ne!(
        strength(a_s, "exploitation_excessive_hours"),
        Strength::Strong
    );
    // C·S has no weak tier.
    assert!(c_s
        .indicators()
        .iter()
        .all(|i| i.strength != Strength::Weak));

    // Everything else: the labour list's class, marked to verify.
    let stated: HashSet<(&str, &str)> = stated.iter().map(|(l, id)| (l.id(), *id)).collect();
    for (sexual, labour) in [(a_s, a_l), (c_s, c_l)] {
        let same_ids: Vec<&str> = labour.indicators().iter().map(|i| i.id.as_str()).collect();
        let ids: Vec<&str> = sexual.indicators().iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, same_ids, "{} mirrors {}", sexual.id(), labour.id());
        for i in sexual.indicators() {
            if stated.contains(&(sexual.id(), i.id.as_str())) {
                continue;
            }
            assert!(i.to_verify, "{} {}", sexual.id(), i.id);
            if !(sexual.id() == "adult_sexual" && i.dimension == DimensionId::Exploitation) {
                assert_eq!(
                    i.strength,
                    strength(labour, &i.id),
                    "{} {}",
                    sexual.id(),
                    i.id
                );
            }
        }
    }
}

/// The same (dimension, indicator) keeps its id across lists, and an id always means one
/// dimension, so a responder's observation means the same thing in every list.
#[test]
fn ids_are_stable_across_lists() {
    let cat = Catalogue::builtin().unwrap();
    let mut dim_of: HashMap<&str, DimensionId> = HashMap::new();
    let mut en_of: HashMap<(&str, Population), &str> = HashMap::new();
    for l in cat.lists() {
        for i in l.indicators() {
            let d = *dim_of.entry(i.id.as_str()).or_insert(i.dimension);
            assert_eq!(d, i.dimension, "{}", i.id);
            if l.exploitation() == "labour" {
                let e = *en_of
                    .entry((i.id.as_str(), l.population()))
                    .or_insert(i.label.en.as_str());
                assert_eq!(e, i.label.en, "{}", i.id);
            }
        }
    }
    // Texts repeated across dimensions got distinct ids.
    let al = cat.get("adult_labour").unwrap();
    let debt: Vec<_> = al
        .indicators()
        .iter()
        .filter(|i| i.label.en == "Debt bondage")
        .collect();
    assert_eq!(debt.len(), 2);
    assert_ne!(debt[0].id, debt[1].id);
    assert_eq!(debt[0].strength, Strength::Medium);
    assert_eq!(debt[1].strength, Strength::Strong);
}

#[test]
fn quick_screen_items_are_the_six_red_flags() {
    let q = QuickScreen::builtin().unwrap();
    let ids: Vec<&str> = q.items().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "unaccompanied_or_separated_child",
            "documents_held_by_someone_else",
            "offer_from_stranger_or_unverified_volunteer",
            "debt_to_recruiter",
            "signs_of_control_or_fear",
            "does_not_know_destination"
        ]
    );
    for i in q.items() {
        for lang in Lang::ALL {
            assert!(!i.label.get(lang).is_empty());
        }
    }
}
