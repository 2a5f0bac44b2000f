//! Statistics for the national coordinator (issue 7): computed from the statistical projection
//! the case writes keep (never typed in), and published only through disclosure control.
//!
//! Who may read them: the coordinator role, and decision makers of the competent authority.
//! Both receive controlled output only; raw projection rows never leave this module except to
//! the command line's case-level export, which itself refuses unless k-anonymity holds.

use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_domain::{
    CaseId, ClosureReason, Event, ExploitationForm, OrgKind, RecordedEvent, Role, Sex, Status,
};
use harbour_statistics::disclosure::{
    control, control_linked, Control, Dimension, KeyMatch, PublishedTable, StructuralZero,
    TableSpec, TOTAL,
};
use harbour_statistics::{
    summarise, summarise_on_time, AgeGroup, CaseStatistics, TimelinessSummary,
};
use harbour_store::{StatDim, StatisticsQuery};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Duration, OffsetDateTime};

mod rights;
pub use rights::{
    redress_summaries, right_summaries, AmountLine, RedressSummary, RightSummary, RightsReport,
    RIGHT_STATUSES,
};

/// At most this many dimensions in one table (the grid grows with their product).
pub const MAX_DIMENSIONS: usize = 3;

/// What a statistics request asks for.
#[derive(Clone, Debug, Default)]
pub struct StatisticsRequest {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub by: Vec<String>,
}

/// A controlled table with what it counts, its period, and when the data were read.
#[derive(Clone, Debug, Serialize)]
pub struct ControlledTable {
    pub measure: &'static str,
    #[serde(flatten)]
    pub table: PublishedTable,
    #[serde(with = "optional_day")]
    pub from: Option<Date>,
    #[serde(with = "optional_day")]
    pub to: Option<Date>,
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
}

mod optional_day {
    use serde::Serializer;
    use time::Date;
    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&harbour_domain::person::format_date(*d)),
            None => s.serialize_none(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupSummary {
    pub keys: BTreeMap<String, String>,
    #[serde(flatten)]
    pub summary: TimelinessSummary,
}

#[derive(Clone, Debug, Serialize)]
pub struct MeasureReport {
    pub measure: &'static str,
    pub unit: &'static str,
    pub groups: Vec<GroupSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimelinessReport {
    pub measures: Vec<MeasureReport>,
    pub k: u64,
    pub resolution: u64,
    #[serde(with = "optional_day")]
    pub from: Option<Date>,
    #[serde(with = "optional_day")]
    pub to: Option<Date>,
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
}

/// Cases that are late now (counts only, controlled like every other cell).
#[derive(Clone, Debug, Serialize)]
pub struct LateCounts {
    #[serde(flatten)]
    pub table: PublishedTable,
}

/// Everything the coordinator's dashboard shows.
#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    pub referrals_by_quarter: ControlledTable,
    pub referrals_by_form: ControlledTable,
    pub referrals_by_referrer: ControlledTable,
    pub reasonable_grounds: ControlledTable,
    pub conclusive_grounds: ControlledTable,
    pub notifications_by_quarter: ControlledTable,
    pub timeliness: TimelinessReport,
    pub late: ControlledTable,
    /// Rights access, redress and cooperation over the same period.
    pub rights: RightsReport,
}

/// What a rebuild of the projection from the journals did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RebuildReport {
    pub cases: u64,
    pub rebuilt: u64,
    /// Cases whose key is gone (erased): their row is kept as it was.
    pub kept_without_key: u64,
    /// Pre-aggregated counters recounted from the rows afterwards.
    pub counters: u64,
}

/// Who reads statistics: the national coordinator and the competent authority's decision makers.
pub fn may_read_statistics(actor: &Actor) -> bool {
    actor.user.role == Role::Coordinator
        || (actor.user.role == Role::DecisionMaker && actor.org.kind == OrgKind::CompetentAuthority)
}

fn forbid(actor: &Actor) -> ServiceError {
    ServiceError::Forbidden(format!(
        "a {} does not read statistics; they are for the national coordinator and the competent authority",
        actor.user.role
    ))
}

fn strings<T: Copy>(all: &[T], f: impl Fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| f(*v).to_string()).collect()
}

const OUTCOMES: [&str; 3] = ["positive", "negative", "none"];
const FLAGS: [&str; 2] = ["yes", "no"];

/// The label of an empty key: not decided yet, or not known.
fn null_label(d: StatDim) -> &'static str {
    match d {
        StatDim::RgOutcome | StatDim::CgOutcome | StatDim::RgQuarter | StatDim::CgQuarter => "none",
        StatDim::Closure => "open",
        _ => "unknown",
    }
}

fn label(d: StatDim, v: Option<String>) -> String {
    match (d, v.as_deref()) {
        (_, None) => null_label(d).to_string(),
        (
            StatDim::OnlineRecruitment
            | StatDim::CountyLines
            | StatDim::RgWithinTarget
            | StatDim::CgWithinTarget
            | StatDim::GuardianWithinTarget,
            Some(f),
        ) => if f == "1" { "yes" } else { "no" }.to_string(),
        (_, Some(v)) => v.to_string(),
    }
}

/// A timeliness summary's count is how many decisions it measured, which is the positive plus
/// the negative outcomes of the decision table beside it: a figure an attacker adds to the
/// tables' equations. Where it would narrow a suppressed cell below k values, it is withheld
/// (`count` null; the median and percentiles say nothing of how many).
fn withhold_linked_counts(
    report: &mut TimelinessReport,
    together: &[(&str, &PublishedTable)],
    decision_tables: [usize; 2],
) {
    let mut kept = Vec::new();
    for (t, (measure, dim)) in decision_tables.into_iter().zip([
        ("reasonable_grounds", "reasonable_grounds_outcome"),
        ("conclusive_grounds", "conclusive_grounds_outcome"),
    ]) {
        let Some((_, table)) = together.get(t) else {
            continue;
        };
        let parts: Vec<(usize, usize)> = table
            .cells
            .iter()
            .enumerate()
            .filter(|(_, cell)| {
                cell.keys.iter().all(|(d, v)| {
                    if d == dim {
                        v == "positive" || v == "negative"
                    } else {
                        v == TOTAL
                    }
                })
            })
            .map(|(i, _)| (t, i))
            .collect();
        let Some(group) = report
            .measures
            .iter_mut()
            .filter(|m| m.measure == measure)
            .flat_map(|m| m.groups.iter_mut())
            .find(|g| g.keys.is_empty())
        else {
            continue;
        };
        let Some(value) = group.summary.count else {
            continue;
        };
        // Checked with the counts already kept, so that together they expose nothing either.
        kept.push(harbour_statistics::disclosure::SumOf {
            value,
            resolution: report.resolution,
            parts,
        });
        if !harbour_statistics::disclosure::exposed_with(together, &kept).is_empty() {
            kept.pop();
            group.summary.count = None;
        }
    }
}

/// What a table counts, so that tables published together are linked where they share cells: a
/// table by exploitation form counts case × form (a case with two forms counts in both), every
/// other referral table counts cases referred in the period.
fn unit_of(dims: &[StatDim]) -> &'static str {
    if dims.contains(&StatDim::ExploitationForm) {
        "referral_forms"
    } else {
        "cases"
    }
}

/// Combinations that cannot occur (statistics record: a decision's quarter and outcome come
/// from the same event): an outcome in the "no decision" row, "no decision" in a quarter's row.
fn structural_zeros(dims: &[StatDim]) -> Vec<StructuralZero> {
    let mut out = Vec::new();
    for (quarter, outcome) in [
        (StatDim::RgQuarter, StatDim::RgOutcome),
        (StatDim::CgQuarter, StatDim::CgOutcome),
    ] {
        if dims.contains(&quarter) && dims.contains(&outcome) {
            out.push(
                StructuralZero::when(quarter.name(), KeyMatch::is(&["none"]))
                    .and(outcome.name(), KeyMatch::is_not(&["none"])),
            );
            out.push(
                StructuralZero::when(quarter.name(), KeyMatch::is_not(&["none"]))
                    .and(outcome.name(), KeyMatch::is(&["none"])),
            );
        }
    }
    out
}

fn all_sexes() -> Vec<String> {
    strings(&[Sex::Female, Sex::Male, Sex::Other, Sex::Unknown], |s| {
        s.as_str()
    })
}

fn all_forms() -> Vec<String> {
    strings(
        &[
            ExploitationForm::Sexual,
            ExploitationForm::ForcedLabour,
            ExploitationForm::DomesticServitude,
            ExploitationForm::ForcedBegging,
            ExploitationForm::ForcedCriminality,
            ExploitationForm::OrganRemoval,
            ExploitationForm::ForcedMarriage,
            ExploitationForm::IllegalAdoption,
            ExploitationForm::SurrogacyExploitation,
            ExploitationForm::ArmedRecruitment,
            ExploitationForm::OnlineSexualExploitation,
            ExploitationForm::Other,
            ExploitationForm::Unknown,
        ],
        |f| f.as_str(),
    )
}

fn all_org_kinds() -> Vec<String> {
    strings(
        &[
            OrgKind::Police,
            OrgKind::BorderGuard,
            OrgKind::LabourInspectorate,
            OrgKind::Ngo,
            OrgKind::Shelter,
            OrgKind::ChildProtection,
            OrgKind::CompetentAuthority,
            OrgKind::GuardianshipAuthority,
            OrgKind::Health,
            OrgKind::LegalAid,
            OrgKind::Prosecutor,
            OrgKind::ReceptionCentre,
            OrgKind::NationalCoordinator,
            OrgKind::Other,
        ],
        |k| k.as_str(),
    )
}

fn all_phases() -> Vec<String> {
    strings(
        &[
            Status::AwaitingReasonableGrounds,
            Status::RecoveryPeriod,
            Status::AwaitingConclusiveGrounds,
            Status::Identified,
            Status::NotIdentified,
            Status::Disqualified,
            Status::Closed,
        ],
        |s| s.as_str(),
    )
}

fn all_closures() -> Vec<String> {
    let mut v = strings(
        &[
            ClosureReason::SupportCompleted,
            ClosureReason::PersonWithdrew,
            ClosureReason::LeftCountry,
            ClosureReason::LostContact,
            ClosureReason::Transferred,
            ClosureReason::Duplicate,
            ClosureReason::Deceased,
            ClosureReason::Other,
        ],
        |c| c.as_str(),
    );
    v.push("open".into());
    v
}

/// Every quarter from `from` to `to`, so that an empty quarter shows as suppressed, not absent.
fn quarters_between(from: Date, to: Date) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut q) = (from.year(), (from.month() as u8 - 1) / 3 + 1);
    let (ty, tq) = (to.year(), (to.month() as u8 - 1) / 3 + 1);
    while (y, q) <= (ty, tq) && out.len() < 400 {
        out.push(format!("{y}-Q{q}"));
        if q == 4 {
            y += 1;
            q = 1;
        } else {
            q += 1;
        }
    }
    out
}

/// The dimension as disclosure control sees it: a closed vocabulary where there is one.
fn dimension(d: StatDim, req: &StatisticsRequest) -> Dimension {
    let closed = |values: Vec<String>| Dimension {
        name: d.name().into(),
        values,
        open: false,
    };
    match d {
        StatDim::Quarter | StatDim::RgQuarter | StatDim::CgQuarter => {
            let mut values = match (req.from, req.to) {
                (Some(f), Some(t)) => quarters_between(f, t),
                _ => Vec::new(),
            };
            if d != StatDim::Quarter {
                values.push("none".into());
            }
            closed(values)
        }
        StatDim::Year => closed(Vec::new()),
        StatDim::ReferrerKind => closed(all_org_kinds()),
        StatDim::ExploitationForm => closed(all_forms()),
        StatDim::AgeAtReferral | StatDim::AgeAtExploitation => {
            closed(AgeGroup::ALL.iter().map(|s| s.to_string()).collect())
        }
        StatDim::CtdcAgeBand => {
            let mut v: Vec<String> = harbour_statistics::record::CTDC_AGE_BANDS
                .iter()
                .map(|(_, _, l)| l.to_string())
                .collect();
            v.push("unknown".into());
            closed(v)
        }
        StatDim::Sex => closed(all_sexes()),
        StatDim::OnlineRecruitment
        | StatDim::CountyLines
        | StatDim::RgWithinTarget
        | StatDim::CgWithinTarget
        | StatDim::GuardianWithinTarget => {
            let mut v: Vec<String> = FLAGS.iter().map(|s| s.to_string()).collect();
            if d != StatDim::OnlineRecruitment && d != StatDim::CountyLines {
                v.push("unknown".into());
            }
            closed(v)
        }
        StatDim::RgOutcome | StatDim::CgOutcome => {
            closed(OUTCOMES.iter().map(|s| s.to_string()).collect())
        }
        StatDim::Phase => closed(all_phases()),
        StatDim::Closure => closed(all_closures()),
        StatDim::Nationality | StatDim::Region => Dimension::open(d.name()),
        StatDim::RgDays | StatDim::CgDays | StatDim::GuardianHours => Dimension::open(d.name()),
    }
}

fn parse_dims(by: &[String]) -> ServiceResult<Vec<StatDim>> {
    let mut dims = Vec::new();
    for (i, name) in by.iter().enumerate() {
        let pointer = format!("/by/{i}");
        let d = StatDim::parse(name.trim()).ok_or_else(|| {
            let known: Vec<&str> = StatDim::ALL
                .iter()
                .filter(|d| !is_duration(**d))
                .map(|d| d.name())
                .collect();
            ServiceError::invalid(
                &pointer,
                format!(
                    "`{name}` is not a dimension; use one of {}",
                    known.join(", ")
                ),
            )
        })?;
        if is_duration(d) {
            return Err(ServiceError::invalid(
                &pointer,
                format!("`{name}` is a duration: /api/v1/statistics/timeliness summarises it"),
            ));
        }
        if dims.contains(&d) {
            return Err(ServiceError::invalid(
                &pointer,
                format!("`{name}` is asked for twice"),
            ));
        }
        dims.push(d);
    }
    if dims.len() > MAX_DIMENSIONS {
        return Err(ServiceError::invalid(
            "/by",
            format!("at most {MAX_DIMENSIONS} dimensions in one table"),
        ));
    }
    Ok(dims)
}

fn is_duration(d: StatDim) -> bool {
    matches!(
        d,
        StatDim::RgDays | StatDim::CgDays | StatDim::GuardianHours
    )
}

fn check_period(req: &StatisticsRequest) -> ServiceResult<()> {
    if let (Some(f), Some(t)) = (req.from, req.to) {
        if f > t {
            return Err(ServiceError::invalid(
                "/from",
                "the period starts after it ends",
            ));
        }
    }
    Ok(())
}

impl Harbour {
    /// Disclosure control as national policy sets it.
    pub fn statistics_control(&self) -> Control {
        Control {
            threshold: u64::from(self.policy.statistics.threshold),
            resolution: u64::from(self.policy.statistics.resolution),
        }
    }

    /// The statistical row of a case from its journal, with the referrer's organisation kind.
    pub(crate) async fn statistics_row(
        &self,
        id: CaseId,
        journal: &[RecordedEvent],
        state: &harbour_domain::CaseState,
    ) -> ServiceResult<Option<CaseStatistics>> {
        let kind = match state.referring_org {
            Some(org) => self
                .store
                .get_org(org)
                .await?
                .map_or(OrgKind::Other, |o| o.kind),
            None => OrgKind::Other,
        };
        Ok(CaseStatistics::from_journal_with_rights(
            id,
            journal,
            kind,
            &self.policy,
            &self.rights,
        ))
    }

    /// Rebuild every case's statistical row from its journal (after an upgrade that counts
    /// something new, or to check the projection). Cases whose key was destroyed keep their row.
    pub async fn rebuild_statistics(&self) -> ServiceResult<RebuildReport> {
        let kinds: HashMap<_, _> = self
            .store
            .list_orgs()
            .await?
            .into_iter()
            .map(|o| (o.id, o.kind))
            .collect();
        let mut report = RebuildReport::default();
        let mut after = None;
        loop {
            let ids = self.store.case_ids(after, 500).await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            for id in ids {
                report.cases += 1;
                let Some(record) = self.store.load_case(id).await? else {
                    continue;
                };
                let Ok(events) = self.open_journal(id, &record) else {
                    report.kept_without_key += 1;
                    continue;
                };
                let org = record.header.projection.referring_org;
                let kind = kinds.get(&org).copied().unwrap_or(OrgKind::Other);
                if let Some(row) = CaseStatistics::from_journal_with_rights(
                    id,
                    &events,
                    kind,
                    &self.policy,
                    &self.rights,
                ) {
                    self.store.put_case_statistics(&row).await?;
                    report.rebuilt += 1;
                }
            }
            after = Some(last);
        }
        report.counters = self.store.rebuild_statistics_counts().await?;
        Ok(report)
    }

    /// Decrypt a journal without an actor (rebuilds and checks run by the operator).
    pub(crate) fn open_journal(
        &self,
        id: CaseId,
        record: &harbour_store::CaseRecord,
    ) -> ServiceResult<Vec<RecordedEvent>> {
        let wrapped = harbour_crypto::WrappedKey::from_bytes(&record.wrapped_key)?;
        let key = self
            .master
            .unwrap_key(&wrapped, format!("case:{id}").as_bytes())?;
        record
            .events
            .iter()
            .map(|e| {
                let clear = key.open(
                    &e.payload,
                    format!("event:{id}:{}:{}", e.seq, e.kind).as_bytes(),
                )?;
                let event: Event = serde_json::from_slice(&clear)
                    .map_err(|err| ServiceError::Internal(format!("event {}: {err}", e.seq)))?;
                Ok(RecordedEvent {
                    seq: e.seq,
                    at: e.at,
                    actor: e.actor,
                    actor_org: e.actor_org,
                    event,
                })
            })
            .collect()
    }

    /// The counts of one table, ready for disclosure control with the tables published beside it.
    async fn counted_spec(
        &self,
        dims: &[StatDim],
        req: &StatisticsRequest,
    ) -> ServiceResult<TableSpec> {
        let counts = self
            .store
            .count_statistics(&StatisticsQuery {
                dims: dims.to_vec(),
                from: req.from,
                to: req.to,
            })
            .await?;
        let counts: Vec<(Vec<String>, u64)> = counts
            .into_iter()
            .map(|c| {
                let keys = c
                    .keys
                    .into_iter()
                    .zip(dims)
                    .map(|(k, d)| label(*d, k))
                    .collect();
                (keys, c.count)
            })
            .collect();
        Ok(TableSpec {
            unit: unit_of(dims).into(),
            dimensions: dims.iter().map(|d| dimension(*d, req)).collect(),
            counts,
            structural: structural_zeros(dims),
        })
    }

    fn controlled(
        &self,
        measure: &'static str,
        table: PublishedTable,
        req: &StatisticsRequest,
    ) -> ControlledTable {
        ControlledTable {
            measure,
            table,
            from: req.from,
            to: req.to,
            as_of: self.now(),
        }
    }

    /// One table on its own (an API answer): controlled and checked against the attacker.
    fn controlled_alone(
        &self,
        measure: &'static str,
        spec: TableSpec,
        req: &StatisticsRequest,
    ) -> ControlledTable {
        let c = self.statistics_control();
        let table = control_linked(std::slice::from_ref(&spec), c)
            .pop()
            .unwrap_or_else(|| control(&spec.dimensions, &spec.counts, c));
        self.controlled(measure, table, req)
    }

    /// Referrals (cases, or case × form when the form is a dimension), controlled.
    pub async fn referral_statistics(
        &self,
        actor: &Actor,
        req: &StatisticsRequest,
    ) -> ServiceResult<ControlledTable> {
        if !may_read_statistics(actor) {
            return Err(forbid(actor));
        }
        check_period(req)?;
        let dims = parse_dims(&req.by)?;
        let spec = self.counted_spec(&dims, req).await?;
        Ok(self.controlled_alone("referrals", spec, req))
    }

    /// Anonymous notifications (adults who did not consent), controlled. Dimensions: quarter,
    /// year, sex, age_at_referral (the age group given), nationality, region, exploitation_form,
    /// referrer_kind.
    pub async fn notification_statistics(
        &self,
        actor: &Actor,
        req: &StatisticsRequest,
    ) -> ServiceResult<ControlledTable> {
        if !may_read_statistics(actor) {
            return Err(forbid(actor));
        }
        check_period(req)?;
        let dims = parse_dims(&req.by)?;
        for (i, d) in dims.iter().enumerate() {
            if !matches!(
                d,
                StatDim::Quarter
                    | StatDim::Year
                    | StatDim::Sex
                    | StatDim::AgeAtReferral
                    | StatDim::Nationality
                    | StatDim::Region
                    | StatDim::ExploitationForm
                    | StatDim::ReferrerKind
            ) {
                return Err(ServiceError::invalid(
                    &format!("/by/{i}"),
                    format!("an anonymous notification records no `{}`", d.name()),
                ));
            }
        }
        let spec = self.notification_spec(&dims, req).await?;
        Ok(self.controlled_alone("anonymous_notifications", spec, req))
    }

    async fn notification_spec(
        &self,
        dims: &[StatDim],
        req: &StatisticsRequest,
    ) -> ServiceResult<TableSpec> {
        let day_start = |d: Date| d.midnight().assume_utc();
        let rows = self
            .store
            .anonymous_notifications(
                req.from.map(day_start),
                req.to
                    .map(|t| day_start(t) + Duration::days(1) - Duration::microseconds(1)),
            )
            .await?;
        let kinds: HashMap<_, _> = self
            .store
            .list_orgs()
            .await?
            .into_iter()
            .map(|o| (o.id, o.kind))
            .collect();
        let mut counts: HashMap<Vec<String>, u64> = HashMap::new();
        for n in &rows {
            let forms: Vec<String> = if n.exploitation_forms.is_empty() {
                vec!["unknown".into()]
            } else {
                n.exploitation_forms.clone()
            };
            let per_form = dims.contains(&StatDim::ExploitationForm);
            for form in forms.iter().take(if per_form { forms.len() } else { 1 }) {
                let keys = dims
                    .iter()
                    .map(|d| match d {
                        StatDim::Quarter => harbour_statistics::quarter_of(n.at.date()),
                        StatDim::Year => n.at.year().to_string(),
                        StatDim::Sex => n.sex.clone(),
                        StatDim::AgeAtReferral => n.age_group.clone(),
                        StatDim::Nationality => label(*d, n.nationality.clone()),
                        StatDim::Region => label(*d, n.region.clone()),
                        StatDim::ExploitationForm => form.clone(),
                        StatDim::ReferrerKind => kinds
                            .get(&n.org_id)
                            .map_or("other", |k| k.as_str())
                            .to_string(),
                        _ => "unknown".to_string(),
                    })
                    .collect();
                *counts.entry(keys).or_default() += 1;
            }
        }
        // In key order, so quarters and years come out in time order.
        let mut counts: Vec<(Vec<String>, u64)> = counts.into_iter().collect();
        counts.sort();
        Ok(TableSpec {
            unit: "anonymous_notifications".into(),
            dimensions: dims.iter().map(|d| dimension(*d, req)).collect(),
            counts,
            structural: Vec::new(),
        })
    }

    /// Days from referral to the reasonable-grounds and conclusive decisions, hours to a
    /// child's guardian: median, 90th percentile, share within the policy target; optionally by
    /// one dimension (each group published only if it has at least k cases).
    pub async fn timeliness_statistics(
        &self,
        actor: &Actor,
        req: &StatisticsRequest,
    ) -> ServiceResult<TimelinessReport> {
        if !may_read_statistics(actor) {
            return Err(forbid(actor));
        }
        check_period(req)?;
        let dims = parse_dims(&req.by)?;
        if dims.len() > 1 {
            return Err(ServiceError::invalid(
                "/by",
                "timeliness is broken down by one dimension at most",
            ));
        }
        self.timeliness(dims.first().copied(), req).await
    }

    async fn timeliness(
        &self,
        by: Option<StatDim>,
        req: &StatisticsRequest,
    ) -> ServiceResult<TimelinessReport> {
        let c = self.statistics_control();
        let cg_target = i64::from(self.policy.statistics.conclusive_grounds_target_days);
        let guardian_target = i64::from(self.policy.children.guardian_appointment_hours);
        let measures = [
            (
                "reasonable_grounds",
                "days",
                StatDim::RgDays,
                Some(StatDim::RgWithinTarget),
                None,
            ),
            (
                "conclusive_grounds",
                "days",
                StatDim::CgDays,
                None,
                Some(cg_target),
            ),
            (
                "guardian_appointment",
                "hours",
                StatDim::GuardianHours,
                None,
                Some(guardian_target),
            ),
        ];
        let mut reports = Vec::new();
        for (measure, unit, value, flag, target) in measures {
            let mut dims: Vec<StatDim> = by.into_iter().collect();
            dims.push(value);
            dims.extend(flag);
            let counts = self
                .store
                .count_statistics(&StatisticsQuery {
                    dims: dims.clone(),
                    from: req.from,
                    to: req.to,
                })
                .await?;
            // group -> (histogram, on time)
            let mut groups: BTreeMap<String, (Vec<(i64, u64)>, u64)> = BTreeMap::new();
            for row in counts {
                let mut keys = row.keys.into_iter();
                let group = match by {
                    Some(d) => label(d, keys.next().flatten()),
                    None => TOTAL.to_string(),
                };
                let Some(v) = keys.next().flatten().and_then(|v| v.parse::<i64>().ok()) else {
                    continue;
                };
                let on_time = match flag {
                    Some(_) => keys.next().flatten().as_deref() == Some("1"),
                    None => target.is_some_and(|t| v <= t),
                };
                for g in [group.clone(), TOTAL.to_string()]
                    .into_iter()
                    .take(if by.is_some() { 2 } else { 1 })
                {
                    let e = groups.entry(g).or_default();
                    e.0.push((v, row.count));
                    if on_time {
                        e.1 += row.count;
                    }
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
            let published = names
                .into_iter()
                .map(|g| {
                    let (hist, on_time) = groups.get(&g).cloned().unwrap_or_default();
                    let summary = if flag.is_some() {
                        summarise_on_time(&hist, Some(on_time), None, c)
                    } else {
                        summarise(&hist, target, c)
                    };
                    let mut keys = BTreeMap::new();
                    if by.is_some() {
                        keys.insert(group_name.to_string(), g);
                    }
                    GroupSummary { keys, summary }
                })
                .collect();
            reports.push(MeasureReport {
                measure,
                unit,
                groups: published,
            });
        }
        // Service referral to acceptance, from the support projection (migration 0013).
        reports.push(self.service_acceptance(by, req).await?);
        Ok(TimelinessReport {
            measures: reports,
            k: c.threshold,
            resolution: c.resolution,
            from: req.from,
            to: req.to,
            as_of: self.now(),
        })
    }

    /// Cases late now, counts only: reasonable-grounds decisions past their due day, children
    /// without a guardian past the policy's hours, guardians appointed late, cases awaiting a
    /// conclusive decision.
    async fn late_counts(&self) -> ServiceResult<ControlledTable> {
        let now = self.now();
        let today = now.date();
        // Due days grow with the referral day, so "due before today" is "referred on or before
        // the last day whose due day is before today".
        let mut rg_cutoff = today;
        while self.policy.reasonable_grounds_due(rg_cutoff) >= today {
            rg_cutoff = rg_cutoff.previous_day().unwrap_or(Date::MIN);
            if rg_cutoff == Date::MIN {
                break;
            }
        }
        let hours = i64::from(self.policy.children.guardian_appointment_hours);
        // A referral on this day or before is past the guardian deadline whatever its hour.
        let guardian_cutoff = (now - Duration::hours(hours))
            .date()
            .previous_day()
            .unwrap_or(Date::MIN);
        let count = |dims: Vec<StatDim>, to: Option<Date>| {
            let q = StatisticsQuery {
                dims,
                from: None,
                to,
            };
            async move { self.store.count_statistics(&q).await }
        };
        let mut late: BTreeMap<&str, u64> = BTreeMap::new();
        for c in count(vec![StatDim::Phase], Some(rg_cutoff)).await? {
            if c.keys[0].as_deref() == Some(Status::AwaitingReasonableGrounds.as_str()) {
                *late.entry("reasonable_grounds_overdue").or_default() += c.count;
            }
        }
        for c in count(vec![StatDim::Phase], None).await? {
            if matches!(
                c.keys[0].as_deref(),
                Some("recovery_period" | "awaiting_conclusive_grounds")
            ) {
                *late.entry("awaiting_conclusive_grounds").or_default() += c.count;
            }
        }
        let guardian_dims = vec![
            StatDim::AgeAtReferral,
            StatDim::GuardianWithinTarget,
            StatDim::Phase,
        ];
        for c in count(guardian_dims.clone(), None).await? {
            if c.keys[0].as_deref() != Some("adult") && c.keys[1].as_deref() == Some("0") {
                *late.entry("guardian_appointed_late").or_default() += c.count;
            }
        }
        for c in count(guardian_dims, Some(guardian_cutoff)).await? {
            let open = !matches!(c.keys[2].as_deref(), Some("closed" | "disqualified"));
            if c.keys[0].as_deref() != Some("adult") && c.keys[1].is_none() && open {
                *late.entry("guardian_not_appointed").or_default() += c.count;
            }
        }
        let names = [
            "reasonable_grounds_overdue",
            "awaiting_conclusive_grounds",
            "guardian_not_appointed",
            "guardian_appointed_late",
        ];
        let counts: Vec<(Vec<String>, u64)> = names
            .iter()
            .map(|n| (vec![n.to_string()], late.get(n).copied().unwrap_or(0)))
            .collect();
        // Separate indicators, not parts of one whole: each is controlled on its own.
        let c = self.statistics_control();
        let mut cells = Vec::new();
        for (keys, n) in counts {
            let t = control(
                &[Dimension::closed("late", &[keys[0].as_str()])],
                &[(keys, n)],
                c,
            );
            cells.extend(
                t.cells
                    .into_iter()
                    .filter(|cell| cell.keys["late"] != TOTAL),
            );
        }
        Ok(ControlledTable {
            measure: "late",
            table: PublishedTable {
                dimensions: vec!["late".into()],
                cells,
                k: c.threshold,
                resolution: c.resolution,
            },
            from: None,
            to: Some(today),
            as_of: now,
        })
    }

    /// The coordinator's dashboard: headline tables, trends by quarter, timeliness, late counts.
    pub async fn statistics_dashboard(
        &self,
        actor: &Actor,
        req: &StatisticsRequest,
    ) -> ServiceResult<Dashboard> {
        if !may_read_statistics(actor) {
            return Err(forbid(actor));
        }
        self.statistics_for_publication(req).await
    }

    /// The dashboard's tables for the operator's command line (`harbour export statistics`):
    /// the same controlled output the coordinator sees, no actor needed on the server itself.
    pub async fn statistics_for_publication(
        &self,
        req: &StatisticsRequest,
    ) -> ServiceResult<Dashboard> {
        check_period(req)?;
        // The tables are independent reads: run them side by side (each an index scan).
        let (q, forms, referrer, rg, cg, notifications, timeliness, late) = tokio::try_join!(
            self.counted_spec(&[StatDim::Quarter, StatDim::AgeAtExploitation], req),
            self.counted_spec(
                &[StatDim::ExploitationForm, StatDim::AgeAtExploitation],
                req
            ),
            self.counted_spec(&[StatDim::ReferrerKind], req),
            self.counted_spec(&[StatDim::RgQuarter, StatDim::RgOutcome], req),
            self.counted_spec(&[StatDim::CgQuarter, StatDim::CgOutcome], req),
            self.notification_spec(&[StatDim::Quarter], req),
            self.timeliness(None, req),
            self.late_counts(),
        )?;
        let rights_req = StatisticsRequest {
            by: Vec::new(),
            ..req.clone()
        };
        let rights_specs = self.rights_specs(&rights_req, &[]).await?;
        // Everything on the page (and in the export) is published together: controlled
        // together, so no table's published cells narrow down another's suppressed ones.
        let mut specs = vec![q, forms, referrer, rg, cg, notifications];
        specs.extend(rights_specs);
        let mut published = control_linked(&specs, self.statistics_control()).into_iter();
        let mut next = |measure: &'static str| {
            let table = published.next().ok_or_else(|| {
                ServiceError::Internal("disclosure control returned fewer tables".into())
            })?;
            Ok::<_, ServiceError>(self.controlled(measure, table, req))
        };
        let referrals_by_quarter = next("referrals")?;
        let referrals_by_form = next("referrals")?;
        let referrals_by_referrer = next("referrals")?;
        let reasonable_grounds = next("reasonable_grounds")?;
        let conclusive_grounds = next("conclusive_grounds")?;
        let notifications_by_quarter = next("anonymous_notifications")?;
        let rights_tables = [next("rights")?, next("compensation")?, next("cooperation")?];
        let rights = self
            .finish_rights_report(&rights_req, &[], rights_tables)
            .await?;
        let mut timeliness = timeliness;
        let together: Vec<(&str, &PublishedTable)> = specs
            .iter()
            .map(|s| s.unit.as_str())
            .zip([
                &referrals_by_quarter.table,
                &referrals_by_form.table,
                &referrals_by_referrer.table,
                &reasonable_grounds.table,
                &conclusive_grounds.table,
                &notifications_by_quarter.table,
                &rights.rights.table,
                &rights.compensation.table,
                &rights.cooperation.table,
            ])
            .collect();
        withhold_linked_counts(&mut timeliness, &together, [3, 4]);
        Ok(Dashboard {
            referrals_by_quarter,
            referrals_by_form,
            referrals_by_referrer,
            reasonable_grounds,
            conclusive_grounds,
            notifications_by_quarter,
            timeliness,
            late,
            rights,
        })
    }

    /// Raw statistical rows, for the operator's case-level export only (the command line, which
    /// checks k-anonymity before writing anything). No web route calls this.
    pub async fn statistics_rows_for_export(&self) -> ServiceResult<Vec<CaseStatistics>> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.case_statistics(after, 5000).await?;
            let Some(last) = page.last().map(|r| r.case_id) else {
                break;
            };
            out.extend(page);
            after = Some(last);
        }
        Ok(out)
    }
}

/// A figure the projection and the journals disagree on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub table: &'static str,
    pub keys: Vec<String>,
    pub projection: u64,
    pub journals: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub cases: u64,
    pub without_key: u64,
    pub figures: u64,
    pub mismatches: Vec<Mismatch>,
    /// Pre-aggregated counts compared with a `GROUP BY` over the rows, and those that differ.
    pub counters: u64,
    pub counter_mismatches: Vec<harbour_store::CountMismatch>,
}

type Tally = BTreeMap<Vec<String>, u64>;

impl Harbour {
    /// Count a few published tables straight from the decrypted journals, with code that does
    /// not use the statistical record, and compare them with the projection's `GROUP BY`.
    /// Cases whose key is gone cannot be counted from their journal and are reported apart.
    pub async fn check_statistics_against_journals(&self) -> ServiceResult<CheckReport> {
        let kinds: HashMap<_, _> = self
            .store
            .list_orgs()
            .await?
            .into_iter()
            .map(|o| (o.id, o.kind))
            .collect();
        let mut report = CheckReport::default();
        let mut by_form = Tally::new();
        let mut by_referrer = Tally::new();
        let mut rg = Tally::new();
        let mut cg = Tally::new();
        let mut sex_nat = Tally::new();
        let mut support = rights::SupportTally::default();
        let today = self.now().date();
        let mut after = None;
        let quarter =
            |at: OffsetDateTime| format!("{}-Q{}", at.year(), u8::from(at.month()).div_ceil(3));
        loop {
            let ids = self.store.case_ids(after, 500).await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            for id in ids {
                report.cases += 1;
                let Some(record) = self.store.load_case(id).await? else {
                    continue;
                };
                let Ok(events) = self.open_journal(id, &record) else {
                    report.without_key += 1;
                    continue;
                };
                support.add(id, &events, &self.rights, today);
                let mut forms: Vec<String> = Vec::new();
                let mut referred = None;
                let mut rg_last = None;
                let mut cg_last = None;
                for e in &events {
                    match &e.event {
                        Event::ReferralReceived {
                            referral,
                            referring_org,
                        } => {
                            referred = Some(e.at);
                            let kind = kinds.get(referring_org).map_or("other", |k| k.as_str());
                            *by_referrer
                                .entry(vec![quarter(e.at), kind.into()])
                                .or_default() += 1;
                            let p = &referral.person;
                            let nat = p.nationalities.first().cloned().unwrap_or_else(|| {
                                if p.stateless {
                                    "stateless".into()
                                } else {
                                    "unknown".into()
                                }
                            });
                            *sex_nat.entry(vec![p.sex.as_str().into(), nat]).or_default() += 1;
                            forms.extend(
                                referral
                                    .exploitation_forms
                                    .iter()
                                    .map(|f| f.as_str().to_string()),
                            );
                        }
                        Event::ReferralAttached { referral, .. } => {
                            forms.extend(
                                referral
                                    .exploitation_forms
                                    .iter()
                                    .map(|f| f.as_str().to_string()),
                            );
                        }
                        Event::ReasonableGroundsDecided { outcome, .. } => {
                            rg_last = Some((e.at, *outcome))
                        }
                        Event::ConclusiveGroundsDecided { outcome, .. } => {
                            cg_last = Some((e.at, *outcome))
                        }
                        _ => {}
                    }
                }
                let Some(at) = referred else { continue };
                // Reported again by another organisation, a form counts once; "unknown" only
                // when nothing else is known.
                forms.sort();
                forms.dedup();
                if forms.len() > 1 {
                    forms.retain(|f| f != "unknown");
                }
                for f in forms {
                    *by_form.entry(vec![quarter(at), f]).or_default() += 1;
                }
                let decided = |d: Option<(OffsetDateTime, harbour_domain::DecisionOutcome)>| match d
                {
                    Some((t, o)) => vec![
                        quarter(t),
                        if o == harbour_domain::DecisionOutcome::Positive {
                            "positive"
                        } else {
                            "negative"
                        }
                        .into(),
                    ],
                    None => vec!["none".into(), "none".into()],
                };
                *rg.entry(decided(rg_last)).or_default() += 1;
                *cg.entry(decided(cg_last)).or_default() += 1;
            }
            after = Some(last);
        }
        let tables: [(&'static str, Vec<StatDim>, Tally); 5] = [
            (
                "referrals_by_quarter_and_form",
                vec![StatDim::Quarter, StatDim::ExploitationForm],
                by_form,
            ),
            (
                "referrals_by_quarter_and_referrer",
                vec![StatDim::Quarter, StatDim::ReferrerKind],
                by_referrer,
            ),
            (
                "reasonable_grounds",
                vec![StatDim::RgQuarter, StatDim::RgOutcome],
                rg,
            ),
            (
                "conclusive_grounds",
                vec![StatDim::CgQuarter, StatDim::CgOutcome],
                cg,
            ),
            (
                "sex_and_nationality",
                vec![StatDim::Sex, StatDim::Nationality],
                sex_nat,
            ),
        ];
        for (name, dims, direct) in tables {
            let counted = self
                .store
                .count_case_statistics(&StatisticsQuery {
                    dims: dims.clone(),
                    from: None,
                    to: None,
                })
                .await?;
            let mut projected = Tally::new();
            for c in counted {
                let keys = c
                    .keys
                    .into_iter()
                    .zip(&dims)
                    .map(|(k, d)| k.unwrap_or_else(|| null_label(*d).to_string()))
                    .collect();
                *projected.entry(keys).or_default() += c.count;
            }
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
                    report.mismatches.push(Mismatch {
                        table: name,
                        keys: k.clone(),
                        projection: p,
                        journals: j,
                    });
                }
            }
        }
        support.compare(self, today, &mut report).await?;
        let (counters, mut counter_mismatches) =
            harbour_store::check_statistics_counts(self.store.as_ref(), None, None).await?;
        // The rights, redress and service counters against their rows, lateness as at today.
        let (support_counters, support_mismatches) =
            harbour_store::check_support_counts(self.store.as_ref(), &[today], None, None).await?;
        counter_mismatches.extend(support_mismatches);
        report.counters = counters + support_counters;
        report.counter_mismatches = counter_mismatches;
        Ok(report)
    }
}
