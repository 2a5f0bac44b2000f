//! End-to-end: the Kovalenko example from issue 8, incremental index, dedupe.

use harbour_match::index::{clusters, run, Index, Options};
use harbour_match::model::{Comp, Model};
use harbour_match::record::{prepare, Field, Record};
use harbour_match::synth::{generate, COLUMNS};

/// A model trained without labels on a small synthetic set (EM).
fn model() -> Model {
    let data = generate(3000, 300, 11);
    let kids: Vec<_> = data
        .children
        .iter()
        .filter_map(|r| prepare(r, 2024).ok())
        .collect();
    let reqs: Vec<_> = data
        .requests
        .iter()
        .filter_map(|r| prepare(r, 2024).ok())
        .collect();
    run(
        &Comp::active(&COLUMNS),
        &kids,
        Some(&reqs),
        None,
        &Options::default(),
        &|_, _| {},
    )
    .model
}

fn child(id: &str, given: &str, surname: &str, dob: &str, sex: &str) -> Record {
    Record::new(id)
        .with(Field::GivenName, given)
        .with(Field::Surname, surname)
        .with(Field::DateOfBirth, dob)
        .with(Field::Sex, sex)
        .with(Field::RecordedOn, "2024-03-01")
}

#[test]
fn kovalenko_example_from_the_issue() {
    let m = model();
    let mut idx = Index::new(10_000);
    let records = [
        child("PL-1", "Oleksandr", "Kovalenko", "2015", "M"),
        child("DE-7", "Aleksandr", "Kowalenko", "", "M"),
        child("X-1", "Oleksii", "Kovalenko", "2015", "M"),
        child("X-2", "Oleksandra", "Kovalchuk", "2015-02-02", "F"),
        child("X-3", "Олександр", "Бондаренко", "2015", "M"),
        child("X-4", "Andrii", "Kovalenko", "2009", "M"),
    ];
    for r in &records {
        let p = prepare(r, 2024).expect("valid test record");
        idx.add(r.id.clone(), p);
    }
    // The German record has only an age estimate.
    let q = Record::new("request")
        .with(Field::GivenName, "Сашко")
        .with(Field::Surname, "Коваленко")
        .with(Field::Age, "about 9")
        .with(Field::RecordedOn, "2024-03-01");
    let qp = prepare(&q, 2024).expect("valid query");
    let (hits, _) = idx.query(&m, &qp, 10);
    let top: Vec<&str> = hits.iter().take(2).map(|h| h.id.as_str()).collect();
    assert!(top.contains(&"PL-1") && top.contains(&"DE-7"), "{hits:?}");
    let ex = m.explain(&qp, &idx.records[hits[0].index as usize], Some(&idx.tf));
    let text = ex.text();
    assert!(
        text.contains("Sashko is a diminutive of Oleksandr"),
        "{text}"
    );
    assert!(
        text.contains("birth: within a year or within the age estimate"),
        "{text}"
    );
    // The name evidence is positive and the wrong-name candidate scores lower.
    assert!(ex
        .fields
        .iter()
        .any(|f| f.field == "given name" && f.weight > 0.0));
    let andrii = hits
        .iter()
        .find(|h| h.id == "X-4")
        .map(|h| h.weight)
        .unwrap_or(f64::NEG_INFINITY);
    assert!(hits[0].weight > andrii);
}

#[test]
fn adding_a_record_needs_no_retraining() {
    let m = model();
    let before = serde_json::to_string(&m).expect("model serialises");
    let mut idx = Index::new(10_000);
    let q = prepare(&child("q", "Yuliia", "Shevchenko", "2012-04-05", "F"), 2024).expect("valid");
    assert!(idx.query(&m, &q, 5).0.is_empty());
    let r = child("late", "Юлия", "Шевченко", "05.04.2012", "F");
    idx.add(r.id.clone(), prepare(&r, 2024).expect("valid"));
    let (hits, n) = idx.query(&m, &q, 5);
    assert_eq!(n, 1);
    assert_eq!(hits[0].id, "late");
    assert!(hits[0].probability > 0.5, "{hits:?}");
    assert_eq!(before, serde_json::to_string(&m).expect("model serialises"));
    // Withdrawing consent takes the record out of every later search.
    assert!(idx.remove(hits[0].index));
    assert!(idx.query(&m, &q, 5).0.is_empty());
    assert!(!idx.remove(99));
}

#[test]
fn swapped_names_and_sex_forms_are_explained() {
    let m = model();
    let a = prepare(&child("a", "Kovalska", "Olena", "2010-01-02", "F"), 2024).expect("valid");
    let b = prepare(&child("b", "Олена", "Ковальський", "2010-01-02", "F"), 2024).expect("valid");
    let ex = m.explain(&a, &b, None);
    assert!(ex.swapped, "{}", ex.text());
    assert!(ex.text().contains("another sex form"), "{}", ex.text());
    assert!(ex.probability > 0.5, "{}", ex.text());
}

#[test]
fn dedupe_finds_clusters() {
    let data = generate(2000, 200, 5);
    // Put the requests into the same list as the children: each request
    // duplicates one child.
    let mut all: Vec<_> = data
        .children
        .iter()
        .filter_map(|r| prepare(r, 2024).ok())
        .collect();
    let n_kids = all.len();
    all.extend(data.requests.iter().filter_map(|r| prepare(r, 2024).ok()));
    let out = run(
        &Comp::active(&COLUMNS),
        &all,
        None,
        None,
        &Options::default(),
        &|_, _| {},
    );
    let cl = clusters(all.len(), &out.pairs);
    let together = data
        .truth
        .iter()
        .enumerate()
        .filter(|(i, &c)| cl[n_kids + i] == cl[c])
        .count();
    assert!(
        together as f64 >= 0.9 * data.truth.len() as f64,
        "{together}/{}",
        data.truth.len()
    );
    // Clusters stay small: a caseworker reviews them.
    let mut sizes = std::collections::HashMap::new();
    for c in &cl {
        *sizes.entry(c).or_insert(0usize) += 1;
    }
    assert!(
        sizes.values().all(|&s| s <= 5),
        "{:?}",
        sizes.values().max()
    );
}
