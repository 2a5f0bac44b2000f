//! What the service returns: case views computed from the journal at read time.

use harbour_domain::case::RecoveryPeriod;
use harbour_domain::{
    Alert, CaseId, Deadlines, ExploitationForm, Minority, OrgId, Person, Status, UserId,
};
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Clone, Debug, Serialize)]
pub struct RecoveryPeriodView {
    pub start: String,
    pub end: String,
}

impl From<RecoveryPeriod> for RecoveryPeriodView {
    fn from(rp: RecoveryPeriod) -> Self {
        RecoveryPeriodView {
            start: harbour_domain::person::format_date(rp.start),
            end: harbour_domain::person::format_date(rp.end),
        }
    }
}

/// A whole case as the reader is entitled to see it.
#[derive(Clone, Debug, Serialize)]
pub struct CaseView {
    pub id: CaseId,
    pub status: Status,
    pub minority: Minority,
    pub person: Person,
    pub exploitation_forms: Vec<ExploitationForm>,
    pub consent: Option<harbour_domain::Consent>,
    pub child_views: Option<String>,
    pub summary: Option<String>,
    pub online: bool,
    pub online_recruitment: bool,
    pub online_exploitation: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    pub referring_org: OrgId,
    pub guardian: Option<UserId>,
    pub alerts: Vec<Alert>,
    pub deadlines: Deadlines,
    pub recovery_period: Option<RecoveryPeriodView>,
    pub age_assessed: Option<String>,
    pub screenings: Vec<harbour_domain::case::Screening>,
    pub platform_types: Vec<harbour_domain::case::PlatformType>,
    pub labour_sectors: Vec<harbour_domain::case::LabourSector>,
    pub country_of_origin: Option<String>,
    pub countries_of_transit: Vec<String>,
    pub countries_of_exploitation: Vec<String>,
    /// Organisations whose referrals of this person were attached to this case.
    pub attached_referrals_from: Vec<OrgId>,
    /// Rights, needs, service referrals, child safeguards, justice, durable solution, handovers.
    pub support: crate::support::SupportView,
    /// Number of events in the journal.
    pub version: u64,
}

/// One line of a case list: no personal data, so lists leak nothing on a shared screen.
#[derive(Clone, Debug, Serialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub status: Status,
    pub minority: Minority,
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    pub referring_org: OrgId,
    pub overdue: bool,
    /// How many rights are due and not met (from the list's projection, never the journal).
    pub rights_overdue: usize,
    pub alerts: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next: Option<String>,
}

/// One event of the timeline.
#[derive(Clone, Debug, Serialize)]
pub struct EventView {
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: UserId,
    pub actor_org: OrgId,
    pub event: harbour_domain::Event,
}

/// A case that may be about the same person as a new referral (one the user may see).
#[derive(Clone, Debug, Serialize)]
pub struct DuplicateCandidate {
    pub id: CaseId,
    pub status: Status,
    pub minority: Minority,
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    /// The name as first recorded on that case, so the user can recognise the person.
    pub name: String,
    /// How strongly the family-tracing matcher (Fellegi–Sunter) says the two records agree,
    /// with the reasons field by field; candidates are listed best first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<crate::family_tracing::MatchScore>,
}
