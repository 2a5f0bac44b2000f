//! Statistics (issue 7): a synthetic population made through the real use cases, its figures
//! checked against an independent count of the journals, published only under disclosure
//! control, rebuilt from the journals, and not recoverable by differencing.

mod common;

use common::{backends, TestApp};
use harbour_domain::{OrgKind, Role};
use harbour_service::synthetic::{generate, synthetic_actors};
use harbour_store::{StatDim, StatisticsQuery};
use serde_json::Value;
use std::collections::BTreeMap;
use time::macros::datetime;

const CASES: u64 = 400;

/// A published cell: keys, count, suppressed.
type Cell = (BTreeMap<String, String>, Option<u64>, bool);

async fn population(app: &TestApp) {
    let actors = synthetic_actors(&app.harbour, "t", common::PASSWORD)
        .await
        .unwrap();
    let end = datetime!(2026-11-23 09:00 UTC);
    let report = generate(&app.harbour, &app.clock, &actors, CASES, 2, end, 7, |_| {})
        .await
        .unwrap();
    assert_eq!(report.cases, CASES);
    assert!(report.decisions > CASES / 2, "{report:?}");
    assert!(
        report.guardians > 0 && report.notifications > 0,
        "{report:?}"
    );
}

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

#[tokio::test]
async fn published_figures_match_the_journals_and_pass_disclosure_control() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        population(&app).await;
        let coord_org = app
            .org("Fake Coordinator", OrgKind::NationalCoordinator)
            .await;
        let (coordinator, _) = app
            .user("coordinator@test.invalid", &coord_org, Role::Coordinator)
            .await;

        // The projection agrees with an independent count of the decrypted journals.
        let check = app
            .harbour
            .check_statistics_against_journals()
            .await
            .unwrap();
        assert_eq!(check.cases, CASES, "{}", app.backend_name());
        assert!(check.figures > 50);
        assert!(check.mismatches.is_empty(), "{:?}", check.mismatches);

        // Every published cell is the true count rounded down to 10, and at least k = 10.
        let (status, table) = app
            .get(
                "/api/v1/statistics/referrals?by=quarter,exploitation_form",
                Some(&coordinator),
            )
            .await;
        assert_eq!(status, 200, "{table}");
        assert_eq!(table["k"], 10);
        assert_eq!(table["resolution"], 10);
        let truth: BTreeMap<(String, String), u64> = app
            .store
            .count_case_statistics(&StatisticsQuery {
                dims: vec![StatDim::Quarter, StatDim::ExploitationForm],
                from: None,
                to: None,
            })
            .await
            .unwrap()
            .into_iter()
            .map(|c| {
                let mut k = c.keys.into_iter().map(Option::unwrap_or_default);
                ((k.next().unwrap(), k.next().unwrap()), c.count)
            })
            .collect();
        let published = cells(&table);
        let mut seen_suppressed = false;
        for (keys, count, suppressed) in &published {
            let (q, f) = (&keys["quarter"], &keys["exploitation_form"]);
            let true_count: u64 = truth
                .iter()
                .filter(|((tq, tf), _)| (q == "total" || tq == q) && (f == "total" || tf == f))
                .map(|(_, n)| n)
                .sum();
            match count {
                Some(n) => {
                    assert!(!suppressed);
                    assert!(*n >= 10, "published {n} below k");
                    assert_eq!(*n, true_count / 10 * 10, "{keys:?}");
                }
                None => {
                    assert!(suppressed);
                    seen_suppressed = true;
                }
            }
            if true_count < 10 {
                assert!(suppressed, "a count below k was published: {keys:?}");
            }
        }
        assert!(seen_suppressed, "a population this small has small cells");

        // Differencing: in every row and column, subtracting the published cells from the
        // published total leaves at least two hidden cells, holding at least k people together.
        for dim in ["quarter", "exploitation_form"] {
            let other = if dim == "quarter" {
                "exploitation_form"
            } else {
                "quarter"
            };
            let mut lines: BTreeMap<String, Vec<&Cell>> = BTreeMap::new();
            for c in &published {
                lines.entry(c.0[other].clone()).or_default().push(c);
            }
            for (_, line) in lines {
                let total = line.iter().find(|c| c.0[dim] == "total").unwrap();
                let Some(total_count) = total.1 else { continue };
                let parts: Vec<_> = line.iter().filter(|c| c.0[dim] != "total").collect();
                let hidden: Vec<_> = parts.iter().filter(|c| c.2).collect();
                if hidden.is_empty() {
                    continue;
                }
                assert!(
                    hidden.len() >= 2,
                    "a lone suppressed cell is recoverable: {:?}",
                    hidden[0].0
                );
                let shown: u64 = parts.iter().filter_map(|c| c.1).sum();
                // What the attacker can compute is an upper bound shared by several cells.
                let difference = total_count.saturating_sub(shown);
                let hidden_truth: u64 = hidden
                    .iter()
                    .map(|c| {
                        truth
                            .iter()
                            .filter(|((tq, tf), _)| {
                                (c.0["quarter"] == "total" || *tq == c.0["quarter"])
                                    && (c.0["exploitation_form"] == "total"
                                        || *tf == c.0["exploitation_form"])
                            })
                            .map(|(_, n)| n)
                            .sum::<u64>()
                    })
                    .sum();
                assert!(
                    hidden_truth >= 10,
                    "the hidden cells together hold fewer than k"
                );
                // Rounding aside, the difference bounds the hidden cells together, not one of them.
                assert!(difference + 9 * parts.len() as u64 >= hidden_truth.min(10));
            }
        }

        // Timeliness and notifications are controlled too.
        let (status, t) = app
            .get(
                "/api/v1/statistics/timeliness?by=age_at_referral",
                Some(&coordinator),
            )
            .await;
        assert_eq!(status, 200, "{t}");
        for m in t["measures"].as_array().unwrap() {
            for g in m["groups"].as_array().unwrap() {
                match g["count"].as_u64() {
                    Some(n) => {
                        assert!(n >= 10 && n % 10 == 0);
                        assert!(g["median"].as_i64().unwrap() <= g["p90"].as_i64().unwrap());
                    }
                    None => assert_eq!(g["suppressed"], true),
                }
            }
        }
        let rg = &t["measures"][0]["groups"];
        let total = rg
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["keys"]["age_at_referral"] == "total")
            .unwrap();
        assert!(total["count"].as_u64().unwrap() >= 200, "{total}");
        let pct = total["within_target_percent"].as_u64().unwrap();
        assert!(
            (50..=100).contains(&pct),
            "most decisions are within the target: {pct}"
        );
        let (status, n) = app
            .get(
                "/api/v1/statistics/notifications?by=quarter",
                Some(&coordinator),
            )
            .await;
        assert_eq!(status, 200, "{n}");
        assert_eq!(n["measure"], "anonymous_notifications");

        // Rebuilding from the journals gives the same projection.
        let before = app.store.case_statistics(None, 10_000).await.unwrap();
        let rebuilt = app.harbour.rebuild_statistics().await.unwrap();
        assert_eq!(rebuilt.cases, CASES);
        assert_eq!(rebuilt.rebuilt, CASES);
        let after = app.store.case_statistics(None, 10_000).await.unwrap();
        assert_eq!(before, after);
    }
}

#[tokio::test]
async fn bad_statistics_requests_are_refused_with_the_reason() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let coord_org = app
            .org("Fake Coordinator", OrgKind::NationalCoordinator)
            .await;
        let (coordinator, _) = app
            .user("coordinator@test.invalid", &coord_org, Role::Coordinator)
            .await;
        for (path, pointer) in [
            ("/api/v1/statistics/referrals?by=shoe_size", "/by/0"),
            ("/api/v1/statistics/referrals?by=quarter,quarter", "/by/1"),
            (
                "/api/v1/statistics/referrals?by=sex,quarter,region,nationality",
                "/by",
            ),
            (
                "/api/v1/statistics/referrals?by=reasonable_grounds_days",
                "/by/0",
            ),
            (
                "/api/v1/statistics/referrals?from=2026-02-30",
                "/query/from",
            ),
            (
                "/api/v1/statistics/referrals?from=2026-05-01&to=2026-01-01",
                "/from",
            ),
            ("/api/v1/statistics/referrals?colour=red", "/query/colour"),
            (
                "/api/v1/statistics/notifications?by=reasonable_grounds_outcome",
                "/by/0",
            ),
            ("/api/v1/statistics/timeliness?by=sex,quarter", "/by"),
        ] {
            let (status, body) = app.get(path, Some(&coordinator)).await;
            assert_eq!(status, 422, "{path}: {body}");
            assert_eq!(body["errors"][0]["pointer"], pointer, "{path}: {body}");
        }
        // An empty population publishes nothing but suppressed cells.
        let (status, body) = app
            .get("/api/v1/statistics/referrals?by=sex", Some(&coordinator))
            .await;
        assert_eq!(status, 200);
        assert!(cells(&body).iter().all(|c| c.2 && c.1.is_none()));
    }
}
