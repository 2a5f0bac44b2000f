//! Storage for the security half of issue 6: the hash-chained access log, break-glass grants,
//! second factors (TOTP) and login throttling. Kept apart from the case rows so the two evolve
//! separately.

use crate::types::{to_micros, AccessRecord};
use harbour_domain::{CaseId, OrgId, UserId};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// One access record with its place in the single, global access-log chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainedAccess {
    pub seq: u64,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
    pub record: AccessRecord,
}

fn put_str(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

/// The hash of access record number `seq` following `prev`. Every field is length-prefixed or
/// fixed-width so two different records can never hash the same bytes.
pub fn access_hash(prev: &[u8; 32], seq: u64, a: &AccessRecord) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"harbour-access-v1\0");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(to_micros(a.at).to_be_bytes());
    h.update(a.user_id.0.as_bytes());
    h.update(a.org_id.0.as_bytes());
    match a.case_id {
        Some(c) => {
            h.update([1]);
            h.update(c.0.as_bytes());
        }
        None => h.update([0]),
    }
    put_str(&mut h, &a.action);
    match &a.purpose {
        Some(p) => {
            h.update([1]);
            put_str(&mut h, p);
        }
        None => h.update([0]),
    }
    h.finalize().into()
}

/// Where the access-log chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("access log broken at record {seq}: {reason}")]
pub struct AccessChainBreak {
    pub seq: u64,
    pub reason: String,
}

/// Check a run of the access-log chain that starts right after `(prev_seq, prev_hash)`.
/// Returns the last (seq, hash) so a caller can check the chain page by page.
pub fn verify_access_chain(
    prev_seq: u64,
    prev_hash: [u8; 32],
    records: &[ChainedAccess],
) -> Result<(u64, [u8; 32]), AccessChainBreak> {
    let (mut seq, mut prev) = (prev_seq, prev_hash);
    for r in records {
        let expected = seq + 1;
        if r.seq != expected {
            return Err(AccessChainBreak {
                seq: expected,
                reason: format!("record {expected} is missing (found {} next)", r.seq),
            });
        }
        if r.prev_hash != prev {
            return Err(AccessChainBreak {
                seq: r.seq,
                reason: "it does not follow the previous record (a record was removed or replaced)"
                    .into(),
            });
        }
        if access_hash(&prev, r.seq, &r.record) != r.hash {
            return Err(AccessChainBreak {
                seq: r.seq,
                reason: "its content does not match its hash (it was edited)".into(),
            });
        }
        seq = r.seq;
        prev = r.hash;
    }
    Ok((seq, prev))
}

/// Emergency access to a case the user's organisation is not related to: time-limited, with a
/// reason (sealed: it may name someone), reviewed by auditors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakGlassGrant {
    pub id: uuid::Uuid,
    pub user_id: UserId,
    pub org_id: OrgId,
    pub case_id: CaseId,
    /// The reason, sealed with `wrapped_key` (wrapped under the master key).
    pub wrapped_key: Vec<u8>,
    pub sealed_reason: Vec<u8>,
    pub granted_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A user's TOTP second factor. The secret is sealed with a per-user key wrapped under the
/// master key; `last_step` is the last time step accepted, so a code is good once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpRecord {
    pub user_id: UserId,
    pub wrapped_key: Vec<u8>,
    pub sealed_secret: Vec<u8>,
    /// Set when the user proved they hold the secret; until then the factor does not count.
    pub confirmed_at: Option<OffsetDateTime>,
    pub last_step: u64,
    pub created_at: OffsetDateTime,
}

/// Recent failed logins, counted per account and per address (both as keyed hashes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoginFailures {
    pub account: Vec<OffsetDateTime>,
    pub address: Vec<OffsetDateTime>,
}

/// What a security notice tells its user (ASVS 6.3.7, 6.3.5): Harbour sends no e-mail, so changes
/// to a user's authentication and failed attempts on their account are shown in the application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityNoticeKind {
    /// An administrator reset the user's second factor (they enrolled again afterwards).
    SecondFactorReset,
    /// The user's recovery codes were renewed (every earlier code stopped working).
    RecoveryCodesRenewed,
    /// `count` failed sign-in attempts (password or second factor) since the last sign-in.
    FailedSignIns,
    /// A security key was added to the account.
    SecurityKeyAdded,
    /// A security key was removed from the account.
    SecurityKeyRemoved,
}

impl SecurityNoticeKind {
    pub const ALL: [SecurityNoticeKind; 5] = [
        SecurityNoticeKind::SecondFactorReset,
        SecurityNoticeKind::RecoveryCodesRenewed,
        SecurityNoticeKind::FailedSignIns,
        SecurityNoticeKind::SecurityKeyAdded,
        SecurityNoticeKind::SecurityKeyRemoved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SecurityNoticeKind::SecondFactorReset => "second_factor_reset",
            SecurityNoticeKind::RecoveryCodesRenewed => "recovery_codes_renewed",
            SecurityNoticeKind::FailedSignIns => "failed_sign_ins",
            SecurityNoticeKind::SecurityKeyAdded => "security_key_added",
            SecurityNoticeKind::SecurityKeyRemoved => "security_key_removed",
        }
    }

    pub fn parse(s: &str) -> Option<SecurityNoticeKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One notice to a user about their own account. It holds nothing the user does not already
/// know: no address, no device, no other person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityNotice {
    pub id: uuid::Uuid,
    pub user_id: UserId,
    pub kind: SecurityNoticeKind,
    /// How many attempts, for [`SecurityNoticeKind::FailedSignIns`]; 1 otherwise.
    pub count: u32,
    pub at: OffsetDateTime,
    /// When the user said they had read it; until then it is shown after every sign-in.
    pub acknowledged_at: Option<OffsetDateTime>,
}

/// A WebAuthn credential (security key or passkey) registered by a user (migration 0017). The
/// public key is stored as the COSE bytes the authenticator sent; nothing here is secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityKey {
    pub id: uuid::Uuid,
    pub user_id: UserId,
    /// The authenticator's credential id, unique across all users.
    pub credential_id: Vec<u8>,
    pub public_key: Vec<u8>,
    /// The user's own name for the key ("blue key").
    pub name: String,
    /// The authenticator's signature counter at the last accepted use.
    pub sign_count: u32,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A WebAuthn challenge issued to one user for one ceremony (`registration` or
/// `authentication`), kept in the database so any app server can check the answer, and spent
/// at the first answer whatever it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebauthnChallenge {
    pub challenge: Vec<u8>,
    pub user_id: UserId,
    pub ceremony: String,
    pub expires_at: OffsetDateTime,
}
