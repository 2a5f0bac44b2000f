//! The identification journey of one case as a journal of events.
//!
//! `decide(state, command, now, policy)` says which events a command produces, or why it may
//! not happen; `apply(state, event)` folds an event into the state. Nothing is overwritten:
//! the case file is the journal.

use crate::error::{DomainError, FieldError};
use crate::ids::{CaseId, OrgId, UserId};
use crate::minority::{minority_at, Minority};
use crate::org::string_enum;
use crate::person::Person;
use crate::policy::Policy;
use crate::support::{
    self, BestInterests, DurableSolution, HandoverKind, HandoverState, Justice, NeedsAssessment,
    OpenReferralsOnClose, ReferralStatus, RightDef, RightEntry, RightStatus, RightsHistory,
    ServiceConsent, ServiceKind, ServiceProfile, ServiceReferralState,
};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Longest free text accepted in reasons, views and summaries.
pub const MAX_TEXT_LEN: usize = 10_000;

string_enum!(
    /// Forms of exploitation (nrm.md §6). A case may have several.
    ExploitationForm {
        Sexual => "sexual",
        ForcedLabour => "forced_labour",
        DomesticServitude => "domestic_servitude",
        ForcedBegging => "forced_begging",
        ForcedCriminality => "forced_criminality",
        OrganRemoval => "organ_removal",
        ForcedMarriage => "forced_marriage",
        IllegalAdoption => "illegal_adoption",
        SurrogacyExploitation => "surrogacy_exploitation",
        ArmedRecruitment => "armed_recruitment",
        OnlineSexualExploitation => "online_sexual_exploitation",
        Other => "other",
        Unknown => "unknown",
    }
);

string_enum!(
    /// Where a case stands in identification. `recovery_period` turns into
    /// `awaiting_conclusive_grounds` by itself when the period ends (see [`CaseState::status`]).
    Status {
        AwaitingReasonableGrounds => "awaiting_reasonable_grounds",
        RecoveryPeriod => "recovery_period",
        AwaitingConclusiveGrounds => "awaiting_conclusive_grounds",
        Identified => "identified",
        NotIdentified => "not_identified",
        Disqualified => "disqualified",
        Closed => "closed",
    }
);

/// The stored phase is the status as events left it; time alone moves recovery_period on.
pub type Phase = Status;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    Positive,
    Negative,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeAssessmentResult {
    Child,
    Adult,
}

string_enum!(
    /// Grounds on which protection may be withdrawn (Convention Art. 13(3)).
    DisqualificationGround {
        PublicOrder => "public_order",
        BadFaith => "bad_faith",
    }
);

string_enum!(
    ClosureReason {
        SupportCompleted => "support_completed",
        PersonWithdrew => "person_withdrew",
        LeftCountry => "left_country",
        LostContact => "lost_contact",
        Transferred => "transferred",
        Duplicate => "duplicate",
        Deceased => "deceased",
        Other => "other",
        Integrated => "integrated",
        Returned => "returned",
        TransferredAbroad => "transferred_abroad",
        DeclinedFurtherSupport => "declined_further_support",
        NotIdentified => "not_identified",
    }
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReconsiderableDecision {
    ReasonableGrounds,
    ConclusiveGrounds,
}

/// Informed consent of an adult to enter the NRM (who gave it is the person; who recorded it and
/// when is the event's envelope).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub nrm_referral: bool,
    /// The person agrees that family members looking for them may be told a match exists
    /// (family tracing). Needed for an adult's case to be searched; a child's case is searched
    /// under the child-protection mandate whatever this says.
    #[serde(default)]
    pub family_tracing: bool,
    /// What the person agreed to, in their words or the form's (e.g. "share with shelter").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Language in which the person was informed (ISO 639).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informed_in: Option<String>,
}

/// Everything a first responder records once at referral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub person: Person,
    #[serde(default)]
    pub exploitation_forms: Vec<ExploitationForm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// A child's own views, recorded whatever the child's age (CRC Art. 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_views: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Recruitment or exploitation happened online (cyberspace dimension); set by itself when
    /// either of the two flags below is.
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub online_recruitment: bool,
    #[serde(default)]
    pub online_exploitation: bool,
    /// Kinds of online platform involved in recruitment or exploitation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platform_types: Vec<PlatformType>,
    /// Sectors of forced labour, when labour exploitation is involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labour_sectors: Vec<LabourSector>,
    /// A child made to carry drugs or money between places ("county lines").
    #[serde(default)]
    pub county_lines: bool,
    /// ISO 3166-1 alpha-2 codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_of_origin: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries_of_transit: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries_of_exploitation: Vec<String>,
    /// Indicator screenings done with the referral. They become `ScreeningRecorded` events of
    /// the case, never part of the stored referral, so they are not (de)serialised here.
    #[serde(skip)]
    pub screenings: Vec<Screening>,
}

string_enum!(
    /// Platform types for the cyberspace dimension of recruitment or exploitation.
    PlatformType {
        SocialMedia => "social_media",
        Messaging => "messaging",
        Dating => "dating",
        Classifieds => "classifieds",
        JobBoard => "job_board",
        Gaming => "gaming",
        LiveStreaming => "live_streaming",
        AdultSite => "adult_site",
        Other => "other",
    }
);

string_enum!(
    /// Sectors of forced labour (nrm.md §6).
    LabourSector {
        Agriculture => "agriculture",
        Construction => "construction",
        DomesticWork => "domestic_work",
        Hospitality => "hospitality",
        Manufacturing => "manufacturing",
        Fishing => "fishing",
        Mining => "mining",
        Transport => "transport",
        Other => "other",
    }
);

/// One dimension of a screening result: positive or not, and by which indicators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningDimension {
    pub dimension: String,
    pub positive: bool,
    pub observed: Vec<String>,
}

/// An indicator screening as recorded in the journal: the list and version used, what was
/// observed and what the rule said. It is an indication for referral, never a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screening {
    pub list: String,
    pub list_version: String,
    pub indicated: bool,
    pub dimensions: Vec<ScreeningDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

fn check_free_text(errors: &mut Vec<FieldError>, pointer: &str, text: &Option<String>) {
    if let Some(t) = text {
        if t.chars().count() > MAX_TEXT_LEN {
            errors.push(FieldError::new(
                pointer,
                format!("is longer than {MAX_TEXT_LEN} characters"),
            ));
        }
    }
}

fn normalise_country(errors: &mut Vec<FieldError>, pointer: &str, code: &mut String) {
    let upper = code.to_ascii_uppercase();
    if upper.len() != 2 || !upper.chars().all(|ch| ch.is_ascii_alphabetic()) {
        errors.push(FieldError::new(
            pointer,
            format!("`{code}` is not an ISO 3166-1 alpha-2 country code"),
        ));
    }
    *code = upper;
}

fn required_reasons(reasons: &str) -> Result<String, DomainError> {
    let r = reasons.trim();
    if r.is_empty() {
        return Err(DomainError::field(
            "/reasons",
            "reasons are required for every decision",
        ));
    }
    if r.chars().count() > MAX_TEXT_LEN {
        return Err(DomainError::field(
            "/reasons",
            format!("is longer than {MAX_TEXT_LEN} characters"),
        ));
    }
    Ok(r.to_string())
}

impl Referral {
    /// A referral of `person` with nothing else known yet.
    pub fn new(person: Person) -> Referral {
        Referral {
            person,
            exploitation_forms: Vec::new(),
            consent: None,
            child_views: None,
            summary: None,
            online: false,
            online_recruitment: false,
            online_exploitation: false,
            platform_types: Vec::new(),
            labour_sectors: Vec::new(),
            county_lines: false,
            country_of_origin: None,
            countries_of_transit: Vec::new(),
            countries_of_exploitation: Vec::new(),
            screenings: Vec::new(),
        }
    }

    /// Validate a referral as received on `today`; returns the referral with normalised fields.
    pub fn validate(mut self, today: Date) -> Result<Referral, DomainError> {
        let mut errors = Vec::new();
        match self.person.clone().validate(today, "/person") {
            Ok(p) => self.person = p,
            Err(DomainError::Invalid(mut e)) => errors.append(&mut e),
            Err(other) => return Err(other),
        }
        check_free_text(&mut errors, "/child_views", &self.child_views);
        check_free_text(&mut errors, "/summary", &self.summary);
        for (field, list) in [
            (
                "countries_of_exploitation",
                &mut self.countries_of_exploitation,
            ),
            ("countries_of_transit", &mut self.countries_of_transit),
        ] {
            for (i, c) in list.iter_mut().enumerate() {
                normalise_country(&mut errors, &format!("/{field}/{i}"), c);
            }
        }
        if let Some(c) = self.country_of_origin.as_mut() {
            normalise_country(&mut errors, "/country_of_origin", c);
        }
        self.online |= self.online_recruitment || self.online_exploitation;
        if !self.platform_types.is_empty() && !self.online {
            errors.push(FieldError::new(
                "/platform_types",
                "platform types describe online recruitment or exploitation: set `online` to true",
            ));
        }
        for (i, s) in self.screenings.iter().enumerate() {
            check_free_text(&mut errors, &format!("/screenings/{i}/notes"), &s.notes);
        }
        self.platform_types.sort_by_key(|p| p.as_str());
        self.platform_types.dedup();
        self.labour_sectors.sort_by_key(|p| p.as_str());
        self.labour_sectors.dedup();
        if self.exploitation_forms.is_empty() {
            self.exploitation_forms.push(ExploitationForm::Unknown);
        }
        self.exploitation_forms.sort_by_key(|f| f.as_str());
        self.exploitation_forms.dedup();
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(self)
    }
}

/// The events of a case journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    ReferralReceived {
        referral: Box<Referral>,
        referring_org: OrgId,
    },
    ReasonableGroundsDecided {
        outcome: DecisionOutcome,
        reasons: String,
        /// Fixed when the decision is made, so a later policy change does not move it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recovery_period: Option<RecoveryPeriod>,
    },
    ConclusiveGroundsDecided {
        outcome: DecisionOutcome,
        reasons: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        move_on_period_end: Option<Date>,
    },
    AgeAssessed {
        result: AgeAssessmentResult,
        method: String,
        reasons: String,
    },
    Disqualified {
        ground: DisqualificationGround,
        reasons: String,
    },
    ReconsiderationRequested {
        decision: ReconsiderableDecision,
        reasons: String,
    },
    EarlyConclusiveDecisionRequested {
        reasons: String,
    },
    GuardianAppointed {
        guardian: UserId,
        organisation: OrgId,
    },
    CaseClosed {
        reason: ClosureReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<String>,
        /// What was said about accepted service referrals still open at closure.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        open_referrals: Option<OpenReferralsOnClose>,
    },
    ScreeningRecorded {
        screening: Screening,
    },
    /// Another organisation referred the same person; its referral joins this case instead of
    /// opening a duplicate, so the person is not asked again.
    ReferralAttached {
        referral: Box<Referral>,
        referring_org: OrgId,
    },
    /// A right's status changed (the right's code and legal basis are plain facts, for statistics).
    RightRecorded {
        right: String,
        legal_basis: String,
        status: RightStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    NeedsAssessed {
        assessment: NeedsAssessment,
    },
    /// A service referral to a provider's organisation, with the person's consent to it.
    ServiceReferred {
        referral: Uuid,
        service: Uuid,
        service_kind: ServiceKind,
        provider_org: OrgId,
        need: ServiceKind,
        consent: ServiceConsent,
    },
    /// The provider (or, on closure, the caseworker) moved a service referral on. Carries the
    /// referral time so the wait to acceptance is a plain fact.
    ServiceReferralUpdated {
        referral: Uuid,
        service_kind: ServiceKind,
        status: ReferralStatus,
        #[serde(with = "time::serde::rfc3339")]
        referred_at: OffsetDateTime,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A guardian named as a person and organisation (not a Harbour user).
    GuardianNamed {
        name: String,
        organisation: String,
    },
    BestInterestsRecorded {
        best_interests: BestInterests,
    },
    FamilyTracingRequested {
        requested: bool,
    },
    TransitionPlanRecorded {
        plan: String,
    },
    JusticeRecorded {
        justice: Justice,
    },
    DurableSolutionChosen {
        solution: DurableSolution,
    },
    FollowUpRecorded {
        notes: String,
    },
    /// A handover: assign (same organisation), transfer (waits for the recipient), refer (shared
    /// access for a purpose).
    HandoverRecorded {
        handover: Uuid,
        kind: HandoverKind,
        from_org: OrgId,
        to_org: OrgId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_user: Option<UserId>,
        purpose: String,
        person_consents: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        child_views: Option<String>,
    },
    TransferAnswered {
        handover: Uuid,
        accepted: bool,
        from_org: OrgId,
        to_org: OrgId,
    },
    /// The person gave or withdrew consent to family tracing (adults; a child's case is searched
    /// under the child-protection mandate).
    FamilyTracingConsentRecorded {
        given: bool,
    },
}

impl Event {
    /// The event's name as stored (not secret: it says what happened, not to whom).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ReferralReceived { .. } => "referral_received",
            Event::ReasonableGroundsDecided { .. } => "reasonable_grounds_decided",
            Event::ConclusiveGroundsDecided { .. } => "conclusive_grounds_decided",
            Event::AgeAssessed { .. } => "age_assessed",
            Event::Disqualified { .. } => "disqualified",
            Event::ReconsiderationRequested { .. } => "reconsideration_requested",
            Event::EarlyConclusiveDecisionRequested { .. } => "early_conclusive_decision_requested",
            Event::GuardianAppointed { .. } => "guardian_appointed",
            Event::CaseClosed { .. } => "case_closed",
            Event::ScreeningRecorded { .. } => "screening_recorded",
            Event::ReferralAttached { .. } => "referral_attached",
            Event::RightRecorded { .. } => "right_recorded",
            Event::NeedsAssessed { .. } => "needs_assessed",
            Event::ServiceReferred { .. } => "service_referred",
            Event::ServiceReferralUpdated { .. } => "service_referral_updated",
            Event::GuardianNamed { .. } => "guardian_named",
            Event::BestInterestsRecorded { .. } => "best_interests_recorded",
            Event::FamilyTracingRequested { .. } => "family_tracing_requested",
            Event::TransitionPlanRecorded { .. } => "transition_plan_recorded",
            Event::JusticeRecorded { .. } => "justice_recorded",
            Event::DurableSolutionChosen { .. } => "durable_solution_chosen",
            Event::FollowUpRecorded { .. } => "follow_up_recorded",
            Event::HandoverRecorded { .. } => "handover_recorded",
            Event::TransferAnswered { .. } => "transfer_answered",
            Event::FamilyTracingConsentRecorded { .. } => "family_tracing_consent_recorded",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryPeriod {
    pub start: Date,
    pub end: Date,
}

/// An event with its place in the journal and who caused it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEvent {
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: UserId,
    pub actor_org: OrgId,
    pub event: Event,
}

/// What someone asks to happen to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Refer {
        referral: Box<Referral>,
        referring_org: OrgId,
    },
    DecideReasonableGrounds {
        outcome: DecisionOutcome,
        reasons: String,
    },
    DecideConclusiveGrounds {
        outcome: DecisionOutcome,
        reasons: String,
    },
    AssessAge {
        result: AgeAssessmentResult,
        method: String,
        reasons: String,
    },
    Disqualify {
        ground: DisqualificationGround,
        reasons: String,
    },
    RequestReconsideration {
        reasons: String,
    },
    RequestEarlyConclusiveDecision {
        reasons: String,
    },
    AppointGuardian {
        guardian: UserId,
        organisation: OrgId,
    },
    Close {
        reason: ClosureReason,
        notes: Option<String>,
        /// Required when accepted service referrals are still open.
        open_referrals: Option<OpenReferralsOnClose>,
    },
    RecordScreening {
        screening: Screening,
    },
    AttachReferral {
        referral: Box<Referral>,
        referring_org: OrgId,
    },
    /// The right comes from the catalogue (checked by [`support::check_right_status`]).
    RecordRight {
        right: RightDef,
        status: RightStatus,
        reason: Option<String>,
    },
    AssessNeeds {
        assessment: NeedsAssessment,
    },
    ReferToService {
        referral: Uuid,
        service: ServiceProfile,
        need: ServiceKind,
        consent: ServiceConsent,
    },
    UpdateServiceReferral {
        referral: Uuid,
        to: ReferralStatus,
        reason: Option<String>,
    },
    NameGuardian {
        name: String,
        organisation: String,
    },
    RecordBestInterests {
        best_interests: BestInterests,
    },
    RequestFamilyTracing {
        requested: bool,
    },
    RecordTransitionPlan {
        plan: String,
    },
    RecordJustice {
        justice: Justice,
    },
    ChooseDurableSolution {
        solution: DurableSolution,
    },
    RecordFollowUp {
        notes: String,
    },
    Handover {
        handover: Uuid,
        kind: HandoverKind,
        from_org: OrgId,
        to_org: OrgId,
        to_user: Option<UserId>,
        purpose: String,
        person_consents: bool,
        child_views: Option<String>,
    },
    AnswerTransfer {
        handover: Uuid,
        accepted: bool,
        by_org: OrgId,
    },
    RecordFamilyTracingConsent {
        given: bool,
    },
}

/// A case as its journal has made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseState {
    pub id: CaseId,
    pub referral: Option<Referral>,
    pub phase: Phase,
    #[serde(with = "time::serde::rfc3339::option")]
    pub referred_at: Option<OffsetDateTime>,
    pub referring_org: Option<OrgId>,
    pub referred_by: Option<UserId>,
    pub recovery_period: Option<RecoveryPeriod>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub reasonable_grounds_decided_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub conclusive_grounds_decided_at: Option<OffsetDateTime>,
    pub move_on_period_end: Option<Date>,
    /// The day the person asked for the conclusive decision before the recovery period ends.
    pub early_conclusive_requested_on: Option<Date>,
    /// Which decision was negative, while the case is not identified.
    pub negative_decision: Option<ReconsiderableDecision>,
    pub assessed_child: Option<bool>,
    pub guardian: Option<UserId>,
    pub guardian_org: Option<OrgId>,
    pub disqualification: Option<DisqualificationGround>,
    pub closure: Option<ClosureReason>,
    /// Indicator screenings recorded on the case, oldest first.
    pub screenings: Vec<Screening>,
    /// Organisations whose referrals of the same person were attached to this case.
    pub attached_orgs: Vec<OrgId>,
    /// Every status recorded for each right, oldest first.
    pub rights: RightsHistory,
    pub needs: Option<NeedsAssessment>,
    pub service_referrals: Vec<ServiceReferralState>,
    /// A guardian named as (person, organisation) rather than appointed as a Harbour user.
    pub named_guardian: Option<(String, String)>,
    pub best_interests: Vec<BestInterests>,
    pub family_tracing_requested: bool,
    pub transition_plan: Option<String>,
    pub justice: Option<Justice>,
    pub durable_solution: Option<DurableSolution>,
    pub follow_ups: Vec<(Date, String)>,
    pub handovers: Vec<HandoverState>,
    /// The user the case is assigned to within its owner organisation.
    pub assigned_to: Option<UserId>,
    /// Family-tracing consent recorded after the referral (overrides the referral's).
    pub family_tracing_consent: Option<bool>,
    /// Events applied so far; the next event gets `seq + 1`.
    pub seq: u64,
}

impl CaseState {
    /// A case before its referral.
    pub fn empty(id: CaseId) -> CaseState {
        CaseState {
            id,
            referral: None,
            phase: Status::AwaitingReasonableGrounds,
            referred_at: None,
            referring_org: None,
            referred_by: None,
            recovery_period: None,
            reasonable_grounds_decided_at: None,
            conclusive_grounds_decided_at: None,
            move_on_period_end: None,
            early_conclusive_requested_on: None,
            negative_decision: None,
            assessed_child: None,
            guardian: None,
            guardian_org: None,
            disqualification: None,
            closure: None,
            screenings: Vec::new(),
            attached_orgs: Vec::new(),
            rights: RightsHistory::new(),
            needs: None,
            service_referrals: Vec::new(),
            named_guardian: None,
            best_interests: Vec::new(),
            family_tracing_requested: false,
            transition_plan: None,
            justice: None,
            durable_solution: None,
            follow_ups: Vec::new(),
            handovers: Vec::new(),
            assigned_to: None,
            family_tracing_consent: None,
            seq: 0,
        }
    }

    /// Rebuild a case from its journal.
    pub fn from_events<'a>(
        id: CaseId,
        events: impl IntoIterator<Item = &'a RecordedEvent>,
    ) -> CaseState {
        events.into_iter().fold(CaseState::empty(id), apply)
    }

    /// The status on `today`: a recovery period that has run out (or that the person asked to
    /// cut short) means the case awaits its conclusive decision.
    pub fn status(&self, today: Date) -> Status {
        match (self.phase, self.recovery_period) {
            (Status::RecoveryPeriod, Some(rp))
                if today >= rp.end || self.early_conclusive_requested_on.is_some() =>
            {
                Status::AwaitingConclusiveGrounds
            }
            (phase, _) => phase,
        }
    }

    pub fn minority(&self, today: Date) -> Minority {
        match &self.referral {
            Some(r) => minority_at(&r.person.birth, self.assessed_child, today),
            None => Minority::PresumedChild,
        }
    }

    /// The day from which the case awaits its conclusive decision, if it is in or past its
    /// recovery period: the period's end, or the day the person asked for an early decision.
    pub fn awaiting_conclusive_from(&self) -> Option<Date> {
        match (self.phase, self.recovery_period) {
            (Status::RecoveryPeriod | Status::AwaitingConclusiveGrounds, Some(rp)) => Some(
                self.early_conclusive_requested_on
                    .map_or(rp.end, |d| d.min(rp.end)),
            ),
            _ => None,
        }
    }

    /// Whether the person currently consents to family tracing: the last recorded answer, or
    /// the referral's consent.
    pub fn consents_to_family_tracing(&self) -> bool {
        self.family_tracing_consent.unwrap_or_else(|| {
            self.referral
                .as_ref()
                .and_then(|r| r.consent.as_ref())
                .is_some_and(|c| c.family_tracing)
        })
    }

    fn is_referred(&self) -> bool {
        self.referral.is_some()
    }

    /// Neither closed nor disqualified.
    pub fn is_open(&self, today: Date) -> bool {
        !matches!(self.status(today), Status::Closed | Status::Disqualified)
    }

    /// A guardian is in place: appointed as a user, or named with their organisation.
    pub fn has_guardian(&self) -> bool {
        self.guardian.is_some() || self.named_guardian.is_some()
    }

    pub fn service_referral(&self, id: Uuid) -> Option<&ServiceReferralState> {
        self.service_referrals.iter().find(|r| r.id == id)
    }

    /// Was the person a child (or presumed one) when referred?
    pub fn child_at_referral(&self) -> bool {
        match (&self.referral, self.referred_at) {
            (Some(r), Some(at)) => {
                minority_at(&r.person.birth, None, at.date()).is_child_or_presumed()
            }
            _ => false,
        }
    }

    /// A child at referral who is an adult now, or may turn 18 within a year, needs a
    /// transition-to-adulthood plan.
    pub fn transition_plan_applies(&self, today: Date) -> bool {
        let Some(r) = &self.referral else {
            return false;
        };
        self.child_at_referral()
            && (self.minority(today) == Minority::Adult
                || (self.assessed_child != Some(true) && r.person.birth.age_bounds(today).1 >= 17))
    }

    /// The facts a service's fit depends on.
    pub fn person_fit(&self, today: Date) -> support::PersonFit {
        let person = self.referral.as_ref().map(|r| &r.person);
        support::PersonFit {
            minority: self.minority(today),
            sex: person.map(|p| p.sex).unwrap_or(crate::person::Sex::Unknown),
            languages: person.map(|p| p.languages.clone()).unwrap_or_default(),
            region: self.needs.as_ref().and_then(|n| n.region.clone()),
        }
    }
}

/// The referral's own event, followed by one `ScreeningRecorded` per screening done with it: the
/// screenings live in the journal as events, never inside the stored referral.
fn with_screenings(
    mut referral: Box<Referral>,
    event: impl FnOnce(Box<Referral>) -> Event,
) -> Vec<Event> {
    let screenings = std::mem::take(&mut referral.screenings);
    let mut events = vec![event(referral)];
    events.extend(
        screenings
            .into_iter()
            .map(|screening| Event::ScreeningRecorded { screening }),
    );
    events
}

fn illegal(msg: impl Into<String>) -> DomainError {
    DomainError::IllegalTransition(msg.into())
}

/// Decide what a command does to a case, at `now`, under `policy`.
pub fn decide(
    state: &CaseState,
    command: Command,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<Vec<Event>, DomainError> {
    let today = now.date();
    let status = state.status(today);
    let after_closure = matches!(command, Command::UpdateServiceReferral { .. });
    if state.is_referred() && status == Status::Closed && !after_closure {
        return Err(illegal(
            "the case is closed; nothing more can be recorded on it",
        ));
    }
    if !state.is_referred() && !matches!(command, Command::Refer { .. }) {
        return Err(illegal("the case has no referral yet"));
    }
    match command {
        Command::Refer {
            referral,
            referring_org,
        } => {
            if state.is_referred() {
                return Err(illegal("the case has already been referred"));
            }
            let referral = Box::new(referral.validate(today)?);
            let minority = minority_at(&referral.person.birth, None, today);
            if minority == Minority::Adult {
                let consented = referral
                    .consent
                    .as_ref()
                    .map(|c| c.nrm_referral)
                    .unwrap_or(false);
                if !consented {
                    return Err(DomainError::ConsentRequired);
                }
            }
            Ok(with_screenings(referral, |referral| {
                Event::ReferralReceived {
                    referral,
                    referring_org,
                }
            }))
        }
        Command::DecideReasonableGrounds { outcome, reasons } => {
            let reasons = required_reasons(&reasons)?;
            if status != Status::AwaitingReasonableGrounds {
                return Err(illegal(format!(
                    "a reasonable grounds decision can only be made while the case awaits one; it is {status}"
                )));
            }
            let recovery_period = (outcome == DecisionOutcome::Positive).then(|| RecoveryPeriod {
                start: today,
                end: policy.recovery_period_end(today),
            });
            Ok(vec![Event::ReasonableGroundsDecided {
                outcome,
                reasons,
                recovery_period,
            }])
        }
        Command::DecideConclusiveGrounds { outcome, reasons } => {
            let reasons = required_reasons(&reasons)?;
            match (state.phase, state.recovery_period) {
                (Status::RecoveryPeriod, Some(rp))
                    if policy.identification.conclusive_not_before_recovery_end
                        && today < rp.end
                        && state.early_conclusive_requested_on.is_none() =>
                {
                    return Err(DomainError::RecoveryPeriodNotOver { ends: rp.end })
                }
                _ => {}
            }
            if !matches!(
                status,
                Status::AwaitingConclusiveGrounds | Status::RecoveryPeriod
            ) {
                return Err(illegal(format!(
                    "a conclusive grounds decision needs a positive reasonable grounds decision first; the case is {status}"
                )));
            }
            let move_on_period_end =
                (outcome == DecisionOutcome::Positive).then(|| policy.move_on_end(today));
            Ok(vec![Event::ConclusiveGroundsDecided {
                outcome,
                reasons,
                move_on_period_end,
            }])
        }
        Command::AssessAge {
            result,
            method,
            reasons,
        } => {
            let reasons = required_reasons(&reasons)?;
            let method = method.trim().to_string();
            if method.is_empty() {
                return Err(DomainError::field("/method", "say how age was assessed (for example documents, multidisciplinary assessment)"));
            }
            if status == Status::Disqualified {
                return Err(illegal("the case is disqualified"));
            }
            Ok(vec![Event::AgeAssessed {
                result,
                method,
                reasons,
            }])
        }
        Command::Disqualify { ground, reasons } => {
            let reasons = required_reasons(&reasons)?;
            if !matches!(
                status,
                Status::AwaitingReasonableGrounds
                    | Status::RecoveryPeriod
                    | Status::AwaitingConclusiveGrounds
            ) {
                return Err(illegal(format!(
                    "a case that is {status} cannot be disqualified"
                )));
            }
            Ok(vec![Event::Disqualified { ground, reasons }])
        }
        Command::RequestReconsideration { reasons } => {
            let reasons = required_reasons(&reasons)?;
            match (status, state.negative_decision) {
                (Status::NotIdentified, Some(decision)) => {
                    Ok(vec![Event::ReconsiderationRequested { decision, reasons }])
                }
                _ => Err(illegal(format!(
                    "only a negative decision can be reconsidered; the case is {status}"
                ))),
            }
        }
        Command::RequestEarlyConclusiveDecision { reasons } => {
            let reasons = required_reasons(&reasons)?;
            if status != Status::RecoveryPeriod {
                return Err(illegal(format!(
                    "an early conclusive decision can only be asked for during the recovery period; the case is {status}"
                )));
            }
            Ok(vec![Event::EarlyConclusiveDecisionRequested { reasons }])
        }
        Command::AppointGuardian {
            guardian,
            organisation,
        } => {
            if !state.minority(today).is_child_or_presumed() {
                return Err(illegal("a guardian is appointed for a child or presumed child; this person is an adult"));
            }
            if state.guardian == Some(guardian) {
                return Err(illegal("this guardian is already appointed"));
            }
            Ok(vec![Event::GuardianAppointed {
                guardian,
                organisation,
            }])
        }
        Command::RecordScreening { screening } => {
            let mut errors = Vec::new();
            check_free_text(&mut errors, "/notes", &screening.notes);
            if !errors.is_empty() {
                return Err(DomainError::Invalid(errors));
            }
            Ok(vec![Event::ScreeningRecorded { screening }])
        }
        Command::AttachReferral {
            referral,
            referring_org,
        } => {
            let referral = Box::new(referral.validate(today)?);
            Ok(with_screenings(referral, |referral| {
                Event::ReferralAttached {
                    referral,
                    referring_org,
                }
            }))
        }
        Command::RecordFamilyTracingConsent { given } => {
            Ok(vec![Event::FamilyTracingConsentRecorded { given }])
        }
        Command::Close {
            reason,
            notes,
            open_referrals,
        } => {
            let mut errors = Vec::new();
            check_free_text(&mut errors, "/notes", &notes);
            if !errors.is_empty() {
                return Err(DomainError::Invalid(errors));
            }
            if reason == ClosureReason::Other
                && notes.as_deref().map(str::trim).unwrap_or("").is_empty()
            {
                return Err(DomainError::field(
                    "/notes",
                    "closing for another reason needs notes saying why",
                ));
            }
            let open: Vec<&ServiceReferralState> = state
                .service_referrals
                .iter()
                .filter(|r| r.holds_place())
                .collect();
            let mut events = Vec::new();
            match open_referrals {
                None if !open.is_empty() => {
                    return Err(DomainError::OpenServiceReferrals(open.len()))
                }
                Some(OpenReferralsOnClose::Withdraw) => {
                    for r in open {
                        events.push(Event::ServiceReferralUpdated {
                            referral: r.id,
                            service_kind: r.service_kind,
                            status: ReferralStatus::Withdrawn,
                            referred_at: r.referred_at,
                            reason: Some("case closed".into()),
                        });
                    }
                }
                _ => {}
            }
            events.push(Event::CaseClosed {
                reason,
                notes,
                open_referrals,
            });
            Ok(events)
        }
        other => decide_support(state, other, now),
    }
}

/// The support, rights and justice commands (pillars 2 to 4).
fn decide_support(
    state: &CaseState,
    command: Command,
    now: OffsetDateTime,
) -> Result<Vec<Event>, DomainError> {
    let today = now.date();
    let minority = state.minority(today);
    let required = |pointer: &str, text: &str, what: &str| -> Result<String, DomainError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(DomainError::field(pointer, what.to_string()));
        }
        if t.chars().count() > MAX_TEXT_LEN {
            return Err(DomainError::field(
                pointer,
                format!("is longer than {MAX_TEXT_LEN} characters"),
            ));
        }
        Ok(t.to_string())
    };
    match command {
        Command::RecordRight {
            right,
            status,
            reason,
        } => {
            if status == RightStatus::Refused
                && reason.as_deref().map(str::trim).unwrap_or("").is_empty()
            {
                return Err(DomainError::field(
                    "/reason",
                    "a refused right needs the reason it was refused",
                ));
            }
            support::check_text("/reason", &reason, MAX_TEXT_LEN)?;
            Ok(vec![Event::RightRecorded {
                right: right.code,
                legal_basis: right.legal_basis,
                status,
                reason,
            }])
        }
        Command::AssessNeeds { assessment } => Ok(vec![Event::NeedsAssessed {
            assessment: assessment.validate(minority)?,
        }]),
        Command::ReferToService {
            referral,
            service,
            need,
            consent,
        } => {
            let planned = state
                .needs
                .as_ref()
                .is_some_and(|n| n.needs.iter().any(|x| x.kind == need));
            if !planned {
                return Err(DomainError::field(
                    "/need",
                    format!("`{need}` is not among the person's assessed needs; record the needs assessment first"),
                ));
            }
            support::check_service_consent(minority, &consent)?;
            if let Some(why) = support::unsuitable(&service, need, &state.person_fit(today)) {
                return Err(DomainError::ServiceUnsuitable(why));
            }
            Ok(vec![Event::ServiceReferred {
                referral,
                service: service.id,
                service_kind: service.kind,
                provider_org: service.org_id,
                need,
                consent,
            }])
        }
        Command::UpdateServiceReferral {
            referral,
            to,
            reason,
        } => {
            let r = state.service_referral(referral).ok_or_else(|| {
                DomainError::IllegalTransition("this case has no such service referral".into())
            })?;
            let reason = match to {
                ReferralStatus::Declined => Some(required(
                    "/reason",
                    reason.as_deref().unwrap_or(""),
                    "say why the referral is declined",
                )?),
                _ => {
                    support::check_text("/reason", &reason, MAX_TEXT_LEN)?;
                    reason
                }
            };
            let status = support::next_referral_status(r.status, to)?;
            Ok(vec![Event::ServiceReferralUpdated {
                referral,
                service_kind: r.service_kind,
                status,
                referred_at: r.referred_at,
                reason,
            }])
        }
        Command::NameGuardian { name, organisation } => {
            if !minority.is_child_or_presumed() {
                return Err(DomainError::IllegalTransition(
                    "a guardian is appointed for a child or presumed child; this person is an adult"
                        .into(),
                ));
            }
            let name = required("/name", &name, "give the guardian's name")?;
            let organisation = required(
                "/organisation",
                &organisation,
                "give the guardian's organisation",
            )?;
            Ok(vec![Event::GuardianNamed { name, organisation }])
        }
        Command::RecordBestInterests { best_interests } => {
            if !minority.is_child_or_presumed() {
                return Err(DomainError::IllegalTransition(
                    "best-interests assessments and determinations are for children".into(),
                ));
            }
            Ok(vec![Event::BestInterestsRecorded {
                best_interests: best_interests.validate()?,
            }])
        }
        Command::RequestFamilyTracing { requested } => {
            if !minority.is_child_or_presumed() {
                return Err(DomainError::IllegalTransition(
                    "family tracing is requested here for children; for adults use a tracing request".into(),
                ));
            }
            Ok(vec![Event::FamilyTracingRequested { requested }])
        }
        Command::RecordTransitionPlan { plan } => {
            if !state.transition_plan_applies(today) {
                return Err(DomainError::IllegalTransition(
                    "a transition-to-adulthood plan is for a child who turns 18 during the case"
                        .into(),
                ));
            }
            Ok(vec![Event::TransitionPlanRecorded {
                plan: required("/plan", &plan, "write the plan")?,
            }])
        }
        Command::RecordJustice { justice } => Ok(vec![Event::JusticeRecorded {
            justice: justice.validate()?,
        }]),
        Command::ChooseDurableSolution { solution } => Ok(vec![Event::DurableSolutionChosen {
            solution: support::check_durable_solution(state, minority, solution)?,
        }]),
        Command::RecordFollowUp { notes } => Ok(vec![Event::FollowUpRecorded {
            notes: required("/notes", &notes, "say what the follow-up contact found")?,
        }]),
        Command::Handover {
            handover,
            kind,
            from_org,
            to_org,
            to_user,
            purpose,
            person_consents,
            child_views,
        } => {
            let purpose = required("/purpose", &purpose, "say what the handover is for")?;
            support::check_handover_consent(minority, kind, person_consents, &child_views)?;
            match kind {
                HandoverKind::Assign if to_user.is_none() || from_org != to_org => {
                    return Err(DomainError::field(
                        "/to_user",
                        "an assignment goes to a user of the same organisation",
                    ))
                }
                HandoverKind::Transfer | HandoverKind::Refer if from_org == to_org => {
                    return Err(DomainError::field(
                        "/to_org",
                        "a transfer or referral goes to another organisation",
                    ))
                }
                HandoverKind::Transfer
                    if state
                        .handovers
                        .iter()
                        .any(|h| h.kind == HandoverKind::Transfer && h.status == "offered") =>
                {
                    return Err(DomainError::IllegalTransition(
                        "a transfer is already waiting for its recipient".into(),
                    ))
                }
                _ => {}
            }
            Ok(vec![Event::HandoverRecorded {
                handover,
                kind,
                from_org,
                to_org,
                to_user,
                purpose,
                person_consents,
                child_views,
            }])
        }
        Command::AnswerTransfer {
            handover,
            accepted,
            by_org,
        } => {
            let h = state
                .handovers
                .iter()
                .find(|h| h.id == handover && h.kind == HandoverKind::Transfer)
                .ok_or_else(|| {
                    DomainError::IllegalTransition("this case has no such transfer".into())
                })?;
            if h.status != "offered" {
                return Err(DomainError::IllegalTransition(format!(
                    "this transfer is already {}",
                    h.status
                )));
            }
            if h.to_org != by_org {
                return Err(DomainError::IllegalTransition(
                    "only the receiving organisation answers a transfer".into(),
                ));
            }
            Ok(vec![Event::TransferAnswered {
                handover,
                accepted,
                from_org: h.from_org,
                to_org: h.to_org,
            }])
        }
        Command::Refer { .. }
        | Command::DecideReasonableGrounds { .. }
        | Command::DecideConclusiveGrounds { .. }
        | Command::AssessAge { .. }
        | Command::Disqualify { .. }
        | Command::RequestReconsideration { .. }
        | Command::RequestEarlyConclusiveDecision { .. }
        | Command::AppointGuardian { .. }
        | Command::Close { .. }
        | Command::RecordScreening { .. }
        | Command::AttachReferral { .. }
        | Command::RecordFamilyTracingConsent { .. } => Err(DomainError::IllegalTransition(
            "not a support command".into(),
        )),
    }
}

/// Fold one recorded event into the state. Never fails: events are facts that happened.
pub fn apply(mut state: CaseState, recorded: &RecordedEvent) -> CaseState {
    state.seq = recorded.seq;
    match &recorded.event {
        Event::ReferralReceived {
            referral,
            referring_org,
        } => {
            state.referral = Some((**referral).clone());
            state.referring_org = Some(*referring_org);
            state.referred_by = Some(recorded.actor);
            state.referred_at = Some(recorded.at);
            state.phase = Status::AwaitingReasonableGrounds;
        }
        Event::ReasonableGroundsDecided {
            outcome,
            recovery_period,
            ..
        } => {
            state.reasonable_grounds_decided_at = Some(recorded.at);
            match outcome {
                DecisionOutcome::Positive => {
                    state.phase = Status::RecoveryPeriod;
                    state.recovery_period = *recovery_period;
                    state.negative_decision = None;
                }
                DecisionOutcome::Negative => {
                    state.phase = Status::NotIdentified;
                    state.negative_decision = Some(ReconsiderableDecision::ReasonableGrounds);
                }
            }
        }
        Event::ConclusiveGroundsDecided {
            outcome,
            move_on_period_end,
            ..
        } => {
            state.conclusive_grounds_decided_at = Some(recorded.at);
            match outcome {
                DecisionOutcome::Positive => {
                    state.phase = Status::Identified;
                    state.move_on_period_end = *move_on_period_end;
                    state.negative_decision = None;
                }
                DecisionOutcome::Negative => {
                    state.phase = Status::NotIdentified;
                    state.negative_decision = Some(ReconsiderableDecision::ConclusiveGrounds);
                }
            }
        }
        Event::AgeAssessed { result, .. } => {
            state.assessed_child = Some(*result == AgeAssessmentResult::Child);
        }
        Event::Disqualified { ground, .. } => {
            state.phase = Status::Disqualified;
            state.disqualification = Some(*ground);
        }
        Event::ReconsiderationRequested { decision, .. } => {
            state.phase = match decision {
                ReconsiderableDecision::ReasonableGrounds => Status::AwaitingReasonableGrounds,
                ReconsiderableDecision::ConclusiveGrounds => Status::AwaitingConclusiveGrounds,
            };
            state.negative_decision = None;
        }
        Event::EarlyConclusiveDecisionRequested { .. } => {
            state.early_conclusive_requested_on = Some(recorded.at.date());
        }
        Event::GuardianAppointed {
            guardian,
            organisation,
        } => {
            state.guardian = Some(*guardian);
            state.guardian_org = Some(*organisation);
        }
        Event::CaseClosed { reason, .. } => {
            state.phase = Status::Closed;
            state.closure = Some(*reason);
        }
        Event::RightRecorded {
            right,
            status,
            reason,
            ..
        } => {
            state
                .rights
                .entry(right.clone())
                .or_default()
                .push(RightEntry {
                    status: *status,
                    reason: reason.clone(),
                    at: recorded.at,
                    recorded_by: recorded.actor,
                });
        }
        Event::NeedsAssessed { assessment } => state.needs = Some(assessment.clone()),
        Event::ServiceReferred {
            referral,
            service,
            service_kind,
            provider_org,
            need,
            consent,
        } => state.service_referrals.push(ServiceReferralState {
            id: *referral,
            service_id: *service,
            service_kind: *service_kind,
            provider_org: *provider_org,
            need: *need,
            consent: consent.clone(),
            status: ReferralStatus::Referred,
            referred_at: recorded.at,
            accepted_at: None,
            decline_reason: None,
        }),
        Event::ServiceReferralUpdated {
            referral,
            status,
            reason,
            ..
        } => {
            if let Some(r) = state
                .service_referrals
                .iter_mut()
                .find(|r| r.id == *referral)
            {
                r.status = *status;
                if *status == ReferralStatus::Accepted {
                    r.accepted_at = Some(recorded.at);
                }
                if *status == ReferralStatus::Declined {
                    r.decline_reason = reason.clone();
                }
            }
        }
        Event::GuardianNamed { name, organisation } => {
            state.named_guardian = Some((name.clone(), organisation.clone()));
        }
        Event::BestInterestsRecorded { best_interests } => {
            state.best_interests.push(best_interests.clone())
        }
        Event::FamilyTracingRequested { requested } => state.family_tracing_requested = *requested,
        Event::TransitionPlanRecorded { plan } => state.transition_plan = Some(plan.clone()),
        Event::JusticeRecorded { justice } => state.justice = Some(justice.clone()),
        Event::DurableSolutionChosen { solution } => {
            state.durable_solution = Some(solution.clone())
        }
        Event::FollowUpRecorded { notes } => {
            state.follow_ups.push((recorded.at.date(), notes.clone()))
        }
        Event::HandoverRecorded {
            handover,
            kind,
            from_org,
            to_org,
            to_user,
            purpose,
            ..
        } => {
            if *kind == HandoverKind::Assign {
                state.assigned_to = *to_user;
            }
            state.handovers.push(HandoverState {
                id: *handover,
                kind: *kind,
                from_org: *from_org,
                to_org: *to_org,
                to_user: *to_user,
                purpose: purpose.clone(),
                status: if *kind == HandoverKind::Transfer {
                    "offered".into()
                } else {
                    "done".into()
                },
            });
        }
        Event::TransferAnswered {
            handover, accepted, ..
        } => {
            if let Some(h) = state.handovers.iter_mut().find(|h| h.id == *handover) {
                h.status = if *accepted { "accepted" } else { "declined" }.into();
            }
            if *accepted {
                // The new owner assigns the case afresh.
                state.assigned_to = None;
            }
        }
        Event::ScreeningRecorded { screening } => {
            state.screenings.push(screening.clone());
        }
        Event::ReferralAttached {
            referral,
            referring_org,
        } => {
            // Facts reported again are kept as reported; forms of exploitation accumulate.
            if let Some(r) = state.referral.as_mut() {
                for f in &referral.exploitation_forms {
                    if !r.exploitation_forms.contains(f) && *f != ExploitationForm::Unknown {
                        r.exploitation_forms.push(*f);
                    }
                }
                if r.exploitation_forms
                    .iter()
                    .any(|f| *f != ExploitationForm::Unknown)
                {
                    r.exploitation_forms
                        .retain(|f| *f != ExploitationForm::Unknown);
                }
                r.exploitation_forms.sort_by_key(|f| f.as_str());
            }
            if !state.attached_orgs.contains(referring_org) {
                state.attached_orgs.push(*referring_org);
            }
        }
        Event::FamilyTracingConsentRecorded { given } => {
            state.family_tracing_consent = Some(*given);
        }
    }
    state
}
