//! The second factor: TOTP (RFC 6238, HMAC-SHA1, 6 digits, 30 s) with ten single-use recovery
//! codes. Secrets are sealed at rest with a per-user key wrapped under the master key; a code is
//! accepted once (the last accepted time step is stored and advanced atomically); recovery codes
//! are stored as keyed hashes.

use crate::{Harbour, ServiceError, ServiceResult};
use harbour_crypto::{DataKey, WrappedKey};
use harbour_domain::access::{totp_candidate_steps, TOTP_PERIOD};
use harbour_domain::UserId;
use harbour_store::{TotpRecord, User};
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Digits of a TOTP code.
pub const TOTP_DIGITS: u32 = 6;
/// How many recovery codes a user gets at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Shown in authenticator apps next to the account.
pub const ISSUER: &str = "Harbour";

/// HOTP (RFC 4226) value of `counter` under `secret`, as a zero-padded decimal string.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        // HMAC takes keys of any length; this branch cannot happen.
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let offset = usize::from(d[19] & 0x0f);
    let bin = (u32::from(d[offset]) & 0x7f) << 24
        | u32::from(d[offset + 1]) << 16
        | u32::from(d[offset + 2]) << 8
        | u32::from(d[offset + 3]);
    let modulus = 10u32.pow(digits);
    format!("{:0width$}", bin % modulus, width = digits as usize)
}

/// The TOTP code of time step `step` (RFC 6238: HOTP of the step number).
pub fn totp_code(secret: &[u8], step: u64) -> String {
    hotp(secret, step, TOTP_DIGITS)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (what authenticator apps expect).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for b in bytes {
        buf = (buf << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buf >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buf << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decode base32 (case and spaces ignored); `None` if a character is not base32.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32
            .iter()
            .position(|b| char::from(*b) == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// What a user needs to set up their authenticator: the secret (for typing in) and the
/// `otpauth://` URI (for the QR code).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
}

fn otpauth_uri(email: &str, secret_b32: &str) -> String {
    let label: String = form_encode(&format!("{ISSUER}:{email}"));
    format!(
        "otpauth://totp/{label}?secret={secret_b32}&issuer={ISSUER}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_PERIOD}"
    )
}

/// Percent-encode everything but unreserved characters.
fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn totp_context(user: UserId) -> Vec<u8> {
    format!("totp:{user}").into_bytes()
}

fn totp_aad(user: UserId) -> Vec<u8> {
    format!("totp-secret:{user}").into_bytes()
}

/// A recovery code as shown: two groups of five base32 letters (50 bits).
fn new_recovery_code() -> String {
    let mut bytes = [0u8; 7];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let s = base32_encode(&bytes).to_lowercase();
    format!("{}-{}", &s[..5], &s[5..10])
}

/// Recovery codes are typed by people: ignore case, spaces and dashes.
fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Harbour {
    fn recovery_code_hash(&self, user: UserId, code: &str) -> Vec<u8> {
        self.index_key
            .hash(
                "recovery-code-v1",
                &format!("{user}\u{1f}{}", normalise_recovery_code(code)),
            )
            .to_vec()
    }

    fn open_totp_secret(&self, t: &TotpRecord) -> ServiceResult<Vec<u8>> {
        let wrapped = WrappedKey::from_bytes(&t.wrapped_key)?;
        let key = self.master.unwrap_key(&wrapped, &totp_context(t.user_id))?;
        Ok(key.open(&t.sealed_secret, &totp_aad(t.user_id))?)
    }

    /// A fresh secret for a user who has no confirmed factor yet (it replaces an unconfirmed one).
    pub(crate) async fn new_totp_secret(&self, user: &User) -> ServiceResult<Enrolment> {
        let mut secret = [0u8; 20];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
        let key = DataKey::generate();
        self.store
            .put_unconfirmed_totp(&TotpRecord {
                user_id: user.id,
                wrapped_key: self.master.wrap(&key, &totp_context(user.id))?.to_bytes(),
                sealed_secret: key.seal(&secret, &totp_aad(user.id)),
                confirmed_at: None,
                last_step: 0,
                created_at: self.now(),
            })
            .await
            .map_err(|e| match e {
                harbour_store::StoreError::Duplicate(_) => ServiceError::Forbidden(
                    "this account already has a second factor; sign in with it".into(),
                ),
                other => other.into(),
            })?;
        let b32 = base32_encode(&secret);
        Ok(Enrolment {
            otpauth_uri: otpauth_uri(&user.email, &b32),
            secret: b32,
        })
    }

    /// The step a code matches at `now`, among steps after the last used one.
    fn matching_step(&self, secret: &[u8], code: &str, last_step: u64) -> Option<u64> {
        let code = code.trim();
        if code.len() != TOTP_DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        totp_candidate_steps(self.now(), last_step)
            .into_iter()
            .find(|s| harbour_crypto::ct_eq(totp_code(secret, *s).as_bytes(), code.as_bytes()))
    }

    /// Check a second-factor answer: a TOTP code (once only) or an unused recovery code.
    /// Returns recovery codes when this answer completed enrolment.
    pub(crate) async fn check_second_factor(
        &self,
        user: &User,
        code: &str,
    ) -> ServiceResult<Option<Vec<String>>> {
        let record = self
            .store
            .totp(user.id)
            .await?
            .ok_or(ServiceError::BadSecondFactor)?;
        let secret = self.open_totp_secret(&record)?;
        if record.confirmed_at.is_none() {
            // Enrolment: the first good code proves the authenticator holds the secret.
            let step = self
                .matching_step(&secret, code, record.last_step)
                .ok_or(ServiceError::BadSecondFactor)?;
            let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
            let hashes: Vec<Vec<u8>> = codes
                .iter()
                .map(|c| self.recovery_code_hash(user.id, c))
                .collect();
            self.store
                .confirm_totp(user.id, self.now(), step, &hashes)
                .await
                .map_err(|_| ServiceError::BadSecondFactor)?;
            return Ok(Some(codes));
        }
        if let Some(step) = self.matching_step(&secret, code, record.last_step) {
            // Atomic: of two servers given the same code, one wins.
            if self.store.use_totp_step(user.id, step).await? {
                return Ok(None);
            }
            return Err(ServiceError::BadSecondFactor);
        }
        let normalised = normalise_recovery_code(code);
        if normalised.len() == 10
            && self
                .store
                .use_recovery_code(
                    user.id,
                    &self.recovery_code_hash(user.id, &normalised),
                    self.now(),
                )
                .await?
        {
            return Ok(None);
        }
        Err(ServiceError::BadSecondFactor)
    }

    /// Pre-enrol a user with a known secret (the demo prints it; tests compute codes from it).
    pub async fn enrol_totp_with_secret(&self, user: &User, secret: &[u8]) -> ServiceResult<()> {
        let key = DataKey::generate();
        self.store
            .put_unconfirmed_totp(&TotpRecord {
                user_id: user.id,
                wrapped_key: self.master.wrap(&key, &totp_context(user.id))?.to_bytes(),
                sealed_secret: key.seal(secret, &totp_aad(user.id)),
                confirmed_at: None,
                last_step: 0,
                created_at: self.now(),
            })
            .await?;
        // Step 0 is never a real step, so the first real code still works. The recovery codes
        // are never shown: whoever pre-enrols holds the secret itself.
        let hashes: Vec<Vec<u8>> = (0..RECOVERY_CODES)
            .map(|_| self.recovery_code_hash(user.id, &new_recovery_code()))
            .collect();
        self.store
            .confirm_totp(user.id, self.now(), 0, &hashes)
            .await?;
        Ok(())
    }

    /// Ten new recovery codes to show once, and their keyed hashes to store.
    pub(crate) fn new_recovery_codes(&self, user: UserId) -> (Vec<String>, Vec<Vec<u8>>) {
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let hashes = codes
            .iter()
            .map(|c| self.recovery_code_hash(user, c))
            .collect();
        (codes, hashes)
    }

    /// A current code of the user's confirmed authenticator, spent once. Recovery codes do not
    /// count here: a step-up proves the authenticator is still in hand.
    pub(crate) async fn check_authenticator_code(
        &self,
        user: &User,
        code: &str,
    ) -> ServiceResult<()> {
        let record = self
            .store
            .totp(user.id)
            .await?
            .filter(|t| t.confirmed_at.is_some())
            .ok_or(ServiceError::BadSecondFactor)?;
        let secret = self.open_totp_secret(&record)?;
        match self.matching_step(&secret, code, record.last_step) {
            Some(step) if self.store.use_totp_step(user.id, step).await? => Ok(()),
            _ => Err(ServiceError::BadSecondFactor),
        }
    }

    /// How many unused recovery codes a user has left.
    pub async fn recovery_codes_left(&self, user: UserId) -> ServiceResult<u32> {
        Ok(self.store.recovery_codes_left(user).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, truncated to 6 digits (the RFC shows 8).
    #[test]
    fn rfc6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, eight) in [
            (59u64, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(hotp(secret, t / 30, 8), eight, "t={t}");
            assert_eq!(totp_code(secret, t / 30), eight[2..], "t={t}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
        assert!(base32_decode("not base32!").is_none());
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(base32_decode(&base32_encode(&bytes)).unwrap(), bytes);
    }

    #[test]
    fn recovery_codes_are_two_groups_of_five() {
        let c = new_recovery_code();
        assert_eq!(c.len(), 11);
        assert_eq!(&c[5..6], "-");
        assert_eq!(normalise_recovery_code(&c.to_uppercase()).len(), 10);
    }
}
