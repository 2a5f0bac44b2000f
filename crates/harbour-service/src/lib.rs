//! Harbour's application layer. Every use case is one function you can read top to bottom:
//! authorise, load, decide (domain), seal, persist events + projection + access record in one
//! transaction.
//!
//! Architecture invariant: this is the only place authorisation lives. The web layer
//! authenticates (turns a token into an [`Actor`]) and maps errors; it never decides who may
//! see or do what.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod breakglass;
pub mod cases;
pub mod demo;
pub mod family_tracing;
pub mod hashmatch;
pub mod mfa;
pub mod protection;
pub mod screening;
pub mod statistics;
pub mod support;
pub mod synthetic;
pub mod views;
pub mod webauthn;

use harbour_crypto::MasterKey;
use harbour_domain::{DomainError, FieldError, Policy};
use harbour_store::{Organisation, Store, StoreError, User};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// Where "now" comes from; tests and demos move it.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until moved (tests).
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(at: OffsetDateTime) -> ManualClock {
        ManualClock(Mutex::new(at))
    }
    pub fn set(&self, at: OffsetDateTime) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }
    /// The time it shows now.
    pub fn now_value(&self) -> OffsetDateTime {
        Clock::now(self)
    }

    pub fn advance(&self, by: time::Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|p| *p.into_inner())
    }
}

/// An authenticated user with their organisation.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: User,
    pub org: Organisation,
}

impl Actor {
    pub fn viewer(&self) -> harbour_store::Viewer {
        harbour_store::Viewer {
            user_id: self.user.id,
            org_id: self.org.id,
            org_kind: self.org.kind,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No valid credentials or token.
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong e-mail or password (never says which).
    #[error("the e-mail address or password is not correct")]
    BadCredentials,
    /// The second-factor code is wrong, already used, or the recovery code is spent.
    #[error("the code is not correct or was already used; wait for the next code and try again")]
    BadSecondFactor,
    /// The role may not do this (only said for things the user can already see).
    #[error("{0}")]
    Forbidden(String),
    /// The policy requires a security key (`access.require_security_key`): the user must add one
    /// before doing anything but managing their own account, and then sign in with it.
    #[error("your organisation requires a security key: add one from your account page, then sign in with it")]
    SecurityKeyRequired,
    /// Does not exist, or the user may not know it exists.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the case changed while this change was being made; reload and try again")]
    Conflict,
    #[error("{0} already exists")]
    Duplicate(String),
    /// The person may already have a case the user can see: attach to it, or confirm a new one.
    #[error("this person may already have a case: attach the referral to it, or confirm that this is someone else")]
    PossibleDuplicate(Vec<views::DuplicateCandidate>),
    /// Too many failed logins for the account or the address; try again after `retry_after` s.
    #[error("too many failed logins; try again in {retry_after} seconds")]
    LoginThrottled { retry_after: u64 },
    /// Too many requests for this key this minute.
    #[error("too many requests; try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    /// The case was erased (its key destroyed): the journal remains, the content is gone for good.
    #[error("this case was erased on {on} ({basis}); its content can no longer be read")]
    Gone { on: time::Date, basis: String },
    /// The database cannot be reached; nothing was written. Try again later.
    #[error("the database is unavailable; nothing was changed, try again shortly")]
    Unavailable(String),
    /// Something inside Harbour failed; details are logged, never shown.
    #[error("internal error")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(pointer: &str, detail: impl Into<String>) -> ServiceError {
        ServiceError::Domain(DomainError::Invalid(vec![FieldError::new(pointer, detail)]))
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => ServiceError::Conflict,
            StoreError::Duplicate(what) => ServiceError::Duplicate(what),
            StoreError::Unavailable(why) => ServiceError::Unavailable(why),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<harbour_crypto::CryptoError> for ServiceError {
    fn from(e: harbour_crypto::CryptoError) -> Self {
        ServiceError::Internal(format!("crypto: {e}"))
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// The running application: storage, keys, policy and clock.
#[derive(Clone)]
pub struct Harbour {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) master: Arc<MasterKey>,
    pub(crate) policy: Arc<Policy>,
    pub(crate) clock: Arc<dyn Clock>,
    /// A real Argon2id hash of a random password, checked for unknown accounts so that a login
    /// for a missing user takes as long as one for a real user.
    pub(crate) dummy_hash: Arc<String>,
    pub(crate) index_key: Arc<harbour_crypto::IndexKey>,
    pub(crate) catalogue: Arc<harbour_indicators::Catalogue>,
    pub(crate) quick_screen: Arc<harbour_indicators::QuickScreen>,
    pub(crate) bank_cache: Arc<hashmatch::BankCache>,
    /// The rights tracked on every case (shipped, plus any national file).
    pub(crate) rights: Arc<harbour_domain::support::RightsCatalogue>,
    /// The family-tracing model and in-memory index (personal data: never persisted or logged).
    pub(crate) tracing: Arc<family_tracing::TracingIndex>,
    /// Throttling, break-glass and session limits.
    pub(crate) access_policy: Arc<harbour_domain::AccessPolicy>,
    /// The site as authenticators know it; security keys are unavailable without it.
    pub(crate) relying_party: Option<Arc<webauthn::RelyingParty>>,
}

impl Harbour {
    pub fn new(
        store: Arc<dyn Store>,
        master: Arc<MasterKey>,
        policy: Policy,
        clock: Arc<dyn Clock>,
    ) -> ServiceResult<Harbour> {
        let dummy = harbour_crypto::random_token();
        let dummy_hash = auth::hash_password(&dummy)?;
        let catalogue = harbour_indicators::Catalogue::builtin()
            .map_err(|e| ServiceError::Internal(format!("indicator lists: {e}")))?;
        let quick_screen = harbour_indicators::QuickScreen::builtin()
            .map_err(|e| ServiceError::Internal(format!("quick screen: {e}")))?;
        Ok(Harbour {
            index_key: Arc::new(master.index_key()),
            store,
            master,
            policy: Arc::new(policy),
            clock,
            dummy_hash: Arc::new(dummy_hash),
            catalogue: Arc::new(catalogue),
            quick_screen: Arc::new(quick_screen),
            bank_cache: Arc::new(hashmatch::BankCache::default()),
            rights: Arc::new(harbour_domain::support::RightsCatalogue::shipped()),
            tracing: Arc::new(family_tracing::TracingIndex::new()?),
            access_policy: Arc::new(harbour_domain::AccessPolicy::default()),
            relying_party: None,
        })
    }

    /// Use national indicator lists from a directory (added to, or replacing, the shipped ones).
    pub fn with_indicator_dir(mut self, dir: &std::path::Path) -> ServiceResult<Harbour> {
        let catalogue = harbour_indicators::Catalogue::load_dir(dir)
            .map_err(|e| ServiceError::Internal(format!("indicator lists: {e}")))?;
        self.catalogue = Arc::new(catalogue);
        Ok(self)
    }

    /// The same Harbour reading time from another clock (e.g. a retention dry run "as of").
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Harbour {
        self.clock = clock;
        self
    }

    /// Add national rights or deadlines from a TOML file in the shipped format.
    pub fn with_national_rights(mut self, toml_text: &str) -> ServiceResult<Harbour> {
        let mut catalogue = (*self.rights).clone();
        catalogue
            .extend_from_toml(toml_text)
            .map_err(|e| ServiceError::Internal(format!("national rights: {e}")))?;
        self.rights = Arc::new(catalogue);
        Ok(self)
    }

    pub fn rights_catalogue(&self) -> &harbour_domain::support::RightsCatalogue {
        &self.rights
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn access_policy(&self) -> &harbour_domain::AccessPolicy {
        &self.access_policy
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}
