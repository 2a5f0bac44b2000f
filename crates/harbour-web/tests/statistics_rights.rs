//! Rights access statistics (issue 7, "Rights access"): a synthetic population with rights,
//! shelter referrals and justice records made through the real use cases; the projection's
//! figures equal an independent count of the decrypted journals; every published cell is the
//! true count rounded down and at least k; a suppressed cell cannot be recovered by
//! subtracting published cells from a published total, along any line of the table.

mod common;

use common::{backends, TestApp};
use harbour_domain::{OrgKind, Role};
use harbour_service::synthetic::{generate, synthetic_actors};
use harbour_store::{SupportMeasure, SupportQuery};
use serde_json::Value;
use std::collections::BTreeMap;
use time::macros::{date, datetime};

const CASES: u64 = 400;

type Keys = BTreeMap<String, String>;
/// A published cell: keys, count, suppressed.
type Cell = (Keys, Option<u64>, bool);

fn cells(table: &Value) -> Vec<Cell> {
    table["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let keys = c["keys"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect();
            (
                keys,
                c["count"].as_u64(),
                c["suppressed"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// The true count behind a published cell: the sum of the leaf counts it covers.
fn truth_of(truth: &BTreeMap<Vec<String>, u64>, dims: &[&str], keys: &Keys) -> u64 {
    truth
        .iter()
        .filter(|(k, _)| {
            dims.iter()
                .zip(k.iter())
                .all(|(d, v)| keys[*d] == "total" || &keys[*d] == v)
        })
        .map(|(_, n)| n)
        .sum()
}

/// Every published cell is its true count rounded down to the resolution and at least k; every
/// line with a suppressed cell and a published total hides at least two cells holding at
/// least k people together, so subtracting recovers neither of them.
fn assert_controlled(
    published: &[Cell],
    dims: &[&str],
    truth: &BTreeMap<Vec<String>, u64>,
    what: &str,
) -> usize {
    let mut suppressed = 0;
    for (keys, count, hidden) in published {
        let t = truth_of(truth, dims, keys);
        if *count == Some(0) {
            // Only a structural zero is published as 0 (late for a right without a deadline).
            assert!(!hidden && t == 0, "{what}: {keys:?} published as 0");
            continue;
        }
        match count {
            Some(n) => {
                assert!(!hidden);
                assert!(*n >= 10, "{what}: published {n} below k at {keys:?}");
                assert_eq!(*n, t / 10 * 10, "{what}: {keys:?}");
            }
            None => {
                assert!(hidden);
                suppressed += 1;
            }
        }
        if t < 10 {
            assert!(hidden, "{what}: a count below k was published: {keys:?}");
        }
    }
    for dim in dims {
        // Lines along `dim`: cells that agree on every other dimension.
        let mut lines: BTreeMap<Vec<String>, Vec<&Cell>> = BTreeMap::new();
        for c in published {
            let rest: Vec<String> = dims
                .iter()
                .filter(|d| *d != dim)
                .map(|d| c.0[*d].clone())
                .collect();
            lines.entry(rest).or_default().push(c);
        }
        for (rest, line) in lines {
            let total = line.iter().find(|c| c.0[*dim] == "total").unwrap();
            if total.1.is_none() {
                continue;
            }
            let parts: Vec<_> = line.iter().filter(|c| c.0[*dim] != "total").collect();
            let hidden: Vec<_> = parts.iter().filter(|c| c.2).collect();
            if hidden.is_empty() {
                continue;
            }
            assert!(
                hidden.len() >= 2,
                "{what}: along {dim} at {rest:?} a lone suppressed cell is total minus the rest: {:?}",
                hidden[0].0
            );
            let hidden_truth: u64 = hidden.iter().map(|c| truth_of(truth, dims, &c.0)).sum();
            assert!(
                hidden_truth >= 10,
                "{what}: the hidden cells along {dim} at {rest:?} hold fewer than k together"
            );
        }
    }
    suppressed
}

#[tokio::test]
async fn rights_figures_match_the_journals_and_no_suppressed_cell_is_recoverable() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let actors = synthetic_actors(&app.harbour, "r", common::PASSWORD)
            .await
            .unwrap();
        let end = datetime!(2026-11-23 09:00 UTC);
        let report = generate(&app.harbour, &app.clock, &actors, CASES, 2, end, 11, |_| {})
            .await
            .unwrap();
        assert!(
            report.rights_recorded > CASES && report.service_referrals > 20,
            "the population has rights and services: {report:?}"
        );
        assert!(report.justice_records > 20, "{report:?}");
        let coord_org = app
            .org("Fake Coordinator", OrgKind::NationalCoordinator)
            .await;
        let (coordinator, _) = app
            .user("coordinator@test.invalid", &coord_org, Role::Coordinator)
            .await;

        // The projection equals a count of the decrypted journals made without it.
        let check = app
            .harbour
            .check_statistics_against_journals()
            .await
            .unwrap();
        assert!(check.mismatches.is_empty(), "{:?}", check.mismatches);
        assert_eq!(check.cases, CASES);

        let (status, r) = app
            .get("/api/v1/statistics/rights", Some(&coordinator))
            .await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["k"], 10);
        assert_eq!(r["late_as_at"], "2026-11-23");

        // Truth straight from the projection (the check above tied it to the journals).
        let today = date!(2026 - 11 - 23);
        let count = |measure| {
            let store = app.store.clone();
            async move {
                store
                    .count_support_statistics(&SupportQuery {
                        measure,
                        by: vec![],
                        from: None,
                        to: None,
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|c| {
                        let keys: Vec<String> = c
                            .keys
                            .into_iter()
                            .map(|k| match k.as_deref() {
                                Some("1") => "yes".to_string(),
                                Some("0") => "no".to_string(),
                                _ => k.unwrap_or_default(),
                            })
                            .collect();
                        (keys, c.count)
                    })
                    .collect::<BTreeMap<Vec<String>, u64>>()
            }
        };
        let rights_truth = count(SupportMeasure::Rights { as_of: today }).await;
        let eligible: u64 = rights_truth.values().sum();
        assert!(
            eligible > CASES * 10,
            "every person is eligible for many rights"
        );
        let published = cells(&r["rights"]);
        let hidden = assert_controlled(
            &published,
            &["right", "status", "late"],
            &rights_truth,
            "rights",
        );
        assert!(hidden > 0, "a population this small has small cells");
        let comp_truth = count(SupportMeasure::Compensation).await;
        assert_controlled(
            &cells(&r["compensation"]),
            &["compensation"],
            &comp_truth,
            "compensation",
        );
        let coop_truth = count(SupportMeasure::Cooperation).await;
        assert_controlled(
            &cells(&r["cooperation"]),
            &["cooperation"],
            &coop_truth,
            "cooperation",
        );

        // The information right: every person is eligible, most were informed, and the figures
        // of the summary are the published cells (shares of the published eligible).
        let info = r["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["keys"]["right"] == "information")
            .unwrap();
        let info_truth: u64 = rights_truth
            .iter()
            .filter(|(k, _)| k[0] == "information")
            .map(|(_, n)| n)
            .sum();
        assert_eq!(info_truth, CASES, "information applies to everyone");
        assert_eq!(info["eligible"], CASES / 10 * 10);
        let informed = info["informed"].as_u64();
        if let Some(n) = informed {
            assert!(n >= CASES / 2, "{info}");
            assert_eq!(
                info["informed_percent"].as_u64().unwrap(),
                n * 100 / (CASES / 10 * 10)
            );
        }
        let late_truth: u64 = rights_truth
            .iter()
            .filter(|(k, _)| k[0] == "information" && k[2] == "yes")
            .map(|(_, n)| n)
            .sum();
        match info["late"].as_u64() {
            Some(n) => assert_eq!(n, late_truth / 10 * 10),
            None => assert!(info["late_percent"].is_null()),
        }

        // Service referral to acceptance, in the rights report and the timeliness report.
        let waits = &r["service_acceptance"]["groups"][0];
        assert_eq!(r["service_acceptance"]["measure"], "service_acceptance");
        if let Some(n) = waits["count"].as_u64() {
            assert!(n >= 10 && n % 10 == 0);
            assert!(waits["median"].as_i64().unwrap() <= waits["p90"].as_i64().unwrap());
            assert!(
                waits["p90"].as_i64().unwrap() <= 14,
                "accepted within two weeks"
            );
        }
        let (status, t) = app
            .get("/api/v1/statistics/timeliness", Some(&coordinator))
            .await;
        assert_eq!(status, 200, "{t}");
        let measures: Vec<&str> = t["measures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["measure"].as_str().unwrap())
            .collect();
        assert!(measures.contains(&"service_acceptance"), "{measures:?}");

        // By quarter, the same control holds across periods: a quarter's hidden right cannot
        // be had from the total minus the other quarters.
        let (status, q) = app
            .get("/api/v1/statistics/rights?by=quarter", Some(&coordinator))
            .await;
        assert_eq!(status, 200, "{q}");
        let by_quarter = {
            let store = app.store.clone();
            store
                .count_support_statistics(&SupportQuery {
                    measure: SupportMeasure::Rights { as_of: today },
                    by: vec![harbour_store::StatDim::Quarter],
                    from: None,
                    to: None,
                })
                .await
                .unwrap()
                .into_iter()
                .map(|c| {
                    let mut keys: Vec<String> =
                        c.keys.into_iter().map(Option::unwrap_or_default).collect();
                    keys[3] = if keys[3] == "1" { "yes" } else { "no" }.into();
                    (keys, c.count)
                })
                .collect::<BTreeMap<Vec<String>, u64>>()
        };
        assert_controlled(
            &cells(&q["rights"]),
            &["quarter", "right", "status", "late"],
            &by_quarter,
            "rights by quarter",
        );

        // Compensation sums are published only when every compensation cell is.
        let comp_hidden = cells(&r["compensation"]).iter().any(|c| c.2);
        if comp_hidden {
            assert_eq!(r["amounts_suppressed"], true);
            assert!(r["amounts"].as_array().unwrap().is_empty());
        }

        // The rights of a rebuilt projection are the same rights.
        let before = count(SupportMeasure::Rights { as_of: today }).await;
        app.harbour.rebuild_statistics().await.unwrap();
        assert_eq!(before, count(SupportMeasure::Rights { as_of: today }).await);

        // More than one breakdown is refused with the reason.
        let (status, body) = app
            .get(
                "/api/v1/statistics/rights?by=quarter,sex",
                Some(&coordinator),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["pointer"], "/by");
    }
}
