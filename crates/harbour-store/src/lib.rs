//! Storage for Harbour: the [`Store`] trait every backend implements, the rows it stores, the
//! tamper-evident journal chain, and (in [`story`]) the one test story every backend must pass.
//!
//! Architecture invariant: a store never sees personal data in clear. Event payloads and
//! case keys arrive sealed; the projection holds only non-identifying columns (status, minority,
//! dates, organisation ids) so that lists and "overdue" are plain queries.

pub mod chain;
mod security;
pub mod statistics;
pub mod story;
mod types;

pub use chain::{chain_hash, verify_chain, ChainBreak, GENESIS};
pub use security::*;
pub use statistics::{
    check_statistics_counts, check_support_counts, CaseStatistics, CountMismatch, StatDim,
    StatisticsCount, StatisticsQuery, SupportMeasure, SupportQuery,
};
pub use types::*;

use async_trait::async_trait;
use harbour_domain::{CaseId, OrgId, UserId};
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Someone else appended to the case since it was loaded; reload and retry.
    #[error("the case changed while this change was being made; reload and try again")]
    Conflict,
    /// A unique value (an e-mail address, an id) is already taken.
    #[error("{0} already exists")]
    Duplicate(String),
    #[error("{0} does not exist")]
    Missing(String),
    /// Stored data is not what Harbour wrote (bad enum text, bad length...).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Backend(String),
    #[error("migration failed: {0}")]
    Migration(String),
    /// The database cannot be reached or is busy beyond its timeout; nothing was written.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The storage contract. Every method that changes a case does so in one transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is (`sqlite` or `postgres`), for logs and benchmarks.
    fn backend(&self) -> &'static str;

    /// Apply any migrations not yet applied. Idempotent.
    async fn migrate(&self) -> StoreResult<()>;

    // ----- organisations and users -----
    async fn insert_org(&self, org: &Organisation) -> StoreResult<()>;
    async fn get_org(&self, id: OrgId) -> StoreResult<Option<Organisation>>;
    async fn list_orgs(&self) -> StoreResult<Vec<Organisation>>;
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// Look a user up by e-mail (already lowercased by the caller).
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    async fn set_user_locale(&self, id: UserId, locale: &str) -> StoreResult<()>;

    // ----- sessions and API tokens (stored hashed, shared by every app server) -----
    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()>;
    /// The live session for a token hash at `now`, touching its last-seen time. A session last
    /// seen at or before `idle_cutoff` has timed out and is not returned.
    async fn session(
        &self,
        token_hash: &[u8],
        now: OffsetDateTime,
        idle_cutoff: OffsetDateTime,
    ) -> StoreResult<Option<SessionRecord>>;
    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()>;
    /// A user's sessions (and second-factor challenges) still live at `now` (not expired, last
    /// seen after `idle_cutoff`), oldest first, without touching them.
    async fn user_sessions(
        &self,
        user: UserId,
        now: OffsetDateTime,
        idle_cutoff: OffsetDateTime,
    ) -> StoreResult<Vec<SessionRecord>>;
    /// End the session named `id` if it is one of `user`'s; whether it was.
    async fn end_user_session(&self, user: UserId, id: uuid::Uuid) -> StoreResult<bool>;
    /// End every session of `user` except the one with `keep_token_hash`; how many ended.
    async fn end_other_sessions(&self, user: UserId, keep_token_hash: &[u8]) -> StoreResult<u64>;

    // ----- cases -----
    /// Create a case with its wrapped key, first events, projection, parties and the access record.
    async fn create_case(&self, case: &NewCase) -> StoreResult<()>;
    /// Create many cases in one transaction, all or none (bulk loads such as the statistics
    /// benchmark's million cases); each exactly as [`Store::create_case`] would.
    async fn create_cases(&self, cases: &[NewCase]) -> StoreResult<()>;
    /// Append events to a case whose last event is `expected_seq`, replace its projection, add
    /// parties and write the access record, all in one transaction. [`StoreError::Conflict`] if
    /// the journal moved on.
    async fn append(&self, change: &CaseChange) -> StoreResult<()>;
    /// The wrapped key, projection, parties and full journal of a case.
    async fn load_case(&self, id: CaseId) -> StoreResult<Option<CaseRecord>>;
    /// Projection and parties only: enough to decide visibility without reading the journal.
    async fn case_header(&self, id: CaseId) -> StoreResult<Option<CaseHeader>>;
    /// Cases visible to the viewer, newest referral first, keyset-paged.
    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<Vec<CaseHeader>>;
    /// Cases holding any of these person keys (keyed hashes), whoever may see them: the caller
    /// filters by visibility.
    async fn cases_with_person_keys(&self, keys: &[Vec<u8>]) -> StoreResult<Vec<CaseHeader>>;
    /// Every case id, in creation order, a page at a time (for `audit verify`).
    async fn case_ids(&self, after: Option<CaseId>, limit: u32) -> StoreResult<Vec<CaseId>>;

    // ----- support: service directory and service referrals -----
    async fn insert_service(&self, service: &ServiceRow) -> StoreResult<()>;
    async fn get_service(&self, id: uuid::Uuid) -> StoreResult<Option<ServiceRow>>;
    /// Services, optionally of one kind, by name.
    async fn list_services(
        &self,
        kind: Option<harbour_domain::support::ServiceKind>,
    ) -> StoreResult<Vec<ServiceRow>>;
    async fn service_referral(&self, id: uuid::Uuid) -> StoreResult<Option<ServiceReferralRow>>;
    /// A provider's referrals, newest first.
    async fn service_referrals_for_org(&self, org: OrgId) -> StoreResult<Vec<ServiceReferralRow>>;
    /// Transfers offered to an organisation and still unanswered, oldest first (its inbox).
    async fn transfers_offered_to(&self, org: OrgId) -> StoreResult<Vec<TransferRow>>;
    /// As [`Store::append`], with the support writes in the same transaction: referral rows,
    /// places taken or freed (conditional on capacity) and party relations that end.
    async fn append_support(&self, change: &CaseChange, writes: &SupportWrites) -> StoreResult<()>;

    // ----- access log -----
    async fn record_access(&self, record: &AccessRecord) -> StoreResult<()>;
    async fn access_log(&self, case: CaseId) -> StoreResult<Vec<AccessRecord>>;

    /// The access log from `after_seq` on, in chain order, at most `limit` records.
    async fn access_chain(&self, after_seq: u64, limit: u32) -> StoreResult<Vec<ChainedAccess>>;
    /// The chain's head: the last sequence number handed out and its hash.
    async fn access_chain_head(&self) -> StoreResult<(u64, [u8; 32])>;
    /// How many access records are outside the chain (none, unless written behind Harbour's back).
    async fn unchained_access_records(&self) -> StoreResult<u64>;

    // ----- break-glass -----
    /// Store a grant together with its access record, in one transaction.
    async fn insert_break_glass(
        &self,
        grant: &BreakGlassGrant,
        access: &AccessRecord,
    ) -> StoreResult<()>;
    /// The user's grant for this case that is still running at `now`, if any.
    async fn live_break_glass(
        &self,
        user: UserId,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<BreakGlassGrant>>;
    /// Grants made at or after `since`, newest first (the auditors' review list).
    async fn break_glass_since(
        &self,
        since: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<BreakGlassGrant>>;

    // ----- second factor (TOTP) and recovery codes -----
    async fn totp(&self, user: UserId) -> StoreResult<Option<TotpRecord>>;
    /// Store a new, unconfirmed secret, replacing an earlier unconfirmed one. A confirmed factor
    /// is never replaced: [`StoreError::Duplicate`].
    async fn put_unconfirmed_totp(&self, record: &TotpRecord) -> StoreResult<()>;
    /// Confirm the factor at `step` and store the recovery codes' hashes, in one transaction.
    /// [`StoreError::Conflict`] if there is no unconfirmed factor.
    async fn confirm_totp(
        &self,
        user: UserId,
        at: OffsetDateTime,
        step: u64,
        recovery_code_hashes: &[Vec<u8>],
    ) -> StoreResult<()>;
    /// Accept time step `step` only if it is later than the last accepted one (atomic, so two
    /// servers cannot both accept the same code). Returns whether it was accepted.
    async fn use_totp_step(&self, user: UserId, step: u64) -> StoreResult<bool>;
    /// Spend a recovery code (its hash); false if unknown or already used.
    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &[u8],
        at: OffsetDateTime,
    ) -> StoreResult<bool>;
    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<u32>;
    /// An administrator's reset of a lost second factor: the factor, the recovery codes, the
    /// security keys and every session of the user go, `access` is chained and `notice` left
    /// for the user, in one transaction. The user enrols again at the next login.
    async fn reset_second_factor(
        &self,
        user: UserId,
        access: &AccessRecord,
        notice: &SecurityNotice,
    ) -> StoreResult<()>;
    /// New recovery codes (hashes) replace all earlier ones, used or not; every session of the
    /// user ends and `session` (the renewing session under its new token) opens; `access` is
    /// chained and `notice` left for the user; all in one transaction (ASVS 7.4.3).
    /// [`StoreError::Conflict`] without a confirmed factor.
    async fn replace_recovery_codes(
        &self,
        user: UserId,
        recovery_code_hashes: &[Vec<u8>],
        access: &AccessRecord,
        notice: &SecurityNotice,
        session: &SessionRecord,
    ) -> StoreResult<()>;

    // ----- WebAuthn security keys and their challenges (migration 0017) -----
    /// Store a challenge; challenges of anyone expired at `now` are dropped on the way.
    async fn put_webauthn_challenge(
        &self,
        challenge: &WebauthnChallenge,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Spend a challenge: it is deleted whoever presents it, and the answer is whether it was
    /// issued to `user` for `ceremony` and is still live at `now` (so a challenge is good once,
    /// across app servers).
    async fn take_webauthn_challenge(
        &self,
        challenge: &[u8],
        user: UserId,
        ceremony: &str,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Register a key and leave `notice`, chaining `access`, in one transaction.
    /// [`StoreError::Duplicate`] if the credential id is already registered (to anyone).
    async fn add_security_key(
        &self,
        key: &SecurityKey,
        access: &AccessRecord,
        notice: &SecurityNotice,
    ) -> StoreResult<()>;
    /// A user's keys, oldest first.
    async fn security_keys(&self, user: UserId) -> StoreResult<Vec<SecurityKey>>;
    /// The key with this credential id, whoever's it is.
    async fn security_key_by_credential(
        &self,
        credential_id: &[u8],
    ) -> StoreResult<Option<SecurityKey>>;
    /// Record a use: the counter moves from `seen_count` to `new_count` only if it is still
    /// `seen_count` (atomic, so a replay racing on another server loses). Whether it was.
    async fn use_security_key(
        &self,
        user: UserId,
        id: uuid::Uuid,
        seen_count: u32,
        new_count: u32,
        at: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Remove one of the user's keys if at least `keep_at_least` others remain, chaining
    /// `access` and leaving `notice`, in one transaction. `Ok(false)`: no such key of this user;
    /// [`StoreError::Conflict`]: removing it would leave too few.
    async fn remove_security_key(
        &self,
        user: UserId,
        id: uuid::Uuid,
        keep_at_least: u32,
        access: &AccessRecord,
        notice: &SecurityNotice,
    ) -> StoreResult<bool>;

    // ----- security notices to a user about their own account (migration 0016) -----
    /// A user's notices, newest first, at most `limit`.
    async fn security_notices(&self, user: UserId, limit: u32) -> StoreResult<Vec<SecurityNotice>>;
    /// Mark every unacknowledged notice of `user` as read at `at`; how many were.
    async fn acknowledge_security_notices(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<u64>;

    // ----- login throttling (in the database, so every app server counts the same) -----
    async fn record_login_failure(
        &self,
        account_key: &[u8],
        address_key: &[u8],
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Failures since `since` for the account and for the address, oldest first.
    async fn login_failures_since(
        &self,
        account_key: &[u8],
        address_key: &[u8],
        since: OffsetDateTime,
    ) -> StoreResult<LoginFailures>;
    /// Forget an account's failures after a complete, successful login of `user` and, if there
    /// were any, leave them a [`SecurityNoticeKind::FailedSignIns`] notice (id `notice_id`) with
    /// how many, in one transaction (ASVS 6.3.5). Returns how many there were.
    async fn clear_login_failures(
        &self,
        account_key: &[u8],
        user: UserId,
        notice_id: uuid::Uuid,
        at: OffsetDateTime,
    ) -> StoreResult<u64>;

    // ----- anonymous notifications (no identifying data, never linked to a person) -----
    async fn insert_anonymous_notification(&self, n: &AnonymousNotification) -> StoreResult<()>;
    async fn count_anonymous_notifications(&self) -> StoreResult<u64>;
    /// Notifications filed between two instants (inclusive), oldest first, for statistics.
    async fn anonymous_notifications(
        &self,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
    ) -> StoreResult<Vec<AnonymousNotification>>;

    // ----- statistics (non-identifying projection, migration 0009) -----
    /// Replace a case's statistical row and forms (the rebuild from the journal uses this; the
    /// service's writes carry the row in [`NewCase`] and [`CaseChange`]).
    async fn put_case_statistics(&self, row: &CaseStatistics) -> StoreResult<()>;
    /// Count the statistical projection, grouped as asked (plain `GROUP BY`).
    async fn count_case_statistics(&self, q: &StatisticsQuery)
        -> StoreResult<Vec<StatisticsCount>>;
    /// The same counts as [`Store::count_case_statistics`], read from the pre-aggregated counts
    /// (migration 0014) when a kept grouping holds the query's dimensions, else from the rows:
    /// the dashboard's cost does not grow with the number of cases.
    async fn count_statistics(&self, q: &StatisticsQuery) -> StoreResult<Vec<StatisticsCount>>;
    /// Recount the pre-aggregated counts from the statistical rows, in one transaction
    /// (`harbour statistics rebuild`). Returns how many counters there are.
    async fn rebuild_statistics_counts(&self) -> StoreResult<u64>;
    /// Statistical rows in case-id order, a page at a time (case-level exports, checks).
    async fn case_statistics(
        &self,
        after: Option<CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseStatistics>>;
    /// Count the rights, redress and service projection (migration 0013; written with the
    /// statistical row), grouped as asked (plain `GROUP BY`).
    async fn count_support_rows(&self, q: &SupportQuery) -> StoreResult<Vec<StatisticsCount>>;
    /// The same counts as [`Store::count_support_rows`], read from the pre-aggregated counters
    /// (migration 0015) where they hold the query (no breakdown by a case dimension), the
    /// partial quarters at the period's ends from the rows.
    async fn count_support_statistics(&self, q: &SupportQuery)
        -> StoreResult<Vec<StatisticsCount>>;

    // ----- hash banks and platform keys (image takedown) -----
    /// A new, empty bank. [`StoreError::Duplicate`] if the name is taken.
    async fn create_bank(&self, name: &str, at: OffsetDateTime) -> StoreResult<()>;
    async fn list_banks(&self) -> StoreResult<Vec<String>>;
    /// Add a hash to a bank; returns its id. [`StoreError::Missing`] if there is no such bank.
    async fn add_bank_hash(
        &self,
        bank: &str,
        hash: &[u8; 32],
        label: &str,
        quality: u8,
        at: OffsetDateTime,
    ) -> StoreResult<i64>;
    /// Tombstone a hash: it stays for the record but is never matched again.
    async fn remove_bank_hash(&self, bank: &str, id: i64, at: OffsetDateTime) -> StoreResult<()>;
    /// A number that changes whenever the bank's live hashes change (for caches).
    async fn bank_version(&self, bank: &str) -> StoreResult<Option<i64>>;
    async fn bank_hashes(&self, bank: &str) -> StoreResult<Vec<BankHash>>;
    async fn insert_platform_key(&self, key: &PlatformKey) -> StoreResult<()>;
    async fn platform_key(&self, key_hash: &[u8]) -> StoreResult<Option<PlatformKey>>;
    /// Count one request of a key in a minute; returns the minute's count so far. Kept in the
    /// database so every app server enforces the same limit.
    async fn count_platform_request(&self, key_hash: &[u8], minute: i64) -> StoreResult<u64>;

    // ----- family tracing requests (sealed; header rows identify nobody) -----
    /// Store a new request and the access record of its filing, in one transaction.
    async fn insert_tracing_request(
        &self,
        request: &TracingRequestRecord,
        access: &TracingAccess,
    ) -> StoreResult<()>;
    async fn tracing_request(&self, id: uuid::Uuid) -> StoreResult<Option<TracingRequestRecord>>;
    /// Headers of the requests filed by one organisation (or all, for the index at start-up),
    /// newest first.
    async fn list_tracing_requests(
        &self,
        org: Option<OrgId>,
    ) -> StoreResult<Vec<TracingRequestHeader>>;
    /// Change a request's status with its access record, in one transaction.
    /// [`StoreError::Missing`] if there is no such request.
    async fn set_tracing_request_status(
        &self,
        id: uuid::Uuid,
        status: harbour_domain::TracingStatus,
        at: OffsetDateTime,
        access: &TracingAccess,
    ) -> StoreResult<()>;
    async fn record_tracing_access(&self, access: &TracingAccess) -> StoreResult<()>;
    /// Note that a case or request changed (`kind` is `case` or `request`); returns its seq.
    /// Filing and withdrawing a request note themselves in their own transaction.
    async fn note_tracing_change(
        &self,
        kind: &str,
        id: uuid::Uuid,
        at: OffsetDateTime,
    ) -> StoreResult<i64>;
    /// Changes after `seq`, oldest first, at most `limit`.
    async fn tracing_changes_after(&self, seq: i64, limit: u32) -> StoreResult<Vec<TracingChange>>;
    async fn tracing_access_log(&self, id: uuid::Uuid) -> StoreResult<Vec<TracingAccess>>;

    // ----- baseline for benchmarks: the cheapest insert and select this database can do -----
    async fn probe_insert(&self, body: &[u8]) -> StoreResult<i64>;
    async fn probe_select(&self, id: i64) -> StoreResult<Option<Vec<u8>>>;

    // ----- data protection (issue 6): erasure by key destruction, master key rotation -----
    /// Erase a case: append its erasure event (conditional on `change.expected_seq`, as
    /// [`Store::append`]), then delete its wrapped key and person keys and record the erasure,
    /// all in one transaction. The journal and projection stay.
    async fn erase_case(&self, change: &CaseChange, basis: &str) -> StoreResult<()>;
    /// When and why a case was erased; `None` if it was not.
    async fn case_erasure(&self, id: CaseId) -> StoreResult<Option<CaseErasure>>;
    /// Closed or disqualified cases not yet erased, in creation order, a page at a time.
    async fn ended_cases(&self, after: Option<CaseId>, limit: u32) -> StoreResult<Vec<CaseId>>;
    /// Up to `limit` wrapped keys of one kind of record whose master key id (bytes 1..9 of the
    /// wrapping) is not `key_id`: what a master key rotation still has to rewrap.
    async fn record_keys_not_wrapped_by(
        &self,
        table: SealedKeyTable,
        key_id: &[u8],
        limit: u32,
    ) -> StoreResult<Vec<(uuid::Uuid, Vec<u8>)>>;
    /// Replace wrapped keys in one transaction, each only while it is still `old` (a case erased
    /// meanwhile stays erased): `(record id, old, new)`. Returns how many were replaced.
    async fn rewrap_record_keys(
        &self,
        table: SealedKeyTable,
        batch: &[(uuid::Uuid, Vec<u8>, Vec<u8>)],
    ) -> StoreResult<u64>;
    /// A deployment key kept wrapped under the master key (e.g. `index`).
    async fn deployment_key(&self, name: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Store a deployment key: a new one when `expected` is `None`, else a replacement of exactly
    /// `expected`. [`StoreError::Conflict`] if someone else got there first.
    async fn put_deployment_key(
        &self,
        name: &str,
        expected: Option<&[u8]>,
        wrapped: &[u8],
    ) -> StoreResult<()>;
}
