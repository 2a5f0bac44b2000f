//! The coordinator's dashboard: headline figures, trends by quarter as a server-rendered SVG
//! chart, the published tables, timeliness and the late list (counts only). Everything shown
//! has passed disclosure control in the service; suppressed cells read "[x]", cells that are zero
//! by definition read "not applicable" in the reader's language.

use super::i18n::{t, tr, Lang};
use super::{render, Ctx, Web};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::{FluentArgs, FluentValue};
use harbour_service::statistics::{ControlledTable, Dashboard, RightsReport, StatisticsRequest};
use harbour_statistics::disclosure::{Pivot, TOTAL};
use std::collections::HashMap;

pub struct Figure {
    pub label: String,
    pub value: String,
}

pub struct TableView {
    pub id: String,
    pub caption: String,
    pub row_head: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    c: Ctx,
    note: String,
    headlines: Vec<Figure>,
    chart: String,
    chart_caption: String,
    tables: Vec<TableView>,
    timeliness: TableView,
    late: Vec<Figure>,
    rights: RightsSection,
    error: String,
}

/// The rights section: a table per right, a chart of rights granted, the rights late now and
/// compensation and cooperation figures, all read from controlled output.
#[derive(Default)]
pub struct RightsSection {
    pub table: Option<TableView>,
    pub chart: String,
    pub late_title: String,
    pub late: Vec<Figure>,
    pub redress: Vec<Figure>,
    pub amounts_note: String,
}

const SUPPRESSED: &str = "[x]";

fn shown(n: Option<u64>) -> String {
    n.map_or(SUPPRESSED.to_string(), |n| n.to_string())
}

/// A dimension value in the reader's language.
fn value_label(lang: Lang, dim: &str, v: &str) -> String {
    if v == TOTAL {
        return t(lang, "stats-total");
    }
    match dim {
        "exploitation_form" => t(lang, &format!("form-{v}")),
        "referrer_kind" => t(lang, &format!("org-kind-{v}")),
        "age_at_referral" | "age_at_exploitation" => t(lang, &format!("stats-age-{v}")),
        "reasonable_grounds_outcome" | "conclusive_grounds_outcome" => {
            t(lang, &format!("stats-outcome-{v}"))
        }
        "reasonable_grounds_quarter" | "conclusive_grounds_quarter" if v == "none" => {
            t(lang, "stats-outcome-none")
        }
        "count" => t(lang, "stats-count"),
        _ => v.to_string(),
    }
}

fn table_view(
    lang: Lang,
    id: &str,
    caption_key: &str,
    table: &ControlledTable,
) -> Option<TableView> {
    let p: Pivot = table.table.pivot()?;
    let col_dim = p.column_dimension.clone().unwrap_or_default();
    Some(TableView {
        id: id.into(),
        caption: t(lang, caption_key),
        row_head: t(lang, &format!("stats-dim-{}", p.row_dimension)),
        columns: p
            .columns
            .iter()
            .map(|c| {
                value_label(
                    lang,
                    if col_dim.is_empty() {
                        "count"
                    } else {
                        &col_dim
                    },
                    c,
                )
            })
            .collect(),
        rows: p
            .rows
            .iter()
            .zip(p.cells.iter().zip(&p.not_applicable))
            .map(|(r, (cells, na))| {
                (
                    value_label(lang, &p.row_dimension, r),
                    cells
                        .iter()
                        .zip(na)
                        .map(|(c, na)| {
                            if *na {
                                t(lang, "stats-not-applicable")
                            } else {
                                shown(*c)
                            }
                        })
                        .collect(),
                )
            })
            .collect(),
    })
}

fn period(params: &HashMap<String, String>) -> StatisticsRequest {
    // A bad date on this page is ignored rather than refused: the page shows everything.
    let day = |k: &str| {
        params
            .get(k)
            .and_then(|v| harbour_domain::person::parse_date(v).ok())
    };
    StatisticsRequest {
        from: day("from"),
        to: day("to"),
        by: vec![],
    }
}

fn page(lang: Lang, web: &Web, d: &Dashboard) -> StatisticsPage {
    let total = |t: &ControlledTable, keys: &[(&str, &str)]| {
        shown(t.table.cell(keys).and_then(|c| c.count))
    };
    let q = &d.referrals_by_quarter;
    let headlines = vec![
        Figure {
            label: t(lang, "stats-referrals"),
            value: total(q, &[]),
        },
        Figure {
            label: t(lang, "stats-children"),
            value: total(q, &[("age_at_exploitation", "child")]),
        },
        Figure {
            label: t(lang, "stats-rg-positive"),
            value: total(
                &d.reasonable_grounds,
                &[("reasonable_grounds_outcome", "positive")],
            ),
        },
        Figure {
            label: t(lang, "stats-cg-positive"),
            value: total(
                &d.conclusive_grounds,
                &[("conclusive_grounds_outcome", "positive")],
            ),
        },
        Figure {
            label: t(lang, "stats-notifications"),
            value: total(&d.notifications_by_quarter, &[]),
        },
    ];
    let quarters: Vec<(String, Option<u64>)> = q
        .table
        .cells
        .iter()
        .filter(|c| c.keys["age_at_exploitation"] == TOTAL && c.keys["quarter"] != TOTAL)
        .map(|c| (c.keys["quarter"].clone(), c.count))
        .collect();
    let tables = [
        ("by-quarter", "stats-table-quarter", q),
        ("by-form", "stats-table-form", &d.referrals_by_form),
        (
            "by-referrer",
            "stats-table-referrer",
            &d.referrals_by_referrer,
        ),
        ("rg", "stats-table-rg", &d.reasonable_grounds),
        ("cg", "stats-table-cg", &d.conclusive_grounds),
        (
            "notifications",
            "stats-table-notifications",
            &d.notifications_by_quarter,
        ),
    ]
    .iter()
    .filter_map(|(id, key, table)| table_view(lang, id, key, table))
    .collect();
    let timeliness = TableView {
        id: "timeliness".into(),
        caption: t(lang, "stats-table-timeliness"),
        row_head: t(lang, "stats-measure"),
        columns: [
            "stats-count",
            "stats-median",
            "stats-p90",
            "stats-within-target",
        ]
        .iter()
        .map(|k| t(lang, k))
        .collect(),
        rows: d
            .timeliness
            .measures
            .iter()
            .flat_map(|m| {
                m.groups.iter().map(move |g| {
                    let s = &g.summary;
                    let unit = t(lang, &format!("stats-unit-{}", m.unit));
                    let v = |x: Option<i64>| {
                        x.map_or(SUPPRESSED.to_string(), |x| format!("{x} {unit}"))
                    };
                    (
                        t(lang, &format!("stats-measure-{}", m.measure)),
                        vec![
                            shown(s.count),
                            v(s.median),
                            v(s.p90),
                            match (s.within_target_percent, s.suppressed) {
                                (Some(p), _) => format!("{p} %"),
                                // No policy target for this measure: nothing to compare with.
                                (None, false) => "–".to_string(),
                                (None, true) => SUPPRESSED.to_string(),
                            },
                        ],
                    )
                })
            })
            .collect(),
    };
    let late = d
        .late
        .table
        .cells
        .iter()
        .map(|c| Figure {
            label: t(lang, &format!("stats-late-{}", c.keys["late"])),
            value: shown(c.count),
        })
        .collect();
    let mut args = FluentArgs::new();
    args.set("k", FluentValue::from(q.table.k.to_string()));
    args.set(
        "resolution",
        FluentValue::from(q.table.resolution.to_string()),
    );
    args.set(
        "asof",
        FluentValue::from(super::i18n::date(lang, q.as_of.date())),
    );
    let note = format!(
        "{} {}",
        tr(lang, "stats-note", Some(&args)),
        t(lang, "stats-not-applicable-note")
    );
    StatisticsPage {
        c: web.ctx(t(lang, "stats-title")),
        note,
        headlines,
        chart: crate::charts::bar_chart(
            &crate::charts::ChartText {
                title: t(lang, "stats-chart-title"),
                description: t(lang, "stats-chart-desc"),
                suppressed: t(lang, "stats-suppressed"),
            },
            &quarters,
        ),
        chart_caption: t(lang, "stats-chart-title"),
        tables,
        timeliness,
        late,
        rights: rights_section(lang, &d.rights),
        error: String::new(),
    }
}

fn rights_section(lang: Lang, r: &RightsReport) -> RightsSection {
    let right_label = |code: &str| {
        if code == TOTAL {
            t(lang, "stats-rights-all")
        } else {
            t(lang, &format!("right-{code}"))
        }
    };
    let pct = |p: Option<u64>| p.map_or(SUPPRESSED.to_string(), |p| format!("{p} %"));
    let summaries: Vec<_> = r.summary.iter().collect();
    let table = TableView {
        id: "rights".into(),
        caption: t(lang, "stats-rights-table"),
        row_head: t(lang, "stats-rights-right"),
        columns: [
            "stats-rights-eligible",
            "stats-rights-informed",
            "stats-rights-granted",
            "stats-rights-refused",
            "stats-rights-waived",
            "stats-rights-late",
            "stats-rights-granted-share",
            "stats-rights-late-share",
        ]
        .iter()
        .map(|k| t(lang, k))
        .collect(),
        rows: summaries
            .iter()
            .map(|s| {
                // A right without a deadline is never late: not applicable, not zero.
                let na = || t(lang, "stats-not-applicable");
                let late = |v: Option<u64>| if s.deadline { shown(v) } else { na() };
                let late_pct = |v: Option<u64>| if s.deadline { pct(v) } else { na() };
                (
                    right_label(&s.keys["right"]),
                    vec![
                        shown(s.eligible),
                        shown(s.informed),
                        shown(s.granted),
                        shown(s.refused),
                        shown(s.waived),
                        late(s.late),
                        pct(s.granted_percent),
                        late_pct(s.late_percent),
                    ],
                )
            })
            .collect(),
    };
    let bars: Vec<(String, Option<u64>)> = summaries
        .iter()
        .filter(|s| s.keys["right"] != TOTAL)
        .map(|s| (right_label(&s.keys["right"]), s.granted))
        .collect();
    let chart = crate::charts::horizontal_bar_chart(
        "rights-chart",
        &crate::charts::ChartText {
            title: t(lang, "stats-rights-chart-title"),
            description: t(lang, "stats-rights-chart-desc"),
            suppressed: t(lang, "stats-suppressed"),
        },
        &bars,
    );
    // Only rights with a deadline can be late; the list shows those, counts only.
    let late = summaries
        .iter()
        .filter(|s| s.keys["right"] != TOTAL)
        .filter(|s| s.deadline)
        .map(|s| Figure {
            label: right_label(&s.keys["right"]),
            value: shown(s.late),
        })
        .collect();
    let mut args = FluentArgs::new();
    args.set(
        "day",
        FluentValue::from(super::i18n::date(lang, r.late_as_at)),
    );
    let all = r.redress.iter().find(|x| x.keys.is_empty());
    let figure = |key: &str, v: Option<u64>| Figure {
        label: t(lang, key),
        value: shown(v),
    };
    let redress = match all {
        Some(x) => {
            let mut v = vec![
                figure("stats-redress-claimed", x.compensation_claimed),
                figure("stats-redress-awarded", x.compensation_awarded),
                figure("stats-redress-paid", x.compensation_paid),
                figure("stats-redress-declined", x.cooperation_declined),
                figure(
                    "stats-redress-continuing",
                    x.support_continuing_after_decline,
                ),
            ];
            for a in &r.amounts {
                let mut args = FluentArgs::new();
                args.set(
                    "stage",
                    FluentValue::from(t(lang, &format!("stats-redress-{}", a.stage))),
                );
                args.set("currency", FluentValue::from(a.currency.clone()));
                v.push(Figure {
                    label: tr(lang, "stats-redress-amount", Some(&args)),
                    value: format!("{}.{:02}", a.amount_minor / 100, a.amount_minor % 100),
                });
            }
            v
        }
        None => vec![],
    };
    RightsSection {
        table: Some(table),
        chart,
        late_title: tr(lang, "stats-rights-late-title", Some(&args)),
        late,
        redress,
        amounts_note: if r.amounts_suppressed {
            t(lang, "stats-redress-amounts-suppressed")
        } else {
            String::new()
        },
    }
}

pub async fn dashboard(
    State(s): State<AppState>,
    web: Web,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let lang = web.lang;
    if !harbour_service::statistics::may_read_statistics(&web.actor) {
        return super::forbidden_page(&web);
    }
    match s
        .harbour
        .statistics_dashboard(&web.actor, &period(&params))
        .await
    {
        Ok(d) => render(StatusCode::OK, &page(lang, &web, &d)),
        Err(e) => {
            let message = super::service_message(lang, &e);
            render(
                StatusCode::INTERNAL_SERVER_ERROR,
                &StatisticsPage {
                    c: web.ctx(t(lang, "stats-title")),
                    note: String::new(),
                    headlines: vec![],
                    chart: String::new(),
                    chart_caption: String::new(),
                    tables: vec![],
                    timeliness: TableView {
                        id: "timeliness".into(),
                        caption: String::new(),
                        row_head: String::new(),
                        columns: vec![],
                        rows: vec![],
                    },
                    late: vec![],
                    rights: RightsSection::default(),
                    error: message,
                },
            )
        }
    }
}

/// Keys built from values at run time (checked by the locale test).
pub fn dynamic_keys() -> Vec<String> {
    let mut k = Vec::new();
    k.extend(
        ["adult", "child", "unknown"]
            .iter()
            .map(|v| format!("stats-age-{v}")),
    );
    k.extend(
        ["positive", "negative", "none"]
            .iter()
            .map(|v| format!("stats-outcome-{v}")),
    );
    k.extend(
        [
            "quarter",
            "exploitation_form",
            "referrer_kind",
            "reasonable_grounds_quarter",
            "conclusive_grounds_quarter",
        ]
        .iter()
        .map(|v| format!("stats-dim-{v}")),
    );
    k.extend(["days", "hours"].iter().map(|v| format!("stats-unit-{v}")));
    k.extend(
        [
            "reasonable_grounds",
            "conclusive_grounds",
            "guardian_appointment",
            "service_acceptance",
        ]
        .iter()
        .map(|v| format!("stats-measure-{v}")),
    );
    k.extend(
        [
            "reasonable_grounds_overdue",
            "awaiting_conclusive_grounds",
            "guardian_not_appointed",
            "guardian_appointed_late",
        ]
        .iter()
        .map(|v| format!("stats-late-{v}")),
    );
    k.extend(
        ["claimed", "awarded", "paid"]
            .iter()
            .map(|v| format!("stats-redress-{v}")),
    );
    k
}
