//! Security keys (WebAuthn / FIDO2) as a phishing-resistant second factor (ASVS 6.3.3 at L3).
//!
//! The browser signs the origin it is really on into every answer, and the authenticator signs
//! the relying-party id; both are checked here against the configured [`RelyingParty`], never
//! against what the request says about itself, so a look-alike site relaying the sign-in gets
//! an answer Harbour refuses. Challenges are random (32 bytes), stored in the database bound to
//! the user and the ceremony, live for the second-factor window, and spent at the first answer.

mod cbor;
pub mod verify;

use crate::{Actor, Harbour, ServiceError, ServiceResult};
use harbour_store::{SecurityKey, SecurityNotice, SecurityNoticeKind, User, WebauthnChallenge};
use uuid::Uuid;
pub use verify::{b64url_decode, b64url_encode, Ceremony, WebauthnError};

/// Who Harbour is to authenticators: the site's origin as browsers see it
/// (`https://harbour.example`) and its relying-party id (the host name, `harbour.example`).
/// Set at start (`harbour serve --public-origin`); without it security keys are unavailable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelyingParty {
    pub id: String,
    pub origin: String,
    /// Whether the authenticator must verify the user (PIN or biometrics), not only see a touch.
    pub require_user_verification: bool,
}

impl RelyingParty {
    /// From an origin such as `https://harbour.example` or `http://localhost:8080`: the id is
    /// the host. Plain HTTP is accepted only for `localhost` (browsers allow WebAuthn there).
    pub fn from_origin(origin: &str) -> Result<RelyingParty, String> {
        let origin = origin.trim_end_matches('/');
        let (scheme, rest) = origin
            .split_once("://")
            .ok_or_else(|| format!("{origin} is not an origin like https://harbour.example"))?;
        let host = rest.split(':').next().unwrap_or_default();
        let valid_host = !host.is_empty()
            && !rest.contains('/')
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if !valid_host {
            return Err(format!(
                "{origin}: the origin needs a host name (WebAuthn does not work on IP addresses)"
            ));
        }
        match scheme {
            "https" => {}
            "http" if host == "localhost" => {}
            _ => return Err(format!("{origin}: use https (http only for localhost)")),
        }
        Ok(RelyingParty {
            id: host.to_ascii_lowercase(),
            origin: origin.to_ascii_lowercase(),
            require_user_verification: true,
        })
    }

    fn expected(&self, ceremony: Ceremony) -> verify::Expected<'_> {
        verify::Expected {
            ceremony,
            origin: &self.origin,
            rp_id: &self.id,
            require_user_verification: self.require_user_verification,
        }
    }
}

/// A credential reference in options (base64url id).
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct CredentialRef {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
}

/// What `navigator.credentials.create` needs, with binary values in base64url.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationOptions {
    pub challenge: String,
    pub rp: serde_json::Value,
    pub user: serde_json::Value,
    pub pub_key_cred_params: serde_json::Value,
    pub timeout: u64,
    pub exclude_credentials: Vec<CredentialRef>,
    pub authenticator_selection: serde_json::Value,
    pub attestation: &'static str,
}

/// What `navigator.credentials.get` needs, with binary values in base64url.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestOptions {
    pub challenge: String,
    pub rp_id: String,
    pub allow_credentials: Vec<CredentialRef>,
    pub user_verification: &'static str,
    pub timeout: u64,
}

/// A registered key as its owner sees it.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct SecurityKeyView {
    pub id: Uuid,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<time::OffsetDateTime>,
}

impl From<&SecurityKey> for SecurityKeyView {
    fn from(k: &SecurityKey) -> Self {
        SecurityKeyView {
            id: k.id,
            name: k.name.clone(),
            created_at: k.created_at,
            last_used_at: k.last_used_at,
        }
    }
}

/// A browser's answer to `navigator.credentials.get`, binary fields decoded.
#[derive(Clone, Debug)]
pub struct Assertion {
    pub credential_id: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Longest key name.
pub const MAX_KEY_NAME: usize = 60;

fn key_name(name: &str) -> ServiceResult<String> {
    let n = name.trim();
    if n.is_empty() {
        return Err(ServiceError::invalid("/name", "give the key a name"));
    }
    if n.chars().count() > MAX_KEY_NAME || n.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "/name",
            format!("a key name is at most {MAX_KEY_NAME} characters, without control characters"),
        ));
    }
    Ok(n.to_string())
}

fn refs(keys: &[SecurityKey]) -> Vec<CredentialRef> {
    keys.iter()
        .map(|k| CredentialRef {
            kind: "public-key",
            id: b64url_encode(&k.credential_id),
        })
        .collect()
}

impl Harbour {
    /// Use security keys for this relying party.
    pub fn with_relying_party(mut self, rp: RelyingParty) -> Harbour {
        self.relying_party = Some(std::sync::Arc::new(rp));
        self
    }

    pub fn relying_party(&self) -> Option<&RelyingParty> {
        self.relying_party.as_deref()
    }

    fn rp(&self) -> ServiceResult<&RelyingParty> {
        self.relying_party.as_deref().ok_or_else(|| {
            ServiceError::Forbidden(
                "security keys are not set up on this server (it has no public origin)".into(),
            )
        })
    }

    /// Whether the policy makes this user sign in with a security key.
    pub fn security_key_required(&self, user: &User) -> bool {
        self.policy.access.require_security_key && user.role.may_read_cases()
    }

    /// Whether this user must still add a security key before reading cases.
    pub async fn must_add_security_key(&self, user: &User) -> ServiceResult<bool> {
        Ok(self.security_key_required(user) && self.store.security_keys(user.id).await?.is_empty())
    }

    async fn new_challenge(&self, user: &User, ceremony: Ceremony) -> ServiceResult<Vec<u8>> {
        let mut challenge = vec![0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut challenge);
        let now = self.now();
        self.store
            .put_webauthn_challenge(
                &WebauthnChallenge {
                    challenge: challenge.clone(),
                    user_id: user.id,
                    ceremony: ceremony.as_str().into(),
                    expires_at: now + self.access_policy.mfa_challenge,
                },
                now,
            )
            .await?;
        Ok(challenge)
    }

    fn timeout_ms(&self) -> u64 {
        u64::try_from(self.access_policy.mfa_challenge.whole_milliseconds()).unwrap_or(300_000)
    }

    /// Spend the challenge the client data carries (issued to `user` for `ceremony`), then check
    /// the client data. The challenge goes first so that a refused answer spends it too.
    async fn spend_challenge(
        &self,
        user: &User,
        ceremony: Ceremony,
        client_data_json: &[u8],
    ) -> Result<(), WebauthnError> {
        let rp = self
            .relying_party
            .as_deref()
            .ok_or(WebauthnError::WrongRpId)?;
        let presented = verify::parse_client_data(client_data_json)?;
        let taken = match self
            .store
            .take_webauthn_challenge(&presented.challenge, user.id, ceremony.as_str(), self.now())
            .await
        {
            Ok(taken) => taken,
            Err(e) => {
                tracing::warn!(error = %e, "could not spend a WebAuthn challenge");
                false
            }
        };
        verify::check_client_data(client_data_json, &rp.expected(ceremony))?;
        if taken {
            Ok(())
        } else {
            Err(WebauthnError::WrongChallenge)
        }
    }

    /// Start adding a security key (the user is fully signed in).
    pub async fn begin_security_key_registration(
        &self,
        actor: &Actor,
    ) -> ServiceResult<CreationOptions> {
        let rp = self.rp()?;
        let user = &actor.user;
        let challenge = self.new_challenge(user, Ceremony::Registration).await?;
        let existing = self.store.security_keys(user.id).await?;
        Ok(CreationOptions {
            challenge: b64url_encode(&challenge),
            rp: serde_json::json!({"id": rp.id, "name": "Harbour"}),
            // The user handle is the account's id (no personal data on the authenticator
            // beyond the e-mail address shown to tell accounts apart).
            user: serde_json::json!({
                "id": b64url_encode(user.id.0.as_bytes()),
                "name": user.email,
                "displayName": user.email,
            }),
            pub_key_cred_params: serde_json::json!([{"type": "public-key", "alg": verify::COSE_ES256}]),
            timeout: self.timeout_ms(),
            exclude_credentials: refs(&existing),
            authenticator_selection: serde_json::json!({
                "residentKey": "discouraged",
                "userVerification": if rp.require_user_verification { "required" } else { "preferred" },
            }),
            attestation: "none",
        })
    }

    /// Finish adding a key: verify the answer, store the key, notify the user.
    pub async fn finish_security_key_registration(
        &self,
        actor: &Actor,
        name: &str,
        client_data_json: &[u8],
        attestation_object: &[u8],
    ) -> ServiceResult<SecurityKeyView> {
        let rp = self.rp()?;
        let name = key_name(name)?;
        let user = &actor.user;
        let refused = |e: WebauthnError| {
            // The reason is for the logs only; it names no person.
            tracing::info!(reason = %e, "security key registration refused");
            ServiceError::invalid(
                "/attestation_object",
                "the security key's answer was not accepted; try adding the key again",
            )
        };
        self.spend_challenge(user, Ceremony::Registration, client_data_json)
            .await
            .map_err(refused)?;
        let (credential, sign_count) =
            verify::verify_registration(attestation_object, &rp.expected(Ceremony::Registration))
                .map_err(refused)?;
        let now = self.now();
        let key = SecurityKey {
            id: Uuid::new_v4(),
            user_id: user.id,
            credential_id: credential.credential_id,
            public_key: credential.cose_key,
            name,
            sign_count,
            created_at: now,
            last_used_at: None,
        };
        self.store
            .add_security_key(
                &key,
                &harbour_store::AccessRecord {
                    at: now,
                    user_id: user.id,
                    org_id: user.org_id,
                    case_id: None,
                    action: "security_key_added".into(),
                    purpose: None,
                },
                &SecurityNotice {
                    id: Uuid::new_v4(),
                    user_id: user.id,
                    kind: SecurityNoticeKind::SecurityKeyAdded,
                    count: 1,
                    at: now,
                    acknowledged_at: None,
                },
            )
            .await
            .map_err(|e| match e {
                harbour_store::StoreError::Duplicate(_) => {
                    ServiceError::Duplicate("this security key".into())
                }
                other => other.into(),
            })?;
        Ok(SecurityKeyView::from(&key))
    }

    pub async fn my_security_keys(&self, actor: &Actor) -> ServiceResult<Vec<SecurityKeyView>> {
        Ok(self
            .store
            .security_keys(actor.user.id)
            .await?
            .iter()
            .map(SecurityKeyView::from)
            .collect())
    }

    /// Remove one of the user's own keys. When the policy requires a key, the last one stays.
    pub async fn remove_my_security_key(&self, actor: &Actor, id: Uuid) -> ServiceResult<()> {
        let user = &actor.user;
        let now = self.now();
        let keep = u32::from(self.security_key_required(user));
        let removed = self
            .store
            .remove_security_key(
                user.id,
                id,
                keep,
                &harbour_store::AccessRecord {
                    at: now,
                    user_id: user.id,
                    org_id: user.org_id,
                    case_id: None,
                    action: "security_key_removed".into(),
                    purpose: None,
                },
                &SecurityNotice {
                    id: Uuid::new_v4(),
                    user_id: user.id,
                    kind: SecurityNoticeKind::SecurityKeyRemoved,
                    count: 1,
                    at: now,
                    acknowledged_at: None,
                },
            )
            .await
            .map_err(|e| match e {
                harbour_store::StoreError::Conflict => ServiceError::Forbidden(
                    "this is your last security key and the policy requires one: add another first"
                        .into(),
                ),
                other => other.into(),
            })?;
        if removed {
            Ok(())
        } else {
            Err(ServiceError::NotFound("security key"))
        }
    }

    /// Whether the user behind a second-factor challenge has a security key.
    pub async fn challenge_has_security_key(&self, challenge: &str) -> ServiceResult<bool> {
        let (user, _) = self.challenge_user(challenge).await?;
        Ok(!self.store.security_keys(user.id).await?.is_empty())
    }

    /// Options to sign in with a key, for the user behind a second-factor challenge.
    pub async fn begin_security_key_login(&self, challenge: &str) -> ServiceResult<RequestOptions> {
        let (user, _) = self.challenge_user(challenge).await?;
        self.request_options(&user, Ceremony::Authentication).await
    }

    /// Options to re-authenticate a signed-in user with a key before a sensitive action (a
    /// step-up); the challenge answers only a step-up of this user.
    pub async fn begin_security_key_step_up(&self, actor: &Actor) -> ServiceResult<RequestOptions> {
        self.request_options(&actor.user, Ceremony::StepUp).await
    }

    /// Whether this user has a security key (and this server can use it), so a step-up may be
    /// answered with it.
    pub async fn has_security_key(&self, user: &User) -> ServiceResult<bool> {
        Ok(self.relying_party.is_some() && !self.store.security_keys(user.id).await?.is_empty())
    }

    async fn request_options(
        &self,
        user: &User,
        ceremony: Ceremony,
    ) -> ServiceResult<RequestOptions> {
        let rp = self.rp()?;
        let keys = self.store.security_keys(user.id).await?;
        if keys.is_empty() {
            return Err(ServiceError::Forbidden(
                "this account has no security key; use a code from your authenticator app".into(),
            ));
        }
        let webauthn_challenge = self.new_challenge(user, ceremony).await?;
        Ok(RequestOptions {
            challenge: b64url_encode(&webauthn_challenge),
            rp_id: rp.id.clone(),
            allow_credentials: refs(&keys),
            user_verification: if rp.require_user_verification {
                "required"
            } else {
                "preferred"
            },
            timeout: self.timeout_ms(),
        })
    }

    /// Verify a key's answer for `ceremony` (sign-in or step-up) from one of `user`'s keys.
    pub(crate) async fn check_assertion(
        &self,
        user: &User,
        ceremony: Ceremony,
        a: &Assertion,
    ) -> Result<(), WebauthnError> {
        let rp = self
            .relying_party
            .as_deref()
            .ok_or(WebauthnError::WrongRpId)?;
        // The challenge goes first: a refused answer still spends it.
        self.spend_challenge(user, ceremony, &a.client_data_json)
            .await?;
        let key = match self
            .store
            .security_key_by_credential(&a.credential_id)
            .await
        {
            Ok(Some(k)) if k.user_id == user.id => k,
            // Another user's key, or none: the same answer.
            Ok(_) => return Err(WebauthnError::BadSignature),
            Err(e) => {
                tracing::warn!(error = %e, "could not read a security key");
                return Err(WebauthnError::BadSignature);
            }
        };
        let count = verify::verify_assertion(
            &a.client_data_json,
            &a.authenticator_data,
            &a.signature,
            &key.public_key,
            key.sign_count,
            &rp.expected(ceremony),
        )?;
        match self
            .store
            .use_security_key(user.id, key.id, key.sign_count, count, self.now())
            .await
        {
            Ok(true) => Ok(()),
            // Another server accepted an answer with this counter first.
            Ok(false) => Err(WebauthnError::CounterRegression),
            Err(e) => {
                tracing::warn!(error = %e, "could not record a security key's use");
                Err(WebauthnError::CounterRegression)
            }
        }
    }

    /// Answer the second factor with a security key. Like [`Harbour::complete_login`]: the
    /// challenge session is spent and a full session opens under a new token; refusals count as
    /// failed sign-ins.
    pub async fn complete_login_with_security_key(
        &self,
        challenge: &str,
        assertion: &Assertion,
        address: &str,
    ) -> ServiceResult<(String, Actor)> {
        self.rp()?;
        let (user, kind) = self.challenge_user(challenge).await?;
        let account = self.account_key(&user.email);
        let address = self.address_key(address);
        self.throttle(&account, &address).await?;
        if let Err(e) = self
            .check_assertion(&user, Ceremony::Authentication, assertion)
            .await
        {
            tracing::info!(reason = %e, "security key sign-in refused");
            self.store
                .record_login_failure(&account, &address, self.now())
                .await?;
            self.log_auth(&user, "login_failed_security_key", &kind)
                .await?;
            return Err(ServiceError::BadSecondFactor);
        }
        self.store
            .delete_session(&crate::auth::token_hash(challenge))
            .await?;
        self.clear_login_failures(&account, &user).await?;
        let org = self.org_of(&user).await?;
        let token = self
            .open_session(&user, &kind, self.access_policy.session_absolute)
            .await?;
        self.log_auth(&user, "login_security_key", &kind).await?;
        Ok((token, Actor { user, org }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_comes_from_a_real_origin() {
        let rp = RelyingParty::from_origin("https://Harbour.example/").unwrap();
        assert_eq!(
            (rp.id.as_str(), rp.origin.as_str()),
            ("harbour.example", "https://harbour.example")
        );
        let local = RelyingParty::from_origin("http://localhost:8080").unwrap();
        assert_eq!(local.id, "localhost");
        for bad in [
            "http://harbour.example",
            "https://127.0.0.1:8080",
            "harbour.example",
            "https://harbour.example/path",
            "https://",
        ] {
            assert!(RelyingParty::from_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_names_are_checked() {
        assert_eq!(key_name("  blue key ").unwrap(), "blue key");
        assert!(key_name(" ").is_err());
        assert!(key_name(&"x".repeat(61)).is_err());
        assert!(key_name("a\nb").is_err());
    }
}
