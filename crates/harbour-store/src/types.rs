//! Rows the store keeps. Everything personal is inside `payload` or `wrapped_key`, sealed.

use harbour_domain::{CaseId, Minority, OrgId, OrgKind, Role, Status, UserId};
use serde::Serialize;
use time::{Date, OffsetDateTime};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    pub kind: OrgKind,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    /// Lowercased.
    pub email: String,
    pub org_id: OrgId,
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub locale: String,
    pub active: bool,
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the token; the token itself is never stored.
    pub token_hash: Vec<u8>,
    /// A random name for the session that its user sees in their list of sessions and uses to
    /// end it: neither the token nor its hash, so listing sessions never hands out a credential.
    pub id: uuid::Uuid,
    pub user_id: UserId,
    /// `api` or `web`.
    pub kind: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// One stored journal event. `payload` is the sealed JSON of the domain event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub case_id: CaseId,
    pub seq: u64,
    pub at: OffsetDateTime,
    pub actor: UserId,
    pub actor_org: OrgId,
    pub kind: String,
    pub payload: Vec<u8>,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// The queryable, non-identifying columns of a case, rewritten on every change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseProjection {
    pub id: CaseId,
    /// The status as events left it (time moves recovery_period on; see `awaiting_cg_from`).
    pub phase: Status,
    pub minority: Minority,
    pub referred_at: OffsetDateTime,
    pub referring_org: OrgId,
    pub owner_org: OrgId,
    pub guardian: Option<UserId>,
    /// Reasonable-grounds decision due, while one is awaited.
    pub rg_due: Option<Date>,
    /// The day a case in its recovery period starts awaiting its conclusive decision.
    pub awaiting_cg_from: Option<Date>,
    /// When a missing guardian becomes overdue (child or presumed child without guardian).
    pub guardian_due: Option<OffsetDateTime>,
    /// Due dates, earliest first, of the rights that apply and are not yet met on an open
    /// case (no right's name: a list shows how many are late without reading the journal).
    /// A right is overdue once the list's day is past its due date.
    pub rights_due: Vec<Date>,
    pub updated_at: OffsetDateTime,
    pub seq: u64,
}

/// How an organisation is party to a case; every party sees the whole case file. A service
/// provider is deliberately *not* a party: its narrower relation is a row of
/// `service_referrals`, which shows it that referral and nothing else of the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartyRelation {
    Referrer,
    Owner,
    /// Shared access for a purpose while the owner keeps the case (a "refer" handover).
    Shared,
}

impl PartyRelation {
    pub fn as_str(&self) -> &'static str {
        match self {
            PartyRelation::Referrer => "referrer",
            PartyRelation::Owner => "owner",
            PartyRelation::Shared => "shared",
        }
    }
    pub fn parse(s: &str) -> Option<PartyRelation> {
        match s {
            "referrer" => Some(PartyRelation::Referrer),
            "owner" => Some(PartyRelation::Owner),
            "shared" => Some(PartyRelation::Shared),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseParty {
    pub org_id: OrgId,
    pub relation: PartyRelation,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseHeader {
    pub projection: CaseProjection,
    pub parties: Vec<CaseParty>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    pub header: CaseHeader,
    pub wrapped_key: Vec<u8>,
    pub events: Vec<StoredEvent>,
}

#[derive(Clone, Debug)]
pub struct NewCase {
    pub projection: CaseProjection,
    /// Keyed hashes of the person's normalised names, for duplicate detection without clear text.
    pub person_keys: Vec<Vec<u8>>,
    pub wrapped_key: Vec<u8>,
    pub parties: Vec<CaseParty>,
    pub events: Vec<StoredEvent>,
    pub access: AccessRecord,
    /// The case's statistical row, written in the same transaction (none: leave it as it is).
    pub statistics: Option<crate::CaseStatistics>,
}

#[derive(Clone, Debug)]
pub struct CaseChange {
    pub projection: CaseProjection,
    /// The seq of the last event the change was decided on.
    pub expected_seq: u64,
    pub events: Vec<StoredEvent>,
    pub new_parties: Vec<CaseParty>,
    /// Keyed hashes to add (e.g. names from an attached referral).
    pub new_person_keys: Vec<Vec<u8>>,
    pub access: AccessRecord,
    /// The case's statistical row after the change, in the same transaction.
    pub statistics: Option<crate::CaseStatistics>,
}

/// Who is asking, for visibility in list queries. The rule (mirrored by the service for single
/// reads): a party organisation, any competent authority, any child-protection organisation for a
/// child or presumed child, or the appointed guardian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub org_kind: OrgKind,
}

#[derive(Clone, Debug)]
pub struct CaseFilter {
    pub viewer: Viewer,
    /// Effective status on `now`'s date.
    pub status: Option<Status>,
    pub overdue: bool,
    pub minority: Option<Minority>,
    pub now: OffsetDateTime,
    pub limit: u32,
    /// Keyset: continue after this (referred_at, id), in the list's order.
    pub after: Option<(OffsetDateTime, CaseId)>,
    /// Oldest referral first (a decision queue) instead of newest first.
    pub oldest_first: bool,
    /// Only cases with at least one right overdue on `now`'s date.
    pub rights_overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessRecord {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub user_id: UserId,
    pub org_id: OrgId,
    pub case_id: Option<CaseId>,
    /// What was done: `read`, `list`, `refer`, `decide`, `events`, `guardian`...
    pub action: String,
    pub purpose: Option<String>,
}

/// Counted, never linked to a person: only coarse, non-identifying fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnonymousNotification {
    pub id: uuid::Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub org_id: OrgId,
    pub sex: String,
    pub age_group: String,
    pub nationality: Option<String>,
    pub exploitation_forms: Vec<String>,
    pub region: Option<String>,
}

/// Microseconds since the epoch: how both backends store instants, so comparisons are integers.
pub fn to_micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1000) as i64
}

pub fn from_micros(us: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Days are stored as `YYYY-MM-DD` text, which sorts as dates do.
pub fn day_text(d: Date) -> String {
    harbour_domain::person::format_date(d)
}

pub fn parse_day(s: &str) -> Result<Date, crate::StoreError> {
    harbour_domain::person::parse_date(s).map_err(crate::StoreError::Corrupt)
}

/// Due days as stored in `cases.rights_due`: comma-joined, earliest first.
pub fn days_text(days: &[Date]) -> String {
    join_list(&days.iter().map(|d| day_text(*d)).collect::<Vec<_>>())
}

pub fn parse_days(s: &str) -> Result<Vec<Date>, crate::StoreError> {
    split_list(s).iter().map(|d| parse_day(d)).collect()
}

/// Parse enum text read back from the database.
pub fn parse_stored<T: std::str::FromStr<Err = String>>(s: &str) -> Result<T, crate::StoreError> {
    s.parse().map_err(crate::StoreError::Corrupt)
}

/// A platform's key for the hash-match API: stored hashed, scoped to banks, rate-limited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformKey {
    /// SHA-256 of the key; the key itself is shown once and never stored.
    pub key_hash: Vec<u8>,
    pub name: String,
    pub banks: Vec<String>,
    pub per_minute: u32,
    pub created_at: OffsetDateTime,
}

/// One live hash of a bank. Labels stay inside Harbour: platforms never see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankHash {
    pub id: i64,
    pub hash: [u8; 32],
}

/// An erased case: when, and on what basis (`retention_expired`, `person_request`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseErasure {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub basis: String,
}

/// One service of the directory. Nothing personal: who offers what, where, for whom, how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: uuid::Uuid,
    pub org_id: OrgId,
    pub kind: harbour_domain::support::ServiceKind,
    pub name: String,
    pub capacity: u32,
    /// Places held by accepted or started referrals.
    pub taken: u32,
    pub languages: Vec<String>,
    pub accepts: Vec<harbour_domain::support::Accepts>,
    pub regions: Vec<String>,
    pub child_specialised: bool,
    pub created_at: OffsetDateTime,
}

/// Where a service referral stands, for the provider's inbox and for statistics. The need and
/// consent stay sealed in the case journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceReferralRow {
    pub id: uuid::Uuid,
    pub case_id: CaseId,
    pub service_id: uuid::Uuid,
    pub provider_org: OrgId,
    pub status: harbour_domain::support::ReferralStatus,
    pub referred_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

/// Writes that go with a case change in the same transaction (see `Store::append_support`).
#[derive(Clone, Debug, Default)]
pub struct SupportWrites {
    /// Inserted, or replacing the row with the same id.
    pub referrals: Vec<ServiceReferralRow>,
    /// Places to take (+1) or free (-1) per service; a take beyond capacity is a `Conflict`.
    pub places: Vec<(uuid::Uuid, i32)>,
    /// Party relations that end (the old owner after a transfer).
    pub drop_parties: Vec<CaseParty>,
    /// Transfers offered or answered: inserted, or replacing the row with the same id.
    pub transfers: Vec<TransferRow>,
}

/// A transfer between organisations, for the receiving organisation's inbox: ids, status and
/// dates only. The purpose and the consent stay sealed in the case journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferRow {
    pub id: uuid::Uuid,
    pub case_id: CaseId,
    pub from_org: OrgId,
    pub to_org: OrgId,
    /// `offered`, `accepted` or `declined`.
    pub status: String,
    pub offered_at: OffsetDateTime,
    pub answered_at: Option<OffsetDateTime>,
}

/// Lists of codes (languages, regions, accepted groups) are stored as comma-joined text; the
/// service refuses commas inside a code.
pub fn join_list<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.as_ref())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The non-identifying columns of a tracing request: who filed it, on what legal basis, where
/// it stands. Who is sought and who asks are only in the sealed payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracingRequestHeader {
    pub id: uuid::Uuid,
    pub org_id: OrgId,
    pub legal_basis: harbour_domain::LegalBasis,
    pub status: harbour_domain::TracingStatus,
    pub filed_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A tracing request as stored: header, its own data key wrapped by the master key, and the
/// request sealed with that key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracingRequestRecord {
    pub header: TracingRequestHeader,
    pub wrapped_key: Vec<u8>,
    pub payload: Vec<u8>,
}

/// One read or write of a tracing request (kept apart from case access records).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TracingAccess {
    pub request_id: uuid::Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub user_id: UserId,
    pub org_id: OrgId,
    /// `file`, `read`, `candidates`, `withdraw`, `list`...
    pub action: String,
}

/// Records that hold their own data key wrapped by the master key (master-key rotation rewraps
/// them all). Table and id column come from this closed list, never from input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealedKeyTable {
    /// Case keys (`case_keys`, by case id); an erased case has no row left to rewrap.
    CaseKeys,
    TracingRequests,
    TotpFactors,
    BreakGlass,
}

impl SealedKeyTable {
    pub const ALL: [SealedKeyTable; 4] = [
        SealedKeyTable::CaseKeys,
        SealedKeyTable::TracingRequests,
        SealedKeyTable::TotpFactors,
        SealedKeyTable::BreakGlass,
    ];

    /// `(table, id column)`.
    pub fn sql_names(self) -> (&'static str, &'static str) {
        match self {
            SealedKeyTable::CaseKeys => ("case_keys", "case_id"),
            SealedKeyTable::TracingRequests => ("tracing_requests", "id"),
            SealedKeyTable::TotpFactors => ("totp_factors", "user_id"),
            SealedKeyTable::BreakGlass => ("break_glass", "id"),
        }
    }
}

/// One entry of the tracing change feed: a case or a request changed (ids only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracingChange {
    pub seq: i64,
    /// `case` or `request`.
    pub kind: String,
    pub id: uuid::Uuid,
}
