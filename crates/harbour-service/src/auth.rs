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

/// How long a login lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(8);
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

fn token_hash(token: &str) -> Vec<u8> {
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

impl Harbour {
    /// Check credentials and open a session. Unknown accounts cost the same Argon2 work.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        kind: &str,
    ) -> ServiceResult<(String, Actor)> {
        let email = normalise_email(email).map_err(|_| ServiceError::BadCredentials)?;
        let user = self.store.user_by_email(&email).await?;
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
            _ => return Err(ServiceError::BadCredentials),
        };
        let org = self
            .store
            .get_org(user.org_id)
            .await?
            .ok_or_else(|| ServiceError::Internal("user without organisation".into()))?;
        let token = harbour_crypto::random_token();
        let now = self.now();
        self.store
            .insert_session(&SessionRecord {
                token_hash: token_hash(&token),
                user_id: user.id,
                kind: kind.into(),
                created_at: now,
                expires_at: now + SESSION_LIFETIME,
                last_seen_at: now,
            })
            .await?;
        Ok((token, Actor { user, org }))
    }

    /// The actor behind a token, if the session is live.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Actor> {
        let session = self
            .store
            .session(&token_hash(token), self.now())
            .await?
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

    pub async fn logout(&self, token: &str) -> ServiceResult<()> {
        Ok(self.store.delete_session(&token_hash(token)).await?)
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
