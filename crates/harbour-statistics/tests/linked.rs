//! Structural zeros and tables published together (issue 7): an attacker who combines every
//! table of one publication, with interval bound propagation, never pins a suppressed cell.

use harbour_statistics::disclosure::{
    attack, control, control_linked, control_with, exposed, exposed_with, grid, Control, Dimension,
    KeyMatch, PublishedTable, StructuralZero, SumOf, TableSpec, TOTAL,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// How a cell reads: its count and whether it is suppressed.
type Shown = (Option<u64>, bool);

const ATTRS: [&str; 3] = ["quarter", "age", "sex"];

fn dimension(name: &str, n: usize) -> Dimension {
    Dimension {
        name: name.into(),
        values: (0..n).map(|v| format!("v{v}")).collect(),
        open: false,
    }
}

/// Counts of a population of records over some of its attributes.
fn counts(records: &[[usize; 3]], attrs: &[usize]) -> Vec<(Vec<String>, u64)> {
    let mut m: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    for r in records {
        *m.entry(attrs.iter().map(|&a| format!("v{}", r[a])).collect())
            .or_default() += 1;
    }
    m.into_iter().collect()
}

/// A random population (three attributes of 1 to 4 values, small so suppression is common) and
/// a random set of tables over it: 2 to 4 tables of 1 or 2 attributes.
fn population() -> impl Strategy<Value = (Vec<usize>, Vec<[usize; 3]>, Vec<Vec<usize>>)> {
    prop::collection::vec(1usize..5, 3).prop_flat_map(|sizes| {
        let s = sizes.clone();
        let record = (0..s[0], 0..s[1], 0..s[2]).prop_map(|(a, b, c)| [a, b, c]);
        let table = prop::sample::subsequence(vec![0usize, 1, 2], 1..3);
        (
            Just(sizes),
            prop::collection::vec(record, 0..60),
            prop::collection::vec(table, 2..5),
        )
    })
}

fn controls() -> impl Strategy<Value = Control> {
    (2u64..12, 1u64..6).prop_map(|(threshold, resolution)| Control {
        threshold,
        resolution,
    })
}

fn specs(sizes: &[usize], records: &[[usize; 3]], tables: &[Vec<usize>]) -> Vec<TableSpec> {
    tables
        .iter()
        .map(|attrs| TableSpec {
            unit: "cases".into(),
            dimensions: attrs
                .iter()
                .map(|&a| dimension(ATTRS[a], sizes[a]))
                .collect(),
            counts: counts(records, attrs),
            structural: Vec::new(),
        })
        .collect()
}

fn units(tables: &[PublishedTable]) -> Vec<(&str, &PublishedTable)> {
    tables.iter().map(|t| ("cases", t)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever tables are published together, the attacker who combines them all never pins
    /// a suppressed cell to fewer than k values; shared cells read the same in every table; and
    /// the attacker is sound (every true count lies in its interval).
    #[test]
    fn the_joint_attacker_never_pins_a_suppressed_cell(
        (sizes, records, tables) in population(), c in controls()
    ) {
        let specs = specs(&sizes, &records, &tables);
        let published = control_linked(&specs, c);
        prop_assert!(exposed(&units(&published)).is_empty());
        let intervals = attack(&units(&published));
        let mut shared: BTreeMap<Vec<(String, String)>, Shown> = BTreeMap::new();
        for ((spec, t), ivs) in specs.iter().zip(&published).zip(&intervals) {
            let g = grid(&spec.dimensions, &spec.counts, c);
            for ((cell, &truth), iv) in t.cells.iter().zip(&g.counts).zip(ivs) {
                prop_assert!(truth >= iv.lo && iv.hi.is_none_or(|h| truth <= h));
                if cell.suppressed {
                    prop_assert!(iv.protects(c.threshold), "{:?} pinned to {:?}", cell.keys, iv);
                } else if let Some(n) = cell.count {
                    prop_assert!(n >= c.threshold && n % c.resolution == 0 && n <= truth);
                }
                let key: Vec<(String, String)> = cell
                    .keys
                    .iter()
                    .filter(|(_, v)| v.as_str() != TOTAL)
                    .map(|(d, v)| (d.clone(), v.clone()))
                    .collect();
                let seen = shared.entry(key).or_insert((cell.count, cell.suppressed));
                prop_assert_eq!(*seen, (cell.count, cell.suppressed), "a shared cell differs");
            }
        }
    }

    /// Structural zeros are published as "not applicable" (0), never suppressed, so never the
    /// partner of a suppressed cell; the rest of the table is still protected against an
    /// attacker who knows they are 0.
    #[test]
    fn structural_zeros_are_never_suppressed(
        (sizes, records, _) in population(), c in controls()
    ) {
        // Nobody has age v0 in quarter v0: declared as a structural zero.
        let records: Vec<[usize; 3]> =
            records.into_iter().filter(|r| !(r[0] == 0 && r[1] == 0)).collect();
        let dims = vec![dimension("quarter", sizes[0]), dimension("age", sizes[1])];
        let rule = StructuralZero::when("quarter", KeyMatch::is(&["v0"]))
            .and("age", KeyMatch::is(&["v0"]));
        let t = control_with(&dims, &counts(&records, &[0, 1]), &[rule], c);
        let zero = t.cell(&[("quarter", "v0"), ("age", "v0")]).unwrap();
        prop_assert!(zero.not_applicable && !zero.suppressed);
        prop_assert_eq!(zero.count, Some(0));
        for cell in &t.cells {
            prop_assert!(!(cell.not_applicable && cell.suppressed));
        }
        prop_assert!(exposed(&[("cases", &t)]).is_empty());
    }
}

/// Quarter × age and quarter × sex of the same 21 cases, k = 5, no rounding. Controlled one by
/// one (as before the joint check), each table is safe on its own, but the quarter total hidden
/// in the first is published in the second; with it, the first table's rows and columns pin a
/// suppressed cell. Controlled together, the attacker learns nothing.
#[test]
fn a_linked_table_attack_that_worked_before_now_fails() {
    let c = Control {
        threshold: 5,
        resolution: 1,
    };
    let cell = |q: &str, v: &str, n: u64| (vec![q.to_string(), v.to_string()], n);
    let by_age = vec![
        cell("q0", "a0", 3),
        cell("q0", "a2", 2),
        cell("q1", "a0", 6),
        cell("q1", "a1", 3),
        cell("q1", "a2", 2),
        cell("q2", "a0", 4),
        cell("q2", "a2", 1),
    ];
    let by_sex = vec![
        cell("q0", "s0", 4),
        cell("q0", "s1", 1),
        cell("q1", "s0", 5),
        cell("q1", "s1", 6),
        cell("q2", "s0", 3),
        cell("q2", "s1", 2),
    ];
    let quarter = Dimension::closed("quarter", &["q0", "q1", "q2"]);
    let age = vec![
        quarter.clone(),
        Dimension::closed("age", &["a0", "a1", "a2"]),
    ];
    let sex = vec![quarter, Dimension::closed("sex", &["s0", "s1"])];

    // Before: each table controlled (and checked) on its own.
    let a = control(&age, &by_age, c);
    let s = control(&sex, &by_sex, c);
    assert!(exposed(&[("cases", &a)]).is_empty());
    assert!(exposed(&[("cases", &s)]).is_empty());
    assert!(a.cell(&[("quarter", "q0")]).unwrap().suppressed);
    assert_eq!(s.cell(&[("quarter", "q0")]).unwrap().count, Some(5));
    let both = [("cases", &a), ("cases", &s)];
    let found = exposed(&both);
    assert!(
        !found.is_empty(),
        "the linked attack should work on separate control"
    );
    let iv = attack(&both);
    let q0 = a
        .cells
        .iter()
        .position(|x| x.keys["quarter"] == "q0" && x.keys["age"] == TOTAL)
        .unwrap();
    assert_eq!((iv[0][q0].lo, iv[0][q0].hi), (5, Some(5)));
    let q0_a0 = a
        .cells
        .iter()
        .position(|x| x.keys["quarter"] == "q0" && x.keys["age"] == "a0")
        .unwrap();
    assert!(a.cells[q0_a0].suppressed && !iv[0][q0_a0].protects(5));

    // After: controlled together.
    let spec = |dimensions: Vec<Dimension>, counts: Vec<(Vec<String>, u64)>| TableSpec {
        unit: "cases".into(),
        dimensions,
        counts,
        structural: Vec::new(),
    };
    let joint = control_linked(&[spec(age, by_age), spec(sex, by_sex)], c);
    let both: Vec<(&str, &PublishedTable)> = joint.iter().map(|t| ("cases", t)).collect();
    assert!(exposed(&both).is_empty());
    assert_eq!(
        joint[0].cell(&[("quarter", "q0")]).unwrap().count,
        joint[1].cell(&[("quarter", "q0")]).unwrap().count
    );
}

/// Reasonable-grounds decisions by quarter and outcome: "no decision yet" has no outcome and a
/// decided case has an outcome, so those cells are zero by definition. Before, a structural
/// zero (the smallest cell) was chosen as the partner of a hidden cell; knowing it is 0, anyone
/// could subtract their way to the small count. Now it is published as not applicable and a real cell is hidden.
#[test]
fn a_structural_zero_is_not_a_partner_and_is_marked_not_applicable() {
    let c = Control {
        threshold: 10,
        resolution: 1,
    };
    let counts = vec![
        (vec!["2026-Q1".into(), "positive".into()], 3),
        (vec!["2026-Q1".into(), "negative".into()], 20),
        (vec!["2026-Q2".into(), "positive".into()], 12),
        (vec!["2026-Q2".into(), "negative".into()], 45),
        (vec!["none".into(), "none".into()], 50),
    ];
    let dims = vec![
        Dimension::closed("rg_quarter", &["2026-Q1", "2026-Q2", "none"]),
        Dimension::closed("rg_outcome", &["positive", "negative", "none"]),
    ];
    let rules = vec![
        StructuralZero::when("rg_quarter", KeyMatch::is(&["none"]))
            .and("rg_outcome", KeyMatch::is_not(&["none"])),
        StructuralZero::when("rg_quarter", KeyMatch::is_not(&["none"]))
            .and("rg_outcome", KeyMatch::is(&["none"])),
    ];
    // Before: without the rules, the 0 in (2026-Q1, none) is hidden as the partner of 3.
    let g = grid(&dims, &counts, c);
    let old = harbour_statistics::disclosure::suppression(&g, c);
    let idx = |t: &PublishedTable, q: &str, o: &str| {
        t.cells
            .iter()
            .position(|x| x.keys["rg_quarter"] == q && x.keys["rg_outcome"] == o)
            .unwrap()
    };
    let plain = control(&dims, &counts, c);
    assert!(old[idx(&plain, "2026-Q1", "none")]);
    assert!(old[idx(&plain, "2026-Q2", "none")]);
    // Everyone knows those are 0: 2026-Q2's row then gives its positives exactly, the
    // positives' column total minus them gives the 3.
    let mut old_view = plain.clone();
    for (i, hidden) in old.iter().enumerate() {
        old_view.cells[i].suppressed = *hidden;
        old_view.cells[i].count = (!hidden).then(|| c.rounded(g.counts[i]));
    }
    for cell in old_view.cells.iter_mut() {
        let structural = cell.keys["rg_quarter"] != TOTAL
            && cell.keys["rg_outcome"] != TOTAL
            && ((cell.keys["rg_quarter"] == "none") != (cell.keys["rg_outcome"] == "none"));
        if structural {
            cell.not_applicable = true;
            cell.suppressed = false;
            cell.count = Some(0);
        }
    }
    let iv = attack(&[("cases", &old_view)]);
    let small = idx(&old_view, "2026-Q1", "positive");
    assert_eq!((iv[0][small].lo, iv[0][small].hi), (3, Some(3)));

    // Now: structural zeros marked, never suppressed; the partner is a real cell.
    let t = control_with(&dims, &counts, &rules, c);
    for (q, o) in [
        ("2026-Q1", "none"),
        ("2026-Q2", "none"),
        ("none", "positive"),
        ("none", "negative"),
    ] {
        let cell = &t.cells[idx(&t, q, o)];
        assert!(cell.not_applicable && !cell.suppressed && cell.count == Some(0));
    }
    assert!(t.cells[idx(&t, "2026-Q1", "positive")].suppressed);
    assert!(t.cells[idx(&t, "2026-Q1", "negative")].suppressed);
    assert!(exposed(&[("cases", &t)]).is_empty());
}

/// A figure published beside the table links to it too: how many decisions a timeliness
/// summary measured is the positive plus the negative outcomes, so with the grand total it gives
/// the undecided cases, hidden in the table. The attacker with that sum pins them; the service
/// withholds such a count (`harbour-service`, `withhold_linked_counts`).
#[test]
fn a_published_sum_of_cells_is_part_of_the_attack() {
    let c = Control {
        threshold: 10,
        resolution: 1,
    };
    let counts = vec![
        (vec!["2026-Q1".into(), "positive".into()], 30),
        (vec!["2026-Q1".into(), "negative".into()], 20),
        (vec!["2026-Q2".into(), "positive".into()], 25),
        (vec!["2026-Q2".into(), "negative".into()], 20),
        (vec!["none".into(), "none".into()], 5),
    ];
    let dims = vec![
        Dimension::closed("rg_quarter", &["2026-Q1", "2026-Q2", "none"]),
        Dimension::closed("rg_outcome", &["positive", "negative", "none"]),
    ];
    let rules = vec![
        StructuralZero::when("rg_quarter", KeyMatch::is(&["none"]))
            .and("rg_outcome", KeyMatch::is_not(&["none"])),
        StructuralZero::when("rg_quarter", KeyMatch::is_not(&["none"]))
            .and("rg_outcome", KeyMatch::is(&["none"])),
    ];
    let t = control_with(&dims, &counts, &rules, c);
    assert_eq!(t.cell(&[]).unwrap().count, Some(100));
    assert!(t.cell(&[("rg_outcome", "none")]).unwrap().suppressed);
    assert!(exposed(&[("cases", &t)]).is_empty());
    let parts: Vec<(usize, usize)> = t
        .cells
        .iter()
        .enumerate()
        .filter(|(_, x)| x.keys["rg_quarter"] == TOTAL && x.keys["rg_outcome"] != "none")
        .filter(|(_, x)| x.keys["rg_outcome"] != TOTAL)
        .map(|(i, _)| (0, i))
        .collect();
    assert_eq!(parts.len(), 2);
    let decided = SumOf {
        value: 95,
        resolution: 1,
        parts,
    };
    assert!(!exposed_with(&[("cases", &t)], &[decided]).is_empty());
}
