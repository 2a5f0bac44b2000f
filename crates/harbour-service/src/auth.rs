//! Accounts and sessions: Argon2id passwords, tokens stored only as hashes in the database so
//! every app server shares them, and the organisations/users an administrator manages.

use crate::{Actor, Harbour, ServiceError, ServiceResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use harbour_domain::{OrgId, OrgKind, Role, UserId};
use harbour_store::{Organisation, SessionRecord, User};
use time::Duration;
use uuid::Uuid;

/// How long a login lasts at most (the idle limit is shorter; see `AccessPolicy`).
pub const SESSION_LIFETIME: Duration = Duration::hours(8);
/// How many of a user's security notices are listed (newest first).
pub const SECURITY_NOTICES_SHOWN: u32 = 50;
/// Shorter passwords are refused.
pub const MIN_PASSWORD_LEN: usize = 12;

pub fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    harbour_crypto::sha256(token.as_bytes()).to_vec()
}

pub fn normalise_email(email: &str) -> ServiceResult<String> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(ServiceError::invalid(
            "/email",
            format!("`{}` is not an e-mail address", email.trim()),
        ));
    }
    Ok(e)
}

/// One of the user's own sessions as they see it: no token, no hash, no address.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SessionView {
    /// The session's public id (random, not the token), to end it by.
    pub id: Uuid,
    /// `api` or `web`.
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: time::OffsetDateTime,
    /// When it ends unless used again (idle timeout) or at the latest (absolute lifetime).
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: time::OffsetDateTime,
    /// The session this request came with.
    pub current: bool,
}

/// What a correct password leads to.
#[derive(Debug)]
pub enum LoginOutcome {
    /// A full session (the role needs no second factor).
    Session { token: String, actor: Actor },
    /// The password was right; answer the second factor with this short-lived challenge.
    /// `enrolled` is false when the user must first set up an authenticator.
    SecondFactor {
        challenge: String,
        enrolled: bool,
        /// Who answered the password (for the language of the next page; not a session).
        user_id: UserId,
        locale: String,
    },
}

/// Session kinds: full sessions (`api`, `web`) and the challenges between password and second
/// factor (`mfa-api`, `mfa-web`), which authenticate nothing.
const CHALLENGE_PREFIX: &str = "mfa-";

/// What proves at a step-up, with the password, that the user still holds their second factor.
#[derive(Clone, Copy, Debug)]
pub enum StepUpProof<'a> {
    /// A fresh code from the authenticator app (a recovery code is refused).
    Code(&'a str),
    /// A security key's answer to a step-up challenge
    /// ([`Harbour::begin_security_key_step_up`]).
    SecurityKey(&'a crate::webauthn::Assertion),
}

impl Harbour {
    pub(crate) fn account_key(&self, email: &str) -> Vec<u8> {
        self.index_key
            .hash("login-account-v1", &email.trim().to_lowercase())
            .to_vec()
    }

    pub(crate) fn address_key(&self, address: &str) -> Vec<u8> {
        self.index_key.hash("login-address-v1", address).to_vec()
    }

    /// Refuse with `LoginThrottled` while the account or the address has failed too often.
    pub(crate) async fn throttle(&self, account: &[u8], address: &[u8]) -> ServiceResult<()> {
        let now = self.now();
        let failures = self
            .store
            .login_failures_since(account, address, now - self.access_policy.throttle_window)
            .await?;
        if let Some(wait) =
            self.access_policy
                .login_retry_after(&failures.account, &failures.address, now)
        {
            let secs = wait.whole_seconds().max(1) as u64;
            return Err(ServiceError::LoginThrottled { retry_after: secs });
        }
        Ok(())
    }

    pub(crate) async fn open_session(
        &self,
        user: &User,
        kind: &str,
        lifetime: Duration,
    ) -> ServiceResult<String> {
        let token = harbour_crypto::random_token();
        let now = self.now();
        self.store
            .insert_session(&SessionRecord {
                token_hash: token_hash(&token),
                id: Uuid::new_v4(),
                user_id: user.id,
                kind: kind.into(),
                created_at: now,
                expires_at: now + lifetime,
                last_seen_at: now,
            })
            .await?;
        Ok(token)
    }

    /// Check the password. Unknown accounts cost the same Argon2 work; every failure is counted
    /// against the account and the address (kept in the database, so every app server counts
    /// the same), and too many refuse further attempts for a while. Roles that read cases get a
    /// challenge for their second factor, not a session.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        kind: &str,
        address: &str,
    ) -> ServiceResult<LoginOutcome> {
        let account = self.account_key(email);
        let address = self.address_key(address);
        self.throttle(&account, &address).await?;
        let user = match normalise_email(email) {
            Ok(e) => self.store.user_by_email(&e).await?,
            Err(_) => None,
        };
        let phc = match &user {
            Some(u) if u.active => u.password_hash.clone(),
            _ => self.dummy_hash.as_ref().clone(),
        };
        let pw = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let user = match user {
            Some(u) if ok && u.active => u,
            _ => {
                self.store
                    .record_login_failure(&account, &address, self.now())
                    .await?;
                return Err(ServiceError::BadCredentials);
            }
        };
        if harbour_domain::access::second_factor_required(user.role) {
            let enrolled = self
                .store
                .totp(user.id)
                .await?
                .is_some_and(|t| t.confirmed_at.is_some());
            let challenge = self
                .open_session(
                    &user,
                    &format!("{CHALLENGE_PREFIX}{kind}"),
                    self.access_policy.mfa_challenge,
                )
                .await?;
            return Ok(LoginOutcome::SecondFactor {
                challenge,
                enrolled,
                user_id: user.id,
                locale: user.locale.clone(),
            });
        }
        self.clear_login_failures(&account, &user).await?;
        let org = self.org_of(&user).await?;
        let token = self
            .open_session(&user, kind, self.access_policy.session_absolute)
            .await?;
        self.log_auth(&user, "login", kind).await?;
        Ok(LoginOutcome::Session {
            token,
            actor: Actor { user, org },
        })
    }

    /// After a complete sign-in: forget the account's failed attempts and, if there were any,
    /// leave the user a notice saying how many (ASVS 6.3.5), shown until they acknowledge it.
    pub(crate) async fn clear_login_failures(
        &self,
        account: &[u8],
        user: &User,
    ) -> ServiceResult<()> {
        self.store
            .clear_login_failures(account, user.id, Uuid::new_v4(), self.now())
            .await?;
        Ok(())
    }

    pub(crate) async fn org_of(&self, user: &User) -> ServiceResult<Organisation> {
        self.store
            .get_org(user.org_id)
            .await?
            .ok_or_else(|| ServiceError::Internal("user without organisation".into()))
    }

    /// Record an authentication event in the (chained) access log. Failed passwords are not
    /// recorded here: writing only for existing accounts would let timing reveal which exist;
    /// they are counted in `login_failures` instead.
    pub(crate) async fn log_auth(
        &self,
        user: &User,
        action: &str,
        kind: &str,
    ) -> ServiceResult<()> {
        Ok(self
            .store
            .record_access(&harbour_store::AccessRecord {
                at: self.now(),
                user_id: user.id,
                org_id: user.org_id,
                case_id: None,
                action: action.into(),
                purpose: Some(kind.into()),
            })
            .await?)
    }

    /// The user behind a live second-factor challenge.
    pub(crate) async fn challenge_user(&self, challenge: &str) -> ServiceResult<(User, String)> {
        let now = self.now();
        let session = self
            .store
            .session(
                &token_hash(challenge),
                now,
                now - self.access_policy.mfa_challenge,
            )
            .await?
            .filter(|s| s.kind.starts_with(CHALLENGE_PREFIX))
            .ok_or(ServiceError::Unauthenticated)?;
        let user = self
            .store
            .get_user(session.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(ServiceError::Unauthenticated)?;
        let kind = session.kind[CHALLENGE_PREFIX.len()..].to_string();
        Ok((user, kind))
    }

    /// Whether the user behind a challenge has a confirmed second factor.
    pub async fn challenge_enrolled(&self, challenge: &str) -> ServiceResult<bool> {
        let (user, _) = self.challenge_user(challenge).await?;
        Ok(self
            .store
            .totp(user.id)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some()))
    }

    /// Start (or restart) setting up an authenticator, for a user who has none yet.
    pub async fn begin_enrolment(&self, challenge: &str) -> ServiceResult<crate::mfa::Enrolment> {
        let (user, _) = self.challenge_user(challenge).await?;
        self.new_totp_secret(&user).await
    }

    /// Answer the second factor. On success the challenge is spent and a new session opens
    /// under a new token (the id rotates at this step-up); with the recovery codes when this
    /// completed enrolment. Wrong answers count as failed logins.
    pub async fn complete_login(
        &self,
        challenge: &str,
        code: &str,
        address: &str,
    ) -> ServiceResult<(String, Actor, Option<Vec<String>>)> {
        let (user, kind) = self.challenge_user(challenge).await?;
        // Once a user whom the policy requires to use a key has one, codes no longer sign them in
        // (a phishing site could relay a code, not a key's answer). Lost keys: an administrator's
        // reset.
        if self.security_key_required(&user) && !self.store.security_keys(user.id).await?.is_empty()
        {
            return Err(ServiceError::SecurityKeyRequired);
        }
        let account = self.account_key(&user.email);
        let address = self.address_key(address);
        self.throttle(&account, &address).await?;
        let recovery = match self.check_second_factor(&user, code).await {
            Ok(r) => r,
            Err(ServiceError::BadSecondFactor) => {
                self.store
                    .record_login_failure(&account, &address, self.now())
                    .await?;
                // The password was right, so the account is known: this reveals nothing.
                self.log_auth(&user, "login_failed_second_factor", &kind)
                    .await?;
                return Err(ServiceError::BadSecondFactor);
            }
            Err(e) => return Err(e),
        };
        self.store.delete_session(&token_hash(challenge)).await?;
        self.clear_login_failures(&account, &user).await?;
        let org = self.org_of(&user).await?;
        let token = self
            .open_session(&user, &kind, self.access_policy.session_absolute)
            .await?;
        let action = if recovery.is_some() {
            "login_enrolled_second_factor"
        } else {
            "login"
        };
        self.log_auth(&user, action, &kind).await?;
        Ok((token, Actor { user, org }, recovery))
    }

    /// The actor behind a token, if the session is live: not past its absolute expiry, not idle
    /// too long, and a full session (a second-factor challenge authenticates nothing). When the
    /// policy requires a security key and the user has none yet,
    /// [`ServiceError::SecurityKeyRequired`]: only [`Harbour::authenticate_for_account`] lets
    /// them in, to their own account (to add a key).
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Actor> {
        let actor = self.authenticate_for_account(token).await?;
        if self.must_add_security_key(&actor.user).await? {
            return Err(ServiceError::SecurityKeyRequired);
        }
        Ok(actor)
    }

    /// [`Harbour::authenticate`] for the user's own account pages and routes (sessions,
    /// notices, security keys, logout), which a user who must still add a security key may use.
    pub async fn authenticate_for_account(&self, token: &str) -> ServiceResult<Actor> {
        let now = self.now();
        let session = self
            .store
            .session(
                &token_hash(token),
                now,
                now - self.access_policy.session_idle,
            )
            .await?
            .filter(|s| !s.kind.starts_with(CHALLENGE_PREFIX))
            .ok_or(ServiceError::Unauthenticated)?;
        let user = self
            .store
            .get_user(session.user_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if !user.active {
            return Err(ServiceError::Unauthenticated);
        }
        let org = self
            .store
            .get_org(user.org_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        Ok(Actor { user, org })
    }

    /// New recovery codes after a step-up: the current password and a fresh second factor, a
    /// code from the authenticator app or a security key's answer to a step-up challenge (ASVS
    /// 7.5.1: full re-authentication before changing the second factor). When the policy makes
    /// the user sign in with a key and they have one, only the key will do (as at sign-in).
    /// Every earlier code stops working; the session id rotates (the old token ends, a new one
    /// is returned); failures count as failed logins and are recorded.
    pub async fn renew_recovery_codes(
        &self,
        actor: &Actor,
        token: &str,
        password: &str,
        proof: StepUpProof<'_>,
        address: &str,
    ) -> ServiceResult<(String, Vec<String>)> {
        let user = &actor.user;
        let now = self.now();
        let session = self
            .store
            .session(
                &token_hash(token),
                now,
                now - self.access_policy.session_idle,
            )
            .await?
            .filter(|s| s.user_id == user.id && !s.kind.starts_with(CHALLENGE_PREFIX))
            .ok_or(ServiceError::Unauthenticated)?;
        // A code could be relayed by a phishing site, a key's answer not: under the policy a
        // user with a key steps up with it, as they sign in with it.
        if matches!(proof, StepUpProof::Code(_))
            && self.security_key_required(user)
            && !self.store.security_keys(user.id).await?.is_empty()
        {
            return Err(ServiceError::SecurityKeyRequired);
        }
        let account = self.account_key(&user.email);
        let address = self.address_key(address);
        self.throttle(&account, &address).await?;
        let phc = user.password_hash.clone();
        let pw = password.to_owned();
        let password_ok = tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let factor = match proof {
            StepUpProof::Code(code) if password_ok => {
                self.check_authenticator_code(user, code).await
            }
            StepUpProof::Code(_) => Err(ServiceError::BadSecondFactor),
            // Checked whatever the password, so that its challenge is spent by this answer.
            StepUpProof::SecurityKey(assertion) => self
                .check_assertion(user, crate::webauthn::Ceremony::StepUp, assertion)
                .await
                .map_err(|e| {
                    tracing::info!(reason = %e, "security key step-up refused");
                    ServiceError::BadSecondFactor
                }),
        };
        let checked = if password_ok {
            factor
        } else {
            Err(ServiceError::BadCredentials)
        };
        if let Err(e) = checked {
            if matches!(
                e,
                ServiceError::BadCredentials | ServiceError::BadSecondFactor
            ) {
                self.store
                    .record_login_failure(&account, &address, self.now())
                    .await?;
                self.log_auth(user, "step_up_failed", &session.kind).await?;
            }
            return Err(e);
        }
        let (codes, hashes) = self.new_recovery_codes(user.id);
        let now = self.now();
        let new_token = harbour_crypto::random_token();
        // One transaction: the codes change, every session of the user ends (ASVS 7.4.3: a
        // thief's session does not outlive the change) and this one goes on under a new token
        // (7.2.4); the user is told (6.3.7).
        self.store
            .replace_recovery_codes(
                user.id,
                &hashes,
                &harbour_store::AccessRecord {
                    at: now,
                    user_id: user.id,
                    org_id: user.org_id,
                    case_id: None,
                    action: "recovery_codes_renewed".into(),
                    purpose: Some(session.kind.clone()),
                },
                &harbour_store::SecurityNotice {
                    id: Uuid::new_v4(),
                    user_id: user.id,
                    kind: harbour_store::SecurityNoticeKind::RecoveryCodesRenewed,
                    count: 1,
                    at: now,
                    acknowledged_at: None,
                },
                &SessionRecord {
                    token_hash: token_hash(&new_token),
                    id: Uuid::new_v4(),
                    user_id: user.id,
                    kind: session.kind.clone(),
                    created_at: now,
                    expires_at: now + self.access_policy.session_absolute,
                    last_seen_at: now,
                },
            )
            .await
            .map_err(|e| match e {
                harbour_store::StoreError::Conflict => ServiceError::BadSecondFactor,
                other => other.into(),
            })?;
        Ok((new_token, codes))
    }

    /// End a session (or a challenge) on the server: the token is worthless afterwards.
    pub async fn logout(&self, token: &str) -> ServiceResult<()> {
        Ok(self.store.delete_session(&token_hash(token)).await?)
    }

    /// The signed-in user's own live sessions, oldest first (ASVS 7.5.2). `token` is the one
    /// asking, marked `current`. Second-factor challenges are not sessions and are not listed.
    pub async fn my_sessions(&self, actor: &Actor, token: &str) -> ServiceResult<Vec<SessionView>> {
        let now = self.now();
        let current = token_hash(token);
        Ok(self
            .store
            .user_sessions(actor.user.id, now, now - self.access_policy.session_idle)
            .await?
            .into_iter()
            .filter(|s| !s.kind.starts_with(CHALLENGE_PREFIX))
            .map(|s| SessionView {
                id: s.id,
                kind: s.kind,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                // Whichever comes first: the absolute end or the idle timeout.
                expires_at: s
                    .expires_at
                    .min(s.last_seen_at + self.access_policy.session_idle),
                current: harbour_crypto::ct_eq(&s.token_hash, &current),
            })
            .collect())
    }

    /// End one of the user's own sessions. Someone else's session and one that does not exist
    /// get the same answer, so the ids of other users' sessions cannot be probed.
    pub async fn end_my_session(&self, actor: &Actor, id: Uuid) -> ServiceResult<()> {
        if self.store.end_user_session(actor.user.id, id).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound("session"))
        }
    }

    /// End every session of the user except the one asking; how many ended.
    pub async fn end_my_other_sessions(&self, actor: &Actor, token: &str) -> ServiceResult<u64> {
        Ok(self
            .store
            .end_other_sessions(actor.user.id, &token_hash(token))
            .await?)
    }

    /// The user's security notices, newest first (ASVS 6.3.7, 6.3.5).
    pub async fn my_security_notices(
        &self,
        actor: &Actor,
    ) -> ServiceResult<Vec<harbour_store::SecurityNotice>> {
        Ok(self
            .store
            .security_notices(actor.user.id, SECURITY_NOTICES_SHOWN)
            .await?)
    }

    /// The user has read their notices: they stop being shown after sign-in.
    pub async fn acknowledge_security_notices(&self, actor: &Actor) -> ServiceResult<u64> {
        Ok(self
            .store
            .acknowledge_security_notices(actor.user.id, self.now())
            .await?)
    }

    /// Create an organisation (CLI and administrators).
    pub async fn create_org(&self, name: &str, kind: OrgKind) -> ServiceResult<Organisation> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ServiceError::invalid(
                "/name",
                "an organisation needs a name of 1 to 200 characters",
            ));
        }
        let org = Organisation {
            id: OrgId(Uuid::new_v4()),
            name: name.into(),
            kind,
            created_at: self.now(),
        };
        self.store.insert_org(&org).await?;
        Ok(org)
    }

    /// Create a user account (CLI and administrators).
    pub async fn create_user(
        &self,
        email: &str,
        org: OrgId,
        role: Role,
        password: &str,
    ) -> ServiceResult<User> {
        let email = normalise_email(email)?;
        if password.chars().count() < MIN_PASSWORD_LEN {
            return Err(ServiceError::invalid(
                "/password",
                format!("a password needs at least {MIN_PASSWORD_LEN} characters"),
            ));
        }
        let org = self
            .store
            .get_org(org)
            .await?
            .ok_or_else(|| ServiceError::invalid("/org", "no organisation has this id"))?;
        if matches!(role, Role::DecisionMaker) && org.kind != OrgKind::CompetentAuthority {
            return Err(ServiceError::invalid(
                "/role",
                "decision makers belong to the competent authority",
            ));
        }
        let pw = password.to_owned();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&pw))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))??;
        let user = User {
            id: UserId(Uuid::new_v4()),
            email,
            org_id: org.id,
            role,
            password_hash,
            locale: "en".into(),
            active: true,
            created_at: self.now(),
        };
        self.store.insert_user(&user).await?;
        Ok(user)
    }
}
