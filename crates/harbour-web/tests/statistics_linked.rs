//! Structural zeros and linked tables on real output (issue 7): a synthetic population made
//! through the use cases, read through the API and the dashboard; cells that are zero by
//! definition come out "not applicable" and never suppressed, and an attacker who combines
//! every table published together (interval propagation over all their rows, columns and
//! shared totals) pins no suppressed cell to fewer than k values.

mod common;

use common::{backends, TestApp};
use harbour_domain::{OrgKind, Role};
use harbour_service::statistics::StatisticsRequest;
use harbour_service::synthetic::{generate, synthetic_actors};
use harbour_statistics::disclosure::{exposed, exposed_with, PublishedCell, PublishedTable, SumOf};
use serde_json::Value;
use time::macros::datetime;

/// A published table read back from its JSON, as any reader of the API would.
fn table(v: &Value) -> PublishedTable {
    PublishedTable {
        dimensions: v["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect(),
        cells: v["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| PublishedCell {
                keys: c["keys"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect(),
                count: c["count"].as_u64(),
                suppressed: c["suppressed"].as_bool().unwrap(),
                not_applicable: c["not_applicable"].as_bool().unwrap(),
            })
            .collect(),
        k: v["k"].as_u64().unwrap(),
        resolution: v["resolution"].as_u64().unwrap(),
    }
}

#[tokio::test]
async fn structural_zeros_are_not_applicable_and_linked_tables_reveal_no_suppressed_cell() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let actors = synthetic_actors(&app.harbour, "l", common::PASSWORD)
            .await
            .unwrap();
        let end = datetime!(2026-11-23 09:00 UTC);
        generate(&app.harbour, &app.clock, &actors, 300, 2, end, 5, |_| {})
            .await
            .unwrap();
        let coord_org = app
            .org("Fake Coordinator", OrgKind::NationalCoordinator)
            .await;
        let (coordinator, _) = app
            .user("coordinator@test.invalid", &coord_org, Role::Coordinator)
            .await;
        let name = app.backend_name();

        // Decisions by quarter and outcome: "none" (no decision yet) has no outcome, and a
        // decided quarter has no "none" outcome. Those cells are not applicable, never hidden.
        let (status, rg) = app
            .get(
                "/api/v1/statistics/referrals?by=reasonable_grounds_quarter,reasonable_grounds_outcome",
                Some(&coordinator),
            )
            .await;
        assert_eq!(status, 200, "{rg}");
        let rg = table(&rg);
        let mut structural = 0;
        for cell in &rg.cells {
            let (q, o) = (
                &cell.keys["reasonable_grounds_quarter"],
                &cell.keys["reasonable_grounds_outcome"],
            );
            let impossible = q != "total" && o != "total" && ((q == "none") != (o == "none"));
            assert_eq!(cell.not_applicable, impossible, "{name}: {:?}", cell.keys);
            if impossible {
                structural += 1;
                assert!(
                    !cell.suppressed && cell.count == Some(0),
                    "{name}: {cell:?}"
                );
            }
        }
        assert!(structural >= 4, "{name}: several quarters of decisions");
        assert!(
            rg.cells.iter().any(|c| c.suppressed),
            "{name}: a population this small has suppressed cells"
        );
        assert!(exposed(&[("cases", &rg)]).is_empty(), "{name}");

        // Rights: "late" is not applicable to a right without a deadline; the three tables
        // of the answer are attacked together.
        let (status, r) = app
            .get("/api/v1/statistics/rights", Some(&coordinator))
            .await;
        assert_eq!(status, 200, "{r}");
        let no_deadline: Vec<String> = r["summary"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["deadline"] == false)
            .map(|s| s["keys"]["right"].as_str().unwrap().to_string())
            .collect();
        assert!(
            !no_deadline.is_empty(),
            "the catalogue has rights without a deadline"
        );
        let rights = table(&r["rights"]);
        for cell in &rights.cells {
            if no_deadline.contains(&cell.keys["right"]) && cell.keys["late"] == "yes" {
                assert!(cell.not_applicable && !cell.suppressed, "{name}: {cell:?}");
                assert_eq!(cell.count, Some(0));
            }
            assert!(!(cell.not_applicable && cell.suppressed));
        }
        let (compensation, cooperation) = (table(&r["compensation"]), table(&r["cooperation"]));
        assert!(exposed(&[
            ("eligible_rights", &rights),
            ("support_cases", &compensation),
            ("support_cases", &cooperation),
        ])
        .is_empty());

        // The dashboard (and so the export, which prints the same tables): every table it
        // publishes, attacked together through their shared totals.
        let d = app
            .harbour
            .statistics_for_publication(&StatisticsRequest::default())
            .await
            .unwrap();
        let together = [
            ("cases", &d.referrals_by_quarter.table),
            ("referral_forms", &d.referrals_by_form.table),
            ("cases", &d.referrals_by_referrer.table),
            ("cases", &d.reasonable_grounds.table),
            ("cases", &d.conclusive_grounds.table),
            ("anonymous_notifications", &d.notifications_by_quarter.table),
            ("eligible_rights", &d.rights.rights.table),
            ("support_cases", &d.rights.compensation.table),
            ("support_cases", &d.rights.cooperation.table),
        ];
        assert!(exposed(&together).is_empty(), "{name}");
        // The timeliness counts beside them are sums of decision cells (positive + negative):
        // with the counts the page shows, still nothing is pinned.
        let mut sums = Vec::new();
        for (t, measure, dim) in [
            (3, "reasonable_grounds", "reasonable_grounds_outcome"),
            (4, "conclusive_grounds", "conclusive_grounds_outcome"),
        ] {
            let m = d
                .timeliness
                .measures
                .iter()
                .find(|m| m.measure == measure)
                .unwrap();
            let Some(value) = m
                .groups
                .iter()
                .find(|g| g.keys.is_empty())
                .unwrap()
                .summary
                .count
            else {
                continue;
            };
            let parts = together[t]
                .1
                .cells
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.keys.iter().all(|(k, v)| {
                        if k == dim {
                            v == "positive" || v == "negative"
                        } else {
                            v == "total"
                        }
                    })
                })
                .map(|(i, _)| (t, i))
                .collect();
            sums.push(SumOf {
                value,
                resolution: 10,
                parts,
            });
        }
        assert!(exposed_with(&together, &sums).is_empty(), "{name}");
        // The shared grand total reads the same wherever it is published.
        let totals: Vec<Option<u64>> = [
            &d.referrals_by_quarter,
            &d.referrals_by_referrer,
            &d.reasonable_grounds,
            &d.conclusive_grounds,
        ]
        .iter()
        .map(|t| t.table.cell(&[]).unwrap().count)
        .collect();
        assert!(
            totals.windows(2).all(|w| w[0] == w[1]),
            "{name}: {totals:?}"
        );
        for cell in d.conclusive_grounds.table.cells.iter() {
            assert!(!(cell.not_applicable && cell.suppressed));
        }
    }
}
