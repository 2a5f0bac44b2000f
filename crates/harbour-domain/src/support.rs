//! Support, rights and justice: the rights tracker (rights as data), the service directory's
//! fitting and ranking rule, needs and consent to services, service referrals, children's
//! best interests, criminal justice and redress, durable solutions and handovers.
//!
//! Everything here is pure. The case journal events these facts live in are in `case.rs`; this
//! module holds their types and the rules `decide` applies.

use crate::case::CaseState;
use crate::error::{DomainError, FieldError};
use crate::ids::OrgId;
use crate::minority::Minority;
use crate::org::string_enum;
use crate::person::Sex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// The rights shipped with Harbour (nrm.md §4 and the child safeguards of §5).
pub const DEFAULT_RIGHTS_TOML: &str = include_str!("../../../data/rights/default.toml");

/// Longest short text (names, stages, measures).
pub const MAX_SHORT_LEN: usize = 500;

string_enum!(
    /// Kinds of service an organisation may offer (nrm.md pillar 2).
    ServiceKind {
        Accommodation => "accommodation",
        EmergencyMedical => "emergency_medical",
        Psychological => "psychological",
        LegalCounselling => "legal_counselling",
        LegalAid => "legal_aid",
        Interpretation => "interpretation",
        MaterialAssistance => "material_assistance",
        Education => "education",
        VocationalTraining => "vocational_training",
        Employment => "employment",
        FamilyTracing => "family_tracing",
        ReturnReintegration => "return_reintegration",
        ChildCare => "child_care",
    }
);

string_enum!(
    /// Whom a service accepts. `women` and `men` make a service gender-specific.
    Accepts {
        Adults => "adults",
        Children => "children",
        Women => "women",
        Men => "men",
    }
);

string_enum!(
    /// Status of a right on a case (nrm.md §4).
    RightStatus {
        NotYetInformed => "not_yet_informed",
        Informed => "informed",
        Requested => "requested",
        Granted => "granted",
        Refused => "refused",
        Waived => "waived",
        NotApplicable => "not_applicable",
    }
);

string_enum!(
    AppliesTo {
        Adults => "adults",
        Children => "children",
        Both => "both",
    }
);

string_enum!(
    /// Where a service referral stands.
    ReferralStatus {
        Referred => "referred",
        Accepted => "accepted",
        Declined => "declined",
        Started => "started",
        Completed => "completed",
        Withdrawn => "withdrawn",
    }
);

string_enum!(
    /// The person's choice about cooperating with the authorities. Never a condition for support.
    Cooperation {
        Cooperating => "cooperating",
        Declined => "declined",
        Undecided => "undecided",
    }
);

string_enum!(
    DurableSolutionKind {
        Integration => "integration",
        Return => "return",
        Resettlement => "resettlement",
    }
);

string_enum!(
    BestInterestsKind {
        Assessment => "assessment",
        Determination => "determination",
    }
);

string_enum!(
    /// What happens to accepted service referrals still open when a case closes: `continue`
    /// (support goes on with the provider after closure) or `withdraw` (they end, places freed).
    OpenReferralsOnClose {
        Continue => "continue",
        Withdraw => "withdraw",
    }
);

string_enum!(
    /// Kinds of case handover: `assign` (to a user of the same organisation), `transfer`
    /// (ownership moves when the recipient accepts), `refer` (shared access for a purpose; the
    /// owner keeps the case).
    HandoverKind {
        Assign => "assign",
        Transfer => "transfer",
        Refer => "refer",
    }
);

// ---------------------------------------------------------------------------------------------
// Rights as data

/// How a right is met without a status being recorded by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetBy {
    /// Being informed is what the right asks for (information on rights).
    Informed,
    /// A positive reasonable-grounds decision started the recovery period.
    RecoveryPeriod,
    /// A guardian has been appointed.
    Guardian,
    /// A best-interests assessment has been recorded.
    BestInterestsAssessment,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightDef {
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub applies_to: AppliesTo,
    /// Due this many days after referral (0: at referral).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met_by: Option<MetBy>,
}

/// A national change of a deadline.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueChange {
    pub right: String,
    /// Days after referral; absent removes the deadline.
    #[serde(default)]
    pub days: Option<u32>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RightsFile {
    #[serde(default)]
    right: Vec<RightDef>,
    #[serde(default)]
    due: Vec<DueChange>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RightsError {
    #[error("rights file is not valid: {0}")]
    Parse(String),
    #[error("right `{0}` is listed twice")]
    Duplicate(String),
    #[error("right code `{0}` must be lowercase letters, digits and underscores")]
    BadCode(String),
    #[error("a deadline is given for `{0}`, which is not a right in the catalogue")]
    UnknownRight(String),
}

/// The rights a deployment tracks, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RightsCatalogue {
    pub rights: Vec<RightDef>,
}

impl RightsCatalogue {
    pub fn from_toml(text: &str) -> Result<RightsCatalogue, RightsError> {
        let mut c = RightsCatalogue { rights: vec![] };
        c.extend_from_toml(text)?;
        Ok(c)
    }

    /// The shipped catalogue. It is tested to parse; an empty catalogue is the fallback.
    pub fn shipped() -> RightsCatalogue {
        RightsCatalogue::from_toml(DEFAULT_RIGHTS_TOML)
            .unwrap_or(RightsCatalogue { rights: vec![] })
    }

    /// Apply a national file: its `[[right]]` entries are added, its `[[due]]` entries change
    /// deadlines of rights already in the catalogue.
    pub fn extend_from_toml(&mut self, text: &str) -> Result<(), RightsError> {
        let file: RightsFile =
            toml::from_str(text).map_err(|e| RightsError::Parse(e.to_string()))?;
        for r in file.right {
            if r.code.is_empty()
                || !r
                    .code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(RightsError::BadCode(r.code));
            }
            if self.get(&r.code).is_some() {
                return Err(RightsError::Duplicate(r.code));
            }
            self.rights.push(r);
        }
        for d in file.due {
            let right = self
                .rights
                .iter_mut()
                .find(|r| r.code == d.right)
                .ok_or_else(|| RightsError::UnknownRight(d.right.clone()))?;
            right.due_days = d.days;
        }
        Ok(())
    }

    pub fn get(&self, code: &str) -> Option<&RightDef> {
        self.rights.iter().find(|r| r.code == code)
    }

    /// The rights that apply to a person of this minority.
    pub fn applicable(&self, minority: Minority) -> impl Iterator<Item = &RightDef> {
        self.rights.iter().filter(move |r| match r.applies_to {
            AppliesTo::Both => true,
            AppliesTo::Children => minority.is_child_or_presumed(),
            AppliesTo::Adults => minority == Minority::Adult,
        })
    }
}

/// One status recorded for a right.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RightEntry {
    pub status: RightStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub recorded_by: crate::ids::UserId,
}

/// A right as the tracker shows it on `today`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RightLine {
    pub right: String,
    pub name: String,
    pub legal_basis: String,
    pub status: RightStatus,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_day")]
    pub due: Option<Date>,
    pub overdue: bool,
    /// Granted, settled or (for the right to information) informed: no longer awaited.
    #[serde(skip)]
    pub met: bool,
    /// Met by the case's own events (recovery period, guardian, assessment), not recorded by hand.
    pub derived: bool,
    pub history: Vec<RightEntry>,
}

mod opt_day {
    use serde::Serializer;
    use time::Date;
    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&crate::person::format_date(*d)),
            None => s.serialize_none(),
        }
    }
}

impl RightStatus {
    /// A decision has been made about the right: it no longer counts as late.
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            RightStatus::Granted
                | RightStatus::Refused
                | RightStatus::Waived
                | RightStatus::NotApplicable
        )
    }
}

/// Check a status change for a right: the right must exist and apply, a refusal needs its reason.
pub fn check_right_status(
    catalogue: &RightsCatalogue,
    minority: Minority,
    right: &str,
    status: RightStatus,
    reason: &Option<String>,
) -> Result<(), DomainError> {
    let def = catalogue.get(right).ok_or_else(|| {
        DomainError::field(
            "/right",
            format!("`{right}` is not a right in the catalogue"),
        )
    })?;
    if !catalogue.applicable(minority).any(|r| r.code == def.code) {
        return Err(DomainError::field(
            "/right",
            format!(
                "`{right}` applies to {} only; record it as not_applicable is not needed",
                def.applies_to
            ),
        ));
    }
    let empty = reason.as_deref().map(str::trim).unwrap_or("").is_empty();
    if status == RightStatus::Refused && empty {
        return Err(DomainError::field(
            "/reason",
            "a refused right needs the reason it was refused",
        ));
    }
    check_text("/reason", reason, crate::case::MAX_TEXT_LEN)?;
    Ok(())
}

/// The rights tracker of a case on `now`: every applicable right with its status, due day and
/// whether it is late. Rights that are due and not met are late from the day after they fall due.
pub fn rights_tracker(
    state: &CaseState,
    catalogue: &RightsCatalogue,
    now: OffsetDateTime,
) -> Vec<RightLine> {
    let today = now.date();
    let Some(referred_at) = state.referred_at else {
        return vec![];
    };
    let minority = state.minority(today);
    let open = state.is_open(today);
    catalogue
        .applicable(minority)
        .map(|def| {
            let history = state.rights.get(&def.code).cloned().unwrap_or_default();
            let recorded = history.last().map(|e| e.status);
            let derived_met = match def.met_by {
                Some(MetBy::RecoveryPeriod) => state.recovery_period.is_some(),
                Some(MetBy::Guardian) => state.has_guardian(),
                Some(MetBy::BestInterestsAssessment) => state.best_interests.iter().any(|b| {
                    matches!(
                        b.kind,
                        BestInterestsKind::Assessment | BestInterestsKind::Determination
                    )
                }),
                _ => false,
            };
            let (status, derived) = match recorded {
                Some(s) if s.is_settled() || !derived_met => (s, false),
                _ if derived_met => (RightStatus::Granted, true),
                _ => (RightStatus::NotYetInformed, false),
            };
            let met = status.is_settled()
                || (def.met_by == Some(MetBy::Informed) && status == RightStatus::Informed);
            let due = def.due_days.map(|d| {
                referred_at
                    .date()
                    .saturating_add(Duration::days(i64::from(d)))
            });
            let overdue = open && !met && due.is_some_and(|d| today > d);
            RightLine {
                right: def.code.clone(),
                name: def.name.clone(),
                legal_basis: def.legal_basis.clone(),
                status,
                due,
                overdue,
                met,
                derived,
                history,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Needs, consent and services

/// One need, with the person's own priority (1 is most important to them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Need {
    pub kind: ServiceKind,
    #[serde(default)]
    pub priority: Option<u8>,
    /// In the person's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The needs assessment: recorded once (a later one replaces it), with the person's priorities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedsAssessment {
    pub needs: Vec<Need>,
    /// Where the person is or wants support (matched against services' regions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// What matters most to the person, in their words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priorities: Option<String>,
    /// For a child, the child's own views.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_views: Option<String>,
}

impl NeedsAssessment {
    pub fn validate(mut self, minority: Minority) -> Result<NeedsAssessment, DomainError> {
        let mut errors = Vec::new();
        if self.needs.is_empty() {
            errors.push(FieldError::new("/needs", "list at least one need"));
        }
        let mut seen = Vec::new();
        for (i, n) in self.needs.iter().enumerate() {
            if seen.contains(&n.kind) {
                errors.push(FieldError::new(
                    format!("/needs/{i}/kind"),
                    format!("`{}` is listed twice", n.kind),
                ));
            }
            seen.push(n.kind);
            if n.priority == Some(0) {
                errors.push(FieldError::new(
                    format!("/needs/{i}/priority"),
                    "priorities start at 1 (most important)",
                ));
            }
            push_text(
                &mut errors,
                &format!("/needs/{i}/notes"),
                &n.notes,
                crate::case::MAX_TEXT_LEN,
            );
        }
        push_text(&mut errors, "/region", &self.region, MAX_SHORT_LEN);
        push_text(
            &mut errors,
            "/priorities",
            &self.priorities,
            crate::case::MAX_TEXT_LEN,
        );
        push_text(
            &mut errors,
            "/child_views",
            &self.child_views,
            crate::case::MAX_TEXT_LEN,
        );
        if minority.is_child_or_presumed()
            && self
                .child_views
                .as_deref()
                .map(str::trim)
                .unwrap_or("")
                .is_empty()
        {
            errors.push(FieldError::new(
                "/child_views",
                "record the child's own views on their needs (CRC Art. 12)",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        self.region = self.region.map(|r| r.trim().to_lowercase());
        Ok(self)
    }
}

/// The person's informed consent to one service. For a child: the guardian's consent and the
/// child's own views.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConsent {
    pub informed_consent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_consent: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_views: Option<String>,
}

/// What the directory says about one service: enough to decide whether it fits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceProfile {
    pub id: Uuid,
    pub org_id: OrgId,
    pub kind: ServiceKind,
    pub capacity: u32,
    pub taken: u32,
    pub languages: Vec<String>,
    pub accepts: Vec<Accepts>,
    /// Lowercased region names; `any` serves everywhere.
    pub regions: Vec<String>,
    pub child_specialised: bool,
}

impl ServiceProfile {
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.taken)
    }
}

/// The facts about a person a service's fit depends on (nothing that identifies them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonFit {
    pub minority: Minority,
    pub sex: Sex,
    pub languages: Vec<String>,
    pub region: Option<String>,
}

/// Why a service does not fit a person's need.
pub fn unsuitable(service: &ServiceProfile, need: ServiceKind, p: &PersonFit) -> Option<String> {
    if service.kind != need {
        return Some(format!(
            "this service offers {}, not {}",
            service.kind, need
        ));
    }
    let child = p.minority.is_child_or_presumed();
    if child && !service.accepts.contains(&Accepts::Children) {
        return Some("this service does not accept children".into());
    }
    if !child && !service.accepts.contains(&Accepts::Adults) {
        return Some("this service accepts children only".into());
    }
    let gendered =
        service.accepts.contains(&Accepts::Women) || service.accepts.contains(&Accepts::Men);
    if gendered {
        let fits = match p.sex {
            Sex::Female => service.accepts.contains(&Accepts::Women),
            Sex::Male => service.accepts.contains(&Accepts::Men),
            // A gender-specific service is not imposed on someone whose sex is not recorded as its.
            _ => false,
        };
        if !fits {
            return Some("this service is gender-specific and does not fit the person".into());
        }
    }
    if let Some(region) = &p.region {
        if !service.regions.iter().any(|r| r == "any" || r == region) {
            return Some(format!("this service does not serve the region `{region}`"));
        }
    }
    if service.free() == 0 {
        return Some("this service has no free places".into());
    }
    None
}

/// Services that fit, best first: a shared language, a child-specialised service for a child,
/// then most free places; ties by id so the order is stable.
pub fn rank_services(
    services: &[ServiceProfile],
    need: ServiceKind,
    p: &PersonFit,
) -> Vec<ServiceProfile> {
    let mut fitting: Vec<(i64, &ServiceProfile)> = services
        .iter()
        .filter(|s| unsuitable(s, need, p).is_none())
        .map(|s| {
            let language = s.languages.iter().any(|l| p.languages.contains(l));
            let mut score = 0i64;
            if language {
                score += 1000;
            }
            if p.minority.is_child_or_presumed() && s.child_specialised {
                score += 500;
            }
            if let Some(r) = &p.region {
                if s.regions.contains(r) {
                    score += 100;
                }
            }
            score += i64::from(s.free().min(99));
            (score, s)
        })
        .collect();
    fitting.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    fitting.into_iter().map(|(_, s)| s.clone()).collect()
}

/// Check consent to a service: an adult's informed consent; for a child, the guardian's
/// consent and the child's own views.
pub fn check_service_consent(minority: Minority, c: &ServiceConsent) -> Result<(), DomainError> {
    push_check(
        "/consent/child_views",
        &c.child_views,
        crate::case::MAX_TEXT_LEN,
    )?;
    if minority.is_child_or_presumed() {
        if c.guardian_consent != Some(true) {
            return Err(DomainError::field(
                "/consent/guardian_consent",
                "a service for a child needs the guardian's consent",
            ));
        }
        if c.child_views
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .is_empty()
        {
            return Err(DomainError::field(
                "/consent/child_views",
                "record the child's views on this service (CRC Art. 12)",
            ));
        }
    } else if !c.informed_consent {
        return Err(DomainError::field(
            "/consent/informed_consent",
            "a service needs the person's informed consent (Conv. 12(7))",
        ));
    }
    Ok(())
}

/// A service referral as the case's journal has made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceReferralState {
    pub id: Uuid,
    pub service_id: Uuid,
    pub service_kind: ServiceKind,
    pub provider_org: OrgId,
    pub need: ServiceKind,
    pub consent: ServiceConsent,
    pub status: ReferralStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
}

impl ServiceReferralState {
    /// Accepted or started: the provider holds a place for the person.
    pub fn holds_place(&self) -> bool {
        matches!(
            self.status,
            ReferralStatus::Accepted | ReferralStatus::Started
        )
    }
}

/// The status a provider's step moves a referral to, or why it cannot.
pub fn next_referral_status(
    current: ReferralStatus,
    to: ReferralStatus,
) -> Result<ReferralStatus, DomainError> {
    use ReferralStatus::*;
    let ok = matches!(
        (current, to),
        (Referred, Accepted)
            | (Referred, Declined)
            | (Accepted, Started)
            | (Accepted, Completed)
            | (Started, Completed)
            | (Referred | Accepted | Started, Withdrawn)
    );
    if ok {
        Ok(to)
    } else {
        Err(DomainError::IllegalTransition(format!(
            "a service referral that is {current} cannot become {to}"
        )))
    }
}

// ---------------------------------------------------------------------------------------------
// Children

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BestInterests {
    pub kind: BestInterestsKind,
    /// The child's own views, always recorded (CRC Art. 12).
    pub child_views: String,
    pub conclusion: String,
    /// For a determination ahead of a durable solution: is return in the child's best interests?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_in_best_interests: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_solution: Option<DurableSolutionKind>,
}

impl BestInterests {
    pub fn validate(self) -> Result<BestInterests, DomainError> {
        let mut errors = Vec::new();
        if self.child_views.trim().is_empty() {
            errors.push(FieldError::new(
                "/child_views",
                "record the child's own views (CRC Art. 12)",
            ));
        }
        if self.conclusion.trim().is_empty() {
            errors.push(FieldError::new("/conclusion", "say what was concluded"));
        }
        push_text(
            &mut errors,
            "/child_views",
            &Some(self.child_views.clone()),
            crate::case::MAX_TEXT_LEN,
        );
        push_text(
            &mut errors,
            "/conclusion",
            &Some(self.conclusion.clone()),
            crate::case::MAX_TEXT_LEN,
        );
        if self.kind == BestInterestsKind::Assessment && self.return_in_best_interests.is_some() {
            errors.push(FieldError::new(
                "/return_in_best_interests",
                "whether return is in the child's best interests is for a determination, not an assessment",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Criminal justice and redress

/// An amount in minor units (cents) of an ISO 4217 currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    pub amount_minor: u64,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompensationClaim {
    /// `perpetrator` or `state`.
    pub from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awarded: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proceeding {
    /// For example criminal, civil, labour.
    pub kind: String,
    /// For example investigation, prosecution, trial, appeal, closed.
    pub stage: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidencePermit {
    /// `personal_situation`, `cooperation` or both in words.
    pub basis: String,
    /// `applied`, `granted`, `refused`, `renewed`...
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_on: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonPunishment {
    pub requested: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// Criminal justice and redress as recorded now (each update replaces the whole).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Justice {
    pub cooperation: Cooperation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_representative: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proceedings: Vec<Proceeding>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protection_measures: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub residence_permits: Vec<ResidencePermit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compensation: Vec<CompensationClaim>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_punishment: Option<NonPunishment>,
}

impl Justice {
    pub fn validate(mut self) -> Result<Justice, DomainError> {
        let mut errors = Vec::new();
        push_text(
            &mut errors,
            "/legal_representative",
            &self.legal_representative,
            MAX_SHORT_LEN,
        );
        for (i, p) in self.proceedings.iter().enumerate() {
            for (f, v) in [("kind", &p.kind), ("stage", &p.stage)] {
                if v.trim().is_empty() || v.chars().count() > MAX_SHORT_LEN {
                    errors.push(FieldError::new(
                        format!("/proceedings/{i}/{f}"),
                        format!("give a {f} of 1 to {MAX_SHORT_LEN} characters"),
                    ));
                }
            }
        }
        for (i, m) in self.protection_measures.iter().enumerate() {
            if m.trim().is_empty() || m.chars().count() > MAX_SHORT_LEN {
                errors.push(FieldError::new(
                    format!("/protection_measures/{i}"),
                    format!("a measure has 1 to {MAX_SHORT_LEN} characters"),
                ));
            }
        }
        for (i, c) in self.compensation.iter_mut().enumerate() {
            if !matches!(c.from.as_str(), "perpetrator" | "state") {
                errors.push(FieldError::new(
                    format!("/compensation/{i}/from"),
                    "compensation is claimed from the `perpetrator` or the `state`",
                ));
            }
            for (f, m) in [
                ("claimed", &mut c.claimed),
                ("awarded", &mut c.awarded),
                ("paid", &mut c.paid),
            ] {
                if let Some(m) = m {
                    m.currency = m.currency.to_ascii_uppercase();
                    if m.currency.len() != 3 || !m.currency.chars().all(|c| c.is_ascii_alphabetic())
                    {
                        errors.push(FieldError::new(
                            format!("/compensation/{i}/{f}/currency"),
                            "give an ISO 4217 currency code such as EUR",
                        ));
                    }
                }
            }
        }
        if let Some(np) = &self.non_punishment {
            push_text(
                &mut errors,
                "/non_punishment/outcome",
                &np.outcome,
                MAX_SHORT_LEN,
            );
        }
        for (i, r) in self.residence_permits.iter().enumerate() {
            for (f, v) in [("basis", &r.basis), ("outcome", &r.outcome)] {
                if v.trim().is_empty() || v.chars().count() > MAX_SHORT_LEN {
                    errors.push(FieldError::new(
                        format!("/residence_permits/{i}/{f}"),
                        format!("give a {f} of 1 to {MAX_SHORT_LEN} characters"),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Durable solutions

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DurableSolution {
    pub kind: DurableSolutionKind,
    /// ISO 3166-1 alpha-2: where the person returns or is resettled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The risk and security assessment a return requires (Conv. 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_assessment: Option<String>,
}

/// May this durable solution be decided on this case? A return needs a recorded risk
/// assessment; for a child, any durable solution needs a best-interests determination, and a
/// return needs one in favour of return (Conv. 16(7); Dir. 14(1)).
pub fn check_durable_solution(
    state: &CaseState,
    minority: Minority,
    mut s: DurableSolution,
) -> Result<DurableSolution, DomainError> {
    if let Some(c) = s.country.as_mut() {
        let up = c.trim().to_ascii_uppercase();
        if up.len() != 2 || !up.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return Err(DomainError::field(
                "/country",
                format!("`{c}` is not an ISO 3166-1 alpha-2 country code"),
            ));
        }
        *c = up;
    }
    check_text(
        "/risk_assessment",
        &s.risk_assessment,
        crate::case::MAX_TEXT_LEN,
    )?;
    if matches!(
        s.kind,
        DurableSolutionKind::Return | DurableSolutionKind::Resettlement
    ) && s.country.is_none()
    {
        return Err(DomainError::field(
            "/country",
            "say to which country the person returns or is resettled",
        ));
    }
    if s.kind == DurableSolutionKind::Return
        && s.risk_assessment
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .is_empty()
    {
        return Err(DomainError::field(
            "/risk_assessment",
            "a return needs a recorded risk and security assessment (Conv. 16)",
        ));
    }
    if minority.is_child_or_presumed() {
        let determination = state
            .best_interests
            .iter()
            .rev()
            .find(|b| b.kind == BestInterestsKind::Determination);
        let Some(d) = determination else {
            return Err(DomainError::BestInterestsDeterminationRequired(
                "a durable solution for a child needs a best-interests determination first".into(),
            ));
        };
        if s.kind == DurableSolutionKind::Return && d.return_in_best_interests != Some(true) {
            return Err(DomainError::BestInterestsDeterminationRequired(
                "a child is returned only when a best-interests determination found return in the child's best interests (Conv. 16(7))".into(),
            ));
        }
    }
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// Handovers

/// A handover as the journal has it; transfers wait for the recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HandoverState {
    pub id: Uuid,
    pub kind: HandoverKind,
    pub from_org: OrgId,
    pub to_org: OrgId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_user: Option<crate::ids::UserId>,
    pub purpose: String,
    /// `offered`, `accepted`, `declined` (transfers); `done` for assign and refer.
    pub status: String,
}

/// Consent to hand a case to another organisation: an adult's own; a child's case moves on the
/// child-protection organisation's decision with the child's views recorded.
pub fn check_handover_consent(
    minority: Minority,
    kind: HandoverKind,
    person_consents: bool,
    child_views: &Option<String>,
) -> Result<(), DomainError> {
    if kind == HandoverKind::Assign {
        return Ok(());
    }
    check_text("/child_views", child_views, crate::case::MAX_TEXT_LEN)?;
    if minority.is_child_or_presumed() {
        if child_views
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .is_empty()
        {
            return Err(DomainError::field(
                "/child_views",
                "record the child's views on the handover (CRC Art. 12)",
            ));
        }
    } else if !person_consents {
        return Err(DomainError::field(
            "/person_consents",
            "an adult's case goes to another organisation only with their consent",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------

fn push_text(errors: &mut Vec<FieldError>, pointer: &str, text: &Option<String>, max: usize) {
    if let Some(t) = text {
        if t.chars().count() > max {
            errors.push(FieldError::new(
                pointer,
                format!("is longer than {max} characters"),
            ));
        }
    }
}

fn push_check(pointer: &str, text: &Option<String>, max: usize) -> Result<(), DomainError> {
    check_text(pointer, text, max)
}

pub(crate) fn check_text(
    pointer: &str,
    text: &Option<String>,
    max: usize,
) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    push_text(&mut errors, pointer, text, max);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// Rights history per right code, as the state keeps it.
pub type RightsHistory = BTreeMap<String, Vec<RightEntry>>;
