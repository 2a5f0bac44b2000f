//! The disclosure rules, property-tested against the true counts.

use harbour_statistics::disclosure::{control, grid, suppression, Control, Dimension, TOTAL};
use harbour_statistics::timeliness::summarise;
use proptest::prelude::*;

fn dims(shape: &[usize]) -> Vec<Dimension> {
    shape
        .iter()
        .enumerate()
        .map(|(i, &n)| Dimension {
            name: format!("d{i}"),
            values: (0..n).map(|v| format!("v{v}")).collect(),
            open: false,
        })
        .collect()
}

/// A random table: 1 to 3 dimensions of 1 to 5 values, small counts (so suppression is common).
fn table() -> impl Strategy<Value = (Vec<usize>, Vec<(Vec<String>, u64)>)> {
    prop::collection::vec(1usize..5, 1..4).prop_flat_map(|shape| {
        let cells: usize = shape.iter().product();
        let s = shape.clone();
        prop::collection::vec(prop_oneof![0u64..6, 0u64..40, 0u64..200], cells).prop_map(
            move |counts| {
                let mut out = Vec::new();
                for (idx, n) in counts.into_iter().enumerate() {
                    let mut rest = idx;
                    let mut keys = vec![String::new(); s.len()];
                    for i in (0..s.len()).rev() {
                        keys[i] = format!("v{}", rest % s[i]);
                        rest /= s[i];
                    }
                    if n > 0 {
                        out.push((keys, n));
                    }
                }
                (s.clone(), out)
            },
        )
    })
}

fn controls() -> impl Strategy<Value = Control> {
    (1u64..15, 1u64..11).prop_map(|(threshold, resolution)| Control {
        threshold,
        resolution,
    })
}

proptest! {
    #[test]
    fn no_published_cell_is_below_k_and_every_count_is_rounded_down(
        (shape, counts) in table(), c in controls()
    ) {
        let g = grid(&dims(&shape), &counts, c);
        let t = control(&dims(&shape), &counts, c);
        prop_assert_eq!(t.cells.len(), g.counts.len());
        for (cell, &truth) in t.cells.iter().zip(&g.counts) {
            prop_assert_eq!(cell.suppressed, cell.count.is_none());
            if let Some(n) = cell.count {
                prop_assert!(n >= c.threshold, "published {} below k {}", n, c.threshold);
                prop_assert_eq!(n % c.resolution, 0);
                prop_assert!(n <= truth && truth < n + c.resolution);
            }
        }
    }

    /// Along every line: a suppressed cell under a published total has company, and the
    /// suppressed cells together hold at least k people; a suppressed total cannot be rebuilt by
    /// adding published cells.
    #[test]
    fn secondary_suppression_protects_every_line((shape, counts) in table(), c in controls()) {
        let g = grid(&dims(&shape), &counts, c);
        let supp = suppression(&g, c);
        for (total, comps) in g.lines() {
            let hidden: Vec<usize> = comps.iter().copied().filter(|&j| supp[j]).collect();
            if supp[total] {
                prop_assert!(comps.is_empty() || !hidden.is_empty());
            } else if !hidden.is_empty() {
                prop_assert!(hidden.len() >= 2);
                prop_assert!(hidden.iter().map(|&j| g.counts[j]).sum::<u64>() >= c.threshold);
            }
        }
    }

    /// Without rounding (resolution 1) an attacker who subtracts the published cells of a line
    /// from its published total learns only the sum of two or more hidden cells, never one.
    #[test]
    fn differencing_never_recovers_a_suppressed_cell(
        (shape, counts) in table(), threshold in 2u64..15
    ) {
        let c = Control { threshold, resolution: 1 };
        let t = control(&dims(&shape), &counts, c);
        let g = grid(&dims(&shape), &counts, c);
        for (total, comps) in g.lines() {
            let Some(total_pub) = t.cells[total].count else { continue };
            let published: u64 = comps.iter().filter_map(|&j| t.cells[j].count).sum();
            let hidden: Vec<usize> = comps.iter().copied().filter(|&j| t.cells[j].suppressed).collect();
            for &j in &hidden {
                // Every value from 0 to the difference is consistent with what was published.
                let difference = total_pub - published;
                prop_assert!(hidden.len() >= 2);
                prop_assert!(difference >= c.threshold, "the hidden cells could all be small");
                prop_assert!(g.counts[j] <= difference);
            }
        }
    }

    #[test]
    fn summaries_need_k_and_percentiles_are_ordered(
        hist in prop::collection::vec((0i64..200, 0u64..30), 0..20),
        c in controls(), target in 0i64..200
    ) {
        let s = summarise(&hist, Some(target), c);
        let n: u64 = hist.iter().map(|(_, k)| k).sum();
        prop_assert_eq!(s.suppressed, c.rounded(n) < c.threshold);
        if !s.suppressed {
            let (m, p) = (s.median.unwrap_or(-1), s.p90.unwrap_or(-1));
            prop_assert!(m <= p);
            let min = hist.iter().filter(|(_, k)| *k > 0).map(|(v, _)| *v).min().unwrap_or(0);
            let max = hist.iter().filter(|(_, k)| *k > 0).map(|(v, _)| *v).max().unwrap_or(0);
            prop_assert!(min <= m && p <= max);
            prop_assert!(s.within_target_percent.unwrap_or(101) <= 100);
        }
    }
}

#[test]
fn a_small_cell_is_suppressed_with_a_partner_and_the_difference_reveals_nothing() {
    let c = Control {
        threshold: 10,
        resolution: 1,
    };
    let counts = vec![
        (vec!["2026-Q1".into(), "sexual".into()], 40),
        (vec!["2026-Q1".into(), "forced_labour".into()], 3),
        (vec!["2026-Q1".into(), "domestic_servitude".into()], 25),
        (vec!["2026-Q2".into(), "sexual".into()], 30),
        (vec!["2026-Q2".into(), "forced_labour".into()], 20),
        (vec!["2026-Q2".into(), "domestic_servitude".into()], 22),
    ];
    let dims = vec![
        Dimension::closed("quarter", &["2026-Q1", "2026-Q2"]),
        Dimension::closed("form", &["sexual", "forced_labour", "domestic_servitude"]),
    ];
    let t = control(&dims, &counts, c);
    let cell = |q: &str, f: &str| t.cell(&[("quarter", q), ("form", f)]).cloned();
    let small = cell("2026-Q1", "forced_labour").unwrap();
    assert!(small.suppressed && small.count.is_none());
    // The quarter total is published; subtracting the other published forms does not give 3.
    let q1_total = cell("2026-Q1", TOTAL).unwrap().count.unwrap();
    let others: u64 = ["sexual", "domestic_servitude"]
        .iter()
        .filter_map(|f| cell("2026-Q1", f).unwrap().count)
        .sum();
    assert_ne!(q1_total - others, 3);
    // Nor does the previous period: the form's total over both quarters minus Q2.
    let labour_total = cell(TOTAL, "forced_labour").unwrap();
    let labour_q2 = cell("2026-Q2", "forced_labour").unwrap();
    assert!(labour_total.count.is_none() || labour_q2.count.is_none());
}

#[test]
fn open_values_below_k_are_pooled_so_their_names_are_not_published() {
    let c = Control {
        threshold: 10,
        resolution: 10,
    };
    let counts = vec![
        (vec!["UA".into()], 120),
        (vec!["MD".into()], 4),
        (vec!["NG".into()], 3),
    ];
    let t = control(&[Dimension::open("nationality")], &counts, c);
    let names: Vec<&str> = t
        .cells
        .iter()
        .map(|c| c.keys["nationality"].as_str())
        .collect();
    assert_eq!(names, vec!["UA", "other", "total"]);
    assert!(t.cell(&[("nationality", "other")]).unwrap().suppressed);
    // The total is published, so UA is hidden too: otherwise total minus UA gives `other`.
    assert_eq!(t.cell(&[]).unwrap().count, Some(120));
    assert!(t.cell(&[("nationality", "UA")]).unwrap().suppressed);
}

proptest! {
    /// A release passes only if every combination of quasi-identifiers has at least k records.
    #[test]
    fn k_anonymity_holds_exactly_when_no_group_is_small(
        values in prop::collection::vec((0u8..4, 0u8..3), 0..80), k in 1u64..12
    ) {
        use std::collections::BTreeMap;
        let records: Vec<BTreeMap<String, String>> = values
            .iter()
            .map(|(a, b)| {
                [("gender".to_string(), a.to_string()), ("ageBroad".to_string(), b.to_string())]
                    .into_iter()
                    .collect()
            })
            .collect();
        let quasi = vec!["gender".to_string(), "ageBroad".to_string()];
        let mut groups: BTreeMap<(u8, u8), u64> = BTreeMap::new();
        for v in &values {
            *groups.entry(*v).or_default() += 1;
        }
        let ok = groups.values().all(|n| *n >= k);
        let result = harbour_statistics::kanon::check(&records, &quasi, k);
        prop_assert_eq!(result.is_ok(), ok);
        if let Err(r) = result {
            prop_assert!(r.smallest < k && r.records_at_risk >= r.smallest);
        }
    }
}

#[test]
fn a_two_dimensional_table_pivots_with_totals_last() {
    let c = Control {
        threshold: 1,
        resolution: 1,
    };
    let counts = vec![
        (vec!["2026-Q1".into(), "adult".into()], 5),
        (vec!["2026-Q1".into(), "child".into()], 4),
    ];
    let dims = vec![
        Dimension::closed("quarter", &["2026-Q1"]),
        Dimension::closed("age", &["adult", "child"]),
    ];
    let p = control(&dims, &counts, c).pivot().unwrap();
    assert_eq!(p.rows, vec!["2026-Q1", "total"]);
    assert_eq!(p.columns, vec!["adult", "child", "total"]);
    assert_eq!(p.cells[0], vec![Some(5), Some(4), Some(9)]);
}
