//! Rights access (issue 7, "Rights access"): per right, how many eligible persons were informed,
//! granted, refused, waived it, and how many are late; compensation claimed, awarded and paid;
//! cooperation declined and support continuing; the wait from service referral to acceptance.
//!
//! Every figure comes from a controlled table. Each table is a partition of its whole (a right's
//! eligible persons by the status the tracker shows and by lateness; cases by the furthest
//! compensation stage; cases by cooperation outcome), so rows, columns and totals are checked
//! together by secondary suppression. Cumulative figures ("informed", "claimed", "declined")
//! are sums of published cells only, and nothing when one of them is suppressed: they say no
//! more than the table they are read from.

use super::{check_period, dimension, forbid, label, may_read_statistics, parse_dims};
use super::{ControlledTable, GroupSummary, MeasureReport, StatisticsRequest};
use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_domain::support::RightStatus;
use harbour_statistics::disclosure::{
    control_linked, Control, Dimension, KeyMatch, PublishedTable, StructuralZero, TableSpec, TOTAL,
};
use harbour_statistics::summarise;
use harbour_statistics::support::{CompensationStage, CooperationOutcome};
use harbour_store::{StatDim, SupportMeasure, SupportQuery};
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;

/// Every right status, in the tracker's order (a partition of the eligible persons).
pub const RIGHT_STATUSES: [RightStatus; 7] = [
    RightStatus::NotYetInformed,
    RightStatus::Informed,
    RightStatus::Requested,
    RightStatus::Granted,
    RightStatus::Refused,
    RightStatus::Waived,
    RightStatus::NotApplicable,
];

/// Statuses that say the person has been told of the right (or acted on it).
const INFORMED: [&str; 5] = ["informed", "requested", "granted", "refused", "waived"];

/// One right (or all rights, `right = total`) in one group, read from the published table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RightSummary {
    /// The group's keys (the `by` dimensions) and `right`.
    pub keys: BTreeMap<String, String>,
    /// The right has a deadline in the catalogue (only such a right can be late).
    pub deadline: bool,
    pub eligible: Option<u64>,
    pub informed: Option<u64>,
    pub granted: Option<u64>,
    pub refused: Option<u64>,
    pub waived: Option<u64>,
    pub late: Option<u64>,
    /// Whole per cent of the eligible (rounded down), from published counts only.
    pub informed_percent: Option<u64>,
    pub granted_percent: Option<u64>,
    pub refused_percent: Option<u64>,
    pub waived_percent: Option<u64>,
    pub late_percent: Option<u64>,
}

/// Cumulative compensation and cooperation figures of one group, from published cells.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RedressSummary {
    pub keys: BTreeMap<String, String>,
    pub cases: Option<u64>,
    pub compensation_claimed: Option<u64>,
    pub compensation_awarded: Option<u64>,
    pub compensation_paid: Option<u64>,
    pub cooperation_declined: Option<u64>,
    pub support_continuing_after_decline: Option<u64>,
}

/// The sum of compensation at one stage in one currency, over the whole period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AmountLine {
    pub stage: &'static str,
    pub currency: String,
    /// Cases contributing, rounded down to the resolution.
    pub cases: u64,
    pub amount_minor: u64,
}

/// The rights-access report (`GET /api/v1/statistics/rights`).
#[derive(Clone, Debug, Serialize)]
pub struct RightsReport {
    /// Eligible person × right by status and lateness (and the `by` dimensions).
    pub rights: ControlledTable,
    pub summary: Vec<RightSummary>,
    /// Cases by the furthest compensation stage reached.
    pub compensation: ControlledTable,
    /// Cases by the person's cooperation choice and whether support went on after a refusal.
    pub cooperation: ControlledTable,
    pub redress: Vec<RedressSummary>,
    /// Sums per stage and currency: published only when every compensation cell is published
    /// and at least k cases contribute to the sum; otherwise empty and `amounts_suppressed`.
    pub amounts: Vec<AmountLine>,
    pub amounts_suppressed: bool,
    /// Days from service referral to acceptance (median, 90th percentile).
    pub service_acceptance: MeasureReport,
    /// Lateness is counted as at this day: the end of the period, or today.
    #[serde(with = "day")]
    pub late_as_at: Date,
    pub k: u64,
    pub resolution: u64,
}

mod day {
    use serde::Serializer;
    use time::Date;
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&harbour_domain::person::format_date(*d))
    }
}

fn percent(part: Option<u64>, whole: Option<u64>) -> Option<u64> {
    match (part, whole) {
        (Some(p), Some(w)) if w > 0 => Some(p.min(w) * 100 / w),
        _ => None,
    }
}

/// The sum of published cells, or nothing if one of them is suppressed (or missing).
fn published_sum(cells: &[Option<u64>]) -> Option<u64> {
    cells.iter().copied().sum()
}

/// Keys of a cell without the named dimensions.
fn group_keys(keys: &BTreeMap<String, String>, drop: &[&str]) -> BTreeMap<String, String> {
    keys.iter()
        .filter(|(k, _)| !drop.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The published count of the cell with `base` keys plus `extra`.
fn lookup(
    index: &BTreeMap<BTreeMap<String, String>, Option<u64>>,
    base: &BTreeMap<String, String>,
    extra: &[(&str, &str)],
) -> Option<u64> {
    let mut k = base.clone();
    for (d, v) in extra {
        k.insert(d.to_string(), v.to_string());
    }
    index.get(&k).copied().flatten()
}

fn index_of(t: &PublishedTable) -> BTreeMap<BTreeMap<String, String>, Option<u64>> {
    t.cells.iter().map(|c| (c.keys.clone(), c.count)).collect()
}

/// The per-right summary of a controlled rights table.
pub fn right_summaries(t: &PublishedTable) -> Vec<RightSummary> {
    let index = index_of(t);
    t.cells
        .iter()
        .filter(|c| c.keys.get("status").map(String::as_str) == Some(TOTAL))
        .filter(|c| c.keys.get("late").map(String::as_str) == Some(TOTAL))
        .map(|c| {
            let base = group_keys(&c.keys, &["status", "late"]);
            let status = |s: &str| lookup(&index, &base, &[("status", s), ("late", TOTAL)]);
            let eligible = c.count;
            let informed = published_sum(&INFORMED.iter().map(|s| status(s)).collect::<Vec<_>>());
            let granted = status("granted");
            let refused = status("refused");
            let waived = status("waived");
            let late = lookup(&index, &base, &[("status", TOTAL), ("late", "yes")]);
            RightSummary {
                keys: base,
                deadline: false,
                eligible,
                informed,
                granted,
                refused,
                waived,
                late,
                informed_percent: percent(informed, eligible),
                granted_percent: percent(granted, eligible),
                refused_percent: percent(refused, eligible),
                waived_percent: percent(waived, eligible),
                late_percent: percent(late, eligible),
            }
        })
        .collect()
}

/// Cumulative compensation and cooperation figures per group.
pub fn redress_summaries(
    compensation: &PublishedTable,
    cooperation: &PublishedTable,
) -> Vec<RedressSummary> {
    let comp = index_of(compensation);
    let coop = index_of(cooperation);
    compensation
        .cells
        .iter()
        .filter(|c| c.keys.get("compensation").map(String::as_str) == Some(TOTAL))
        .map(|c| {
            let base = group_keys(&c.keys, &["compensation"]);
            let stage = |s: &str| lookup(&comp, &base, &[("compensation", s)]);
            let outcome = |s: &str| lookup(&coop, &base, &[("cooperation", s)]);
            RedressSummary {
                keys: base.clone(),
                cases: c.count,
                compensation_claimed: published_sum(&[
                    stage("claimed"),
                    stage("awarded"),
                    stage("paid"),
                ]),
                compensation_awarded: published_sum(&[stage("awarded"), stage("paid")]),
                compensation_paid: stage("paid"),
                cooperation_declined: published_sum(&[
                    outcome("declined_support_continuing"),
                    outcome("declined_no_support_after"),
                ]),
                support_continuing_after_decline: outcome("declined_support_continuing"),
            }
        })
        .collect()
}

fn flag_label(v: Option<String>) -> String {
    if v.as_deref() == Some("1") {
        "yes"
    } else {
        "no"
    }
    .to_string()
}

impl Harbour {
    async fn support_spec(
        &self,
        unit: &str,
        q: SupportQuery,
        own: Vec<Dimension>,
        structural: Vec<StructuralZero>,
        req: &StatisticsRequest,
    ) -> ServiceResult<TableSpec> {
        let rights = matches!(q.measure, SupportMeasure::Rights { .. });
        let counts: Vec<(Vec<String>, u64)> = self
            .store
            .count_support_statistics(&q)
            .await?
            .into_iter()
            .map(|c| {
                let n = q.by.len();
                let mut keys: Vec<String> = c
                    .keys
                    .iter()
                    .take(n)
                    .zip(&q.by)
                    .map(|(k, d)| label(*d, k.clone()))
                    .collect();
                let own_keys = c.keys.into_iter().skip(n);
                if rights {
                    let mut it = own_keys;
                    keys.push(it.next().flatten().unwrap_or_default());
                    keys.push(it.next().flatten().unwrap_or_default());
                    keys.push(flag_label(it.next().flatten()));
                } else {
                    keys.extend(own_keys.map(Option::unwrap_or_default));
                }
                (keys, c.count)
            })
            .collect();
        let mut dims: Vec<Dimension> = q.by.iter().map(|d| dimension(*d, req)).collect();
        dims.extend(own);
        Ok(TableSpec {
            unit: unit.into(),
            dimensions: dims,
            counts,
            structural,
        })
    }

    /// Rights access, redress and cooperation, controlled; `by` takes at most one dimension.
    pub async fn rights_statistics(
        &self,
        actor: &Actor,
        req: &StatisticsRequest,
    ) -> ServiceResult<RightsReport> {
        if !may_read_statistics(actor) {
            return Err(forbid(actor));
        }
        self.rights_report(req).await
    }

    /// The report without an actor, for the operator's exports and the dashboard.
    pub async fn rights_report(&self, req: &StatisticsRequest) -> ServiceResult<RightsReport> {
        check_period(req)?;
        let by = parse_dims(&req.by)?;
        if by.len() > 1 {
            return Err(ServiceError::invalid(
                "/by",
                "rights statistics are broken down by one dimension at most",
            ));
        }
        let specs = self.rights_specs(req, &by).await?;
        // The three tables are published together: controlled together.
        let mut published = control_linked(&specs, self.statistics_control()).into_iter();
        let mut next = |measure: &'static str| {
            let table = published.next().ok_or_else(|| {
                ServiceError::Internal("disclosure control returned fewer tables".into())
            })?;
            Ok::<_, ServiceError>(ControlledTable {
                measure,
                table,
                from: req.from,
                to: req.to,
                as_of: self.now(),
            })
        };
        let tables = [next("rights")?, next("compensation")?, next("cooperation")?];
        self.finish_rights_report(req, &by, tables).await
    }

    /// The counts of the rights, compensation and cooperation tables, in that order.
    pub(crate) async fn rights_specs(
        &self,
        req: &StatisticsRequest,
        by: &[StatDim],
    ) -> ServiceResult<Vec<TableSpec>> {
        let today = self.now().date();
        let late_as_at = req.to.map_or(today, |t| t.min(today));
        let query = |measure| SupportQuery {
            measure,
            by: by.to_vec(),
            from: req.from,
            to: req.to,
        };
        let codes: Vec<&str> = self.rights.rights.iter().map(|r| r.code.as_str()).collect();
        let statuses: Vec<&str> = RIGHT_STATUSES.iter().map(|s| s.as_str()).collect();
        // A right with no deadline is never late: "late" is not applicable to it.
        let without_deadline: Vec<&str> = self
            .rights
            .rights
            .iter()
            .filter(|r| r.due_days.is_none())
            .map(|r| r.code.as_str())
            .collect();
        let structural = if without_deadline.is_empty() {
            Vec::new()
        } else {
            vec![
                StructuralZero::when("right", KeyMatch::is(&without_deadline))
                    .and("late", KeyMatch::is(&["yes"])),
            ]
        };
        let rights = self
            .support_spec(
                "eligible_rights",
                query(SupportMeasure::Rights { as_of: late_as_at }),
                vec![
                    Dimension::closed("right", &codes),
                    Dimension::closed("status", &statuses),
                    Dimension::closed("late", &["yes", "no"]),
                ],
                structural,
                req,
            )
            .await?;
        // Both count every case once (by its furthest stage, by its cooperation outcome).
        let compensation = self
            .support_spec(
                "support_cases",
                query(SupportMeasure::Compensation),
                vec![Dimension::closed("compensation", &CompensationStage::ALL)],
                Vec::new(),
                req,
            )
            .await?;
        let cooperation = self
            .support_spec(
                "support_cases",
                query(SupportMeasure::Cooperation),
                vec![Dimension::closed("cooperation", &CooperationOutcome::ALL)],
                Vec::new(),
                req,
            )
            .await?;
        Ok(vec![rights, compensation, cooperation])
    }

    /// The report from its three controlled tables: summaries, amounts and acceptance times.
    pub(crate) async fn finish_rights_report(
        &self,
        req: &StatisticsRequest,
        by: &[StatDim],
        [rights, compensation, cooperation]: [ControlledTable; 3],
    ) -> ServiceResult<RightsReport> {
        let c = self.statistics_control();
        let today = self.now().date();
        let late_as_at = req.to.map_or(today, |t| t.min(today));
        let (amounts, amounts_suppressed) = self
            .compensation_amounts(&compensation.table, req, c)
            .await?;
        let service_acceptance = self.service_acceptance(by.first().copied(), req).await?;
        let mut summary = right_summaries(&rights.table);
        for s in &mut summary {
            s.deadline = match s.keys.get("right").map(String::as_str) {
                Some(TOTAL) => true,
                Some(code) => self.rights.get(code).is_some_and(|r| r.due_days.is_some()),
                None => false,
            };
        }
        Ok(RightsReport {
            summary,
            redress: redress_summaries(&compensation.table, &cooperation.table),
            rights,
            compensation,
            cooperation,
            amounts,
            amounts_suppressed,
            service_acceptance,
            late_as_at,
            k: c.threshold,
            resolution: c.resolution,
        })
    }

    /// Sums of compensation per stage and currency: only when the whole compensation table is
    /// published and each sum has at least k cases behind it (a sum over few people is theirs).
    async fn compensation_amounts(
        &self,
        table: &PublishedTable,
        req: &StatisticsRequest,
        c: Control,
    ) -> ServiceResult<(Vec<AmountLine>, bool)> {
        if table.cells.iter().any(|cell| cell.suppressed) {
            return Ok((Vec::new(), true));
        }
        let rows = self
            .store
            .count_support_statistics(&SupportQuery {
                measure: SupportMeasure::CompensationAmounts,
                by: Vec::new(),
                from: req.from,
                to: req.to,
            })
            .await?;
        let mut out = Vec::new();
        let mut suppressed = false;
        for r in rows {
            let mut k = r.keys.into_iter();
            let (Some(stage), Some(currency), sum) = (
                k.next()
                    .flatten()
                    .and_then(|s| CompensationStage::parse(&s)),
                k.next().flatten(),
                k.next().flatten(),
            ) else {
                continue;
            };
            if c.below_threshold(r.count) {
                suppressed = true;
                continue;
            }
            // A sum too large for u64 is not a real amount: say so rather than publish nonsense.
            let amount_minor = sum
                .as_deref()
                .unwrap_or("0")
                .parse::<u64>()
                .map_err(|e| ServiceError::Internal(format!("compensation sum: {e}")))?;
            out.push(AmountLine {
                stage: stage.as_str(),
                currency,
                cases: c.rounded(r.count),
                amount_minor,
            });
        }
        if suppressed {
            return Ok((Vec::new(), true));
        }
        out.sort_by(|a, b| (a.stage, &a.currency).cmp(&(b.stage, &b.currency)));
        Ok((out, false))
    }

    /// Days from service referral to acceptance: median and 90th percentile per group, each
    /// published only if at least k referrals were accepted in it.
    pub(crate) async fn service_acceptance(
        &self,
        by: Option<StatDim>,
        req: &StatisticsRequest,
    ) -> ServiceResult<MeasureReport> {
        let c = self.statistics_control();
        let rows = self
            .store
            .count_support_statistics(&SupportQuery {
                measure: SupportMeasure::ServiceAcceptance,
                by: by.into_iter().collect(),
                from: req.from,
                to: req.to,
            })
            .await?;
        let mut groups: BTreeMap<String, Vec<(i64, u64)>> = BTreeMap::new();
        for row in rows {
            let mut keys = row.keys.into_iter();
            let group = match by {
                Some(d) => label(d, keys.next().flatten()),
                None => TOTAL.to_string(),
            };
            let Some(days) = keys.next().flatten().and_then(|v| v.parse::<i64>().ok()) else {
                continue;
            };
            let targets = if by.is_some() {
                vec![group, TOTAL.to_string()]
            } else {
                vec![group]
            };
            for g in targets {
                groups.entry(g).or_default().push((days, row.count));
            }
        }
        let mut names: Vec<String> = match by {
            Some(d) => dimension(d, req).values,
            None => Vec::new(),
        };
        for g in groups.keys() {
            if !names.contains(g) && g != TOTAL {
                names.push(g.clone());
            }
        }
        names.push(TOTAL.to_string());
        let group_name = by.map_or("all", |d| d.name());
        let groups = names
            .into_iter()
            .map(|g| {
                let hist = groups.get(&g).cloned().unwrap_or_default();
                let mut keys = BTreeMap::new();
                if by.is_some() {
                    keys.insert(group_name.to_string(), g);
                }
                GroupSummary {
                    keys,
                    summary: summarise(&hist, None, c),
                }
            })
            .collect();
        Ok(MeasureReport {
            measure: "service_acceptance",
            unit: "days",
            groups,
        })
    }
}

/// Rights, redress and service figures counted straight from decrypted journals, with the
/// domain's rights tracker and plain walks over the events: not with the support record, so
/// `harbour statistics check` compares two independent counts.
#[derive(Default)]
pub(crate) struct SupportTally {
    rights: super::Tally,
    cooperation: super::Tally,
    compensation: super::Tally,
    amounts: super::Tally,
    acceptance: super::Tally,
}

impl SupportTally {
    pub(crate) fn add(
        &mut self,
        id: harbour_domain::CaseId,
        events: &[harbour_domain::RecordedEvent],
        catalogue: &harbour_domain::support::RightsCatalogue,
        today: Date,
    ) {
        use harbour_domain::support::{rights_tracker, Cooperation, MetBy, ReferralStatus};
        use harbour_domain::{CaseState, Event, Status};
        let state = CaseState::from_events(id, events.iter());
        let Some(referred_at) = state.referred_at else {
            return;
        };
        // The tracker as at the referral lists the rights of the person's age group then.
        let closed = events
            .iter()
            .any(|e| matches!(e.event, Event::CaseClosed { .. }))
            || state.phase == Status::Disqualified;
        for line in rights_tracker(&state, catalogue, referred_at) {
            let informed_is_enough = catalogue
                .get(&line.right)
                .is_some_and(|d| d.met_by == Some(MetBy::Informed));
            let met = line.status.is_settled()
                || (informed_is_enough && line.status == RightStatus::Informed);
            let late = !closed && !met && line.due.is_some_and(|d| d < today);
            *self
                .rights
                .entry(vec![
                    line.right.clone(),
                    line.status.as_str().into(),
                    if late { "1" } else { "0" }.into(),
                ])
                .or_default() += 1;
        }
        // Cooperation: the last choice; a refusal counts with support continuing when a place
        // was held at the refusal or a service or right was accepted or granted after it.
        let justices: Vec<(usize, &harbour_domain::support::Justice)> = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match &e.event {
                Event::JusticeRecorded { justice } => Some((i, justice)),
                _ => None,
            })
            .collect();
        let outcome = match justices.last() {
            None => "not_recorded",
            Some((_, j)) if j.cooperation == Cooperation::Cooperating => "cooperating",
            Some((_, j)) if j.cooperation == Cooperation::Undecided => "undecided",
            Some(_) => {
                let start = justices
                    .iter()
                    .rev()
                    .take_while(|(_, j)| j.cooperation == Cooperation::Declined)
                    .last()
                    .map_or(0, |(i, _)| *i);
                let mut held: std::collections::HashMap<uuid::Uuid, bool> = Default::default();
                for e in &events[..start] {
                    if let Event::ServiceReferralUpdated {
                        referral, status, ..
                    } = &e.event
                    {
                        held.insert(
                            *referral,
                            matches!(status, ReferralStatus::Accepted | ReferralStatus::Started),
                        );
                    }
                }
                let after = events[start..].iter().any(|e| match &e.event {
                    Event::ServiceReferralUpdated { status, .. } => matches!(
                        status,
                        ReferralStatus::Accepted
                            | ReferralStatus::Started
                            | ReferralStatus::Completed
                    ),
                    Event::RightRecorded { status, .. } => *status == RightStatus::Granted,
                    _ => false,
                });
                if after || held.values().any(|h| *h) {
                    "declined_support_continuing"
                } else {
                    "declined_no_support_after"
                }
            }
        };
        *self.cooperation.entry(vec![outcome.into()]).or_default() += 1;
        let mut stage = "not_claimed";
        let mut sums: BTreeMap<(String, String), u64> = BTreeMap::new();
        if let Some((_, j)) = justices.last() {
            for c in &j.compensation {
                for (name, m) in [
                    ("claimed", &c.claimed),
                    ("awarded", &c.awarded),
                    ("paid", &c.paid),
                ] {
                    if let Some(m) = m {
                        *sums.entry((name.into(), m.currency.clone())).or_default() +=
                            m.amount_minor;
                        let rank = |s: &str| {
                            ["not_claimed", "claimed", "awarded", "paid"]
                                .iter()
                                .position(|x| *x == s)
                        };
                        if rank(name) > rank(stage) {
                            stage = name;
                        }
                    }
                }
            }
        }
        *self.compensation.entry(vec![stage.into()]).or_default() += 1;
        for ((s, currency), sum) in sums {
            // Sums are compared as one more key: the count is the cases behind it.
            *self
                .amounts
                .entry(vec![s, currency, sum.to_string()])
                .or_default() += 1;
        }
        let mut referred: std::collections::HashMap<uuid::Uuid, Date> = Default::default();
        for e in events {
            match &e.event {
                Event::ServiceReferred { referral, .. } => {
                    referred.insert(*referral, e.at.date());
                }
                Event::ServiceReferralUpdated {
                    referral,
                    status: ReferralStatus::Accepted,
                    ..
                } => {
                    if let Some(r) = referred.get(referral) {
                        let days = (e.at.date() - *r).whole_days();
                        *self.acceptance.entry(vec![days.to_string()]).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
    }

    /// Compare with the projection's counts; mismatches go into the report.
    pub(crate) async fn compare(
        self,
        h: &Harbour,
        today: Date,
        report: &mut super::CheckReport,
    ) -> ServiceResult<()> {
        // Amounts are summed per case in the journal count, per stage and currency in the
        // projection's: sum the journal's per-case sums the same way first.
        let mut amounts = super::Tally::new();
        let mut amount_cases = super::Tally::new();
        for (k, n) in &self.amounts {
            let sum: u64 = k[2].parse().unwrap_or(0);
            *amounts.entry(vec![k[0].clone(), k[1].clone()]).or_default() += sum * n;
            *amount_cases
                .entry(vec![k[0].clone(), k[1].clone()])
                .or_default() += n;
        }
        let tables: [(&'static str, SupportMeasure, super::Tally); 4] = [
            (
                "rights_by_status_and_lateness",
                SupportMeasure::Rights { as_of: today },
                self.rights,
            ),
            ("cooperation", SupportMeasure::Cooperation, self.cooperation),
            (
                "compensation",
                SupportMeasure::Compensation,
                self.compensation,
            ),
            (
                "service_acceptance_days",
                SupportMeasure::ServiceAcceptance,
                self.acceptance,
            ),
        ];
        let mut pairs: Vec<(&'static str, super::Tally, super::Tally)> = Vec::new();
        for (name, measure, direct) in tables {
            let rows = h
                .store
                .count_support_statistics(&SupportQuery {
                    measure,
                    by: vec![],
                    from: None,
                    to: None,
                })
                .await?;
            let mut projected = super::Tally::new();
            for r in rows {
                let keys = r.keys.into_iter().map(Option::unwrap_or_default).collect();
                *projected.entry(keys).or_default() += r.count;
            }
            pairs.push((name, projected, direct));
        }
        let rows = h
            .store
            .count_support_statistics(&SupportQuery {
                measure: SupportMeasure::CompensationAmounts,
                by: vec![],
                from: None,
                to: None,
            })
            .await?;
        let (mut p_sums, mut p_cases) = (super::Tally::new(), super::Tally::new());
        for r in rows {
            let k: Vec<String> = r.keys.into_iter().map(Option::unwrap_or_default).collect();
            p_sums.insert(vec![k[0].clone(), k[1].clone()], k[2].parse().unwrap_or(0));
            p_cases.insert(vec![k[0].clone(), k[1].clone()], r.count);
        }
        pairs.push(("compensation_sums", p_sums, amounts));
        pairs.push(("compensation_cases", p_cases, amount_cases));
        for (name, projected, direct) in pairs {
            let mut keys: Vec<&Vec<String>> = direct.keys().chain(projected.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                report.figures += 1;
                let (p, j) = (
                    projected.get(k).copied().unwrap_or(0),
                    direct.get(k).copied().unwrap_or(0),
                );
                if p != j {
                    report.mismatches.push(super::Mismatch {
                        table: name,
                        keys: k.clone(),
                        projection: p,
                        journals: j,
                    });
                }
            }
        }
        Ok(())
    }
}
