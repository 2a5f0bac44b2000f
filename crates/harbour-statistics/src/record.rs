//! The statistical record of one case: what the statistics count, and nothing that names anyone.
//!
//! No names, no dates of birth, no free text: age groups instead of ages, the quarter and day of
//! referral (the case list already holds the referral instant), durations in whole days or hours.
//! It is derived from the journal alone, so it can be rebuilt at any time while the case key
//! exists, and it stays when the key is destroyed (erasure keeps the sealed journal).

use harbour_domain::person::Birth;
use harbour_domain::{
    minority_at, CaseId, CaseState, ClosureReason, DecisionOutcome, Event, ExploitationForm,
    Minority, OrgKind, Policy, RecordedEvent, Sex, Status,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// Age as published (UK NRM "age at exploitation": adult 18+, child 17 or under, not specified).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    Adult,
    Child,
    Unknown,
}

impl AgeGroup {
    pub const ALL: [&'static str; 3] = ["adult", "child", "unknown"];
    pub fn as_str(&self) -> &'static str {
        match self {
            AgeGroup::Adult => "adult",
            AgeGroup::Child => "child",
            AgeGroup::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<AgeGroup> {
        match s {
            "adult" => Some(AgeGroup::Adult),
            "child" => Some(AgeGroup::Child),
            "unknown" => Some(AgeGroup::Unknown),
            _ => None,
        }
    }
}

/// The age group on `day` from what is known of the birth alone: a range that straddles 18 is
/// unknown (for statistics; for protection the same person is a presumed child).
pub fn age_group_at(birth: &Birth, day: Date) -> AgeGroup {
    let (youngest, oldest) = birth.age_bounds(day);
    if youngest >= 18 {
        AgeGroup::Adult
    } else if oldest < 18 {
        AgeGroup::Child
    } else {
        AgeGroup::Unknown
    }
}

/// CTDC's `ageBroad` bins; a birth known too vaguely to fall in one bin is unknown.
pub const CTDC_AGE_BANDS: [(i32, i32, &str); 9] = [
    (0, 8, "0-8"),
    (9, 17, "9-17"),
    (18, 20, "18-20"),
    (21, 23, "21-23"),
    (24, 26, "24-26"),
    (27, 29, "27-29"),
    (30, 38, "30-38"),
    (39, 47, "39-47"),
    (48, i32::MAX, "48+"),
];

pub fn ctdc_age_band(birth: &Birth, day: Date) -> Option<&'static str> {
    let (youngest, oldest) = birth.age_bounds(day);
    CTDC_AGE_BANDS
        .iter()
        .find(|(lo, hi, _)| youngest >= *lo && oldest <= *hi)
        .map(|(_, _, label)| *label)
}

/// `2026-Q1`.
pub fn quarter_of(day: Date) -> String {
    format!("{}-Q{}", day.year(), (day.month() as u8 - 1) / 3 + 1)
}

/// One case as statistics see it. Stored as `case_statistics` (+ `case_exploitation_forms`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseStatistics {
    pub case_id: CaseId,
    pub referred_on: Date,
    pub referred_quarter: String,
    pub referrer_kind: OrgKind,
    pub exploitation_forms: Vec<ExploitationForm>,
    pub age_at_referral: AgeGroup,
    pub age_at_exploitation: AgeGroup,
    pub ctdc_age_band: Option<String>,
    pub sex: Sex,
    /// ISO alpha-2 of the first nationality recorded, `stateless`, or none.
    pub nationality: Option<String>,
    pub region: Option<String>,
    pub online_recruitment: bool,
    pub county_lines: bool,
    /// The latest reasonable-grounds outcome; days from referral to the first decision.
    pub rg_outcome: Option<DecisionOutcome>,
    pub rg_quarter: Option<String>,
    pub rg_days: Option<i64>,
    pub rg_within_target: Option<bool>,
    pub cg_outcome: Option<DecisionOutcome>,
    pub cg_quarter: Option<String>,
    pub cg_days: Option<i64>,
    pub cg_within_target: Option<bool>,
    /// For a child or presumed child at referral: hours from referral to the first guardian.
    pub guardian_hours: Option<i64>,
    pub guardian_within_target: Option<bool>,
    pub phase: Status,
    pub closure: Option<ClosureReason>,
    /// Rights, redress and service facts (migration 0013). Pages of rows read back from the
    /// store leave this empty; the store counts it with its own queries.
    pub support: crate::support::SupportStatistics,
}

fn outcome_str(o: DecisionOutcome) -> &'static str {
    match o {
        DecisionOutcome::Positive => "positive",
        DecisionOutcome::Negative => "negative",
    }
}

impl CaseStatistics {
    pub fn rg_outcome_str(&self) -> Option<&'static str> {
        self.rg_outcome.map(outcome_str)
    }
    pub fn cg_outcome_str(&self) -> Option<&'static str> {
        self.cg_outcome.map(outcome_str)
    }

    /// Derive the record from a case's journal with the shipped rights catalogue (see
    /// [`CaseStatistics::from_journal_with_rights`]).
    pub fn from_journal(
        id: CaseId,
        events: &[RecordedEvent],
        referrer_kind: OrgKind,
        policy: &Policy,
    ) -> Option<CaseStatistics> {
        Self::from_journal_with_rights(
            id,
            events,
            referrer_kind,
            policy,
            &harbour_domain::support::RightsCatalogue::shipped(),
        )
    }

    /// Derive the record from a case's journal. `referrer_kind` is the kind of the organisation
    /// that referred (the first responder); `rights` the deployment's catalogue. None if the
    /// journal has no referral.
    pub fn from_journal_with_rights(
        id: CaseId,
        events: &[RecordedEvent],
        referrer_kind: OrgKind,
        policy: &Policy,
        rights: &harbour_domain::support::RightsCatalogue,
    ) -> Option<CaseStatistics> {
        let state = CaseState::from_events(id, events.iter());
        let referral = state.referral.as_ref()?;
        let referred_at = state.referred_at?;
        let referred_on = referred_at.date();
        let birth = &referral.person.birth;
        let mut rg: Option<(OffsetDateTime, DecisionOutcome)> = None;
        let mut rg_first: Option<OffsetDateTime> = None;
        let mut cg: Option<(OffsetDateTime, DecisionOutcome)> = None;
        let mut cg_first: Option<OffsetDateTime> = None;
        let mut guardian_at: Option<OffsetDateTime> = None;
        for e in events {
            match &e.event {
                Event::ReasonableGroundsDecided { outcome, .. } => {
                    rg_first.get_or_insert(e.at);
                    rg = Some((e.at, *outcome));
                }
                Event::ConclusiveGroundsDecided { outcome, .. } => {
                    cg_first.get_or_insert(e.at);
                    cg = Some((e.at, *outcome));
                }
                Event::GuardianAppointed { .. } => {
                    guardian_at.get_or_insert(e.at);
                }
                _ => {}
            }
        }
        // An age assessment settles the age at referral (the person's age then, as assessed).
        let age_at_referral = match minority_at(birth, state.assessed_child, referred_on) {
            Minority::Adult => AgeGroup::Adult,
            Minority::Child => AgeGroup::Child,
            Minority::PresumedChild => AgeGroup::Unknown,
        };
        // Exploitation came before referral: a child then was a child before.
        let age_at_exploitation = match (age_at_referral, referral.exploitation_began) {
            (AgeGroup::Child, _) => AgeGroup::Child,
            (_, Some(began)) => age_group_at(birth, began),
            (_, None) => AgeGroup::Unknown,
        };
        let days = |at: OffsetDateTime| (at.date() - referred_on).whole_days();
        let rg_due = policy.reasonable_grounds_due(referred_on);
        let child = age_at_referral != AgeGroup::Adult
            || minority_at(birth, None, referred_on).is_child_or_presumed();
        let guardian_hours = child
            .then(|| guardian_at.map(|g| (g - referred_at).whole_hours()))
            .flatten();
        let nationality = referral
            .person
            .nationalities
            .first()
            .cloned()
            .or_else(|| referral.person.stateless.then(|| "stateless".to_string()));
        // "Unknown" beside a known form says nothing more: the case counts under what is known.
        let mut exploitation_forms = referral.exploitation_forms.clone();
        if exploitation_forms
            .iter()
            .any(|f| *f != ExploitationForm::Unknown)
        {
            exploitation_forms.retain(|f| *f != ExploitationForm::Unknown);
        }
        Some(CaseStatistics {
            case_id: id,
            referred_on,
            referred_quarter: quarter_of(referred_on),
            referrer_kind,
            exploitation_forms,
            age_at_referral,
            age_at_exploitation,
            ctdc_age_band: ctdc_age_band(birth, referred_on).map(str::to_owned),
            sex: referral.person.sex,
            nationality,
            region: referral.region.clone(),
            online_recruitment: referral.online_recruitment,
            county_lines: referral.county_lines,
            rg_outcome: rg.map(|(_, o)| o),
            rg_quarter: rg.map(|(at, _)| quarter_of(at.date())),
            rg_days: rg_first.map(days),
            rg_within_target: rg_first.map(|at| at.date() <= rg_due),
            cg_outcome: cg.map(|(_, o)| o),
            cg_quarter: cg.map(|(at, _)| quarter_of(at.date())),
            cg_days: cg_first.map(days),
            cg_within_target: cg_first
                .map(|at| days(at) <= i64::from(policy.statistics.conclusive_grounds_target_days)),
            guardian_hours,
            guardian_within_target: guardian_hours
                .map(|h| h <= i64::from(policy.children.guardian_appointment_hours)),
            phase: state.phase,
            closure: state.closure,
            support: crate::support::SupportStatistics::from_journal(id, events, rights),
        })
    }
}
