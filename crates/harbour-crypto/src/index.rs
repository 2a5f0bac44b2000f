//! Blind indexes: keyed hashes that let the database find records by an
//! exact (normalised) value without storing the value.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Key for blind indexes, derived from the master key
/// ([`crate::MasterKey::index_key`]).
///
/// A keyed HMAC rather than a plain hash matters here: names, dates of birth
/// and phone numbers have so little entropy that an unkeyed hash could be
/// reversed by enumerating candidates. Without the key, a stolen database
/// dump gives an attacker nothing to enumerate against.
#[derive(Clone, ZeroizeOnDrop)]
pub struct IndexKey {
    bytes: Box<[u8; 32]>,
}

impl IndexKey {
    pub(crate) fn from_derived(mut bytes: [u8; 32]) -> IndexKey {
        let key = IndexKey {
            bytes: Box::new(bytes),
        };
        bytes.zeroize();
        key
    }

    /// The same 32 bytes as a data key, only to wrap them under the master key.
    pub(crate) fn as_data_key(&self) -> crate::DataKey {
        let mut copy = *self.bytes;
        crate::DataKey::from_slice_wiping(&mut copy).unwrap_or_else(|_| crate::DataKey::generate())
    }

    pub(crate) fn from_data_key(key: &crate::DataKey) -> IndexKey {
        IndexKey::from_derived(*key.bytes())
    }

    /// HMAC-SHA256 over `domain || 0x00 || normalise_index_value(value)`.
    ///
    /// `domain` names the field (e.g. `"person.name"`, `"person.phone"`) so
    /// equal values in different fields do not produce linkable hashes. It is
    /// a programmer-chosen constant and must not contain a NUL byte (the NUL
    /// is the separator that keeps domain and value unambiguous).
    ///
    /// Values are normalised first (see [`normalise_index_value`]) so that
    /// `" Jane  DOE "` and `"jane doe"` find each other.
    pub fn hash(&self, domain: &str, value: &str) -> [u8; 32] {
        debug_assert!(
            !domain.contains('\0'),
            "blind index domain must not contain NUL"
        );
        let normalised = zeroize::Zeroizing::new(normalise_index_value(value));
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(self.bytes.as_ref()) {
            Ok(mac) => mac,
            // HMAC accepts keys of any length; this arm cannot be taken.
            Err(_) => unreachable!("HMAC-SHA256 rejected a 32-byte key"),
        };
        mac.update(domain.as_bytes());
        mac.update(&[0u8]);
        mac.update(normalised.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// The normalisation applied by [`IndexKey::hash`], exposed so callers can
/// show or test exactly what is being matched.
///
/// Trims, collapses every run of Unicode whitespace to a single ASCII space,
/// and lowercases (Unicode-aware, locale-independent). It does not strip
/// accents or apply Unicode NFKC: that needs tables this crate does not carry,
/// so callers wanting accent-insensitive search must fold before calling.
pub fn normalise_index_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for word in value.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push(c);
        }
    }
    out
}

impl std::fmt::Debug for IndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexKey(<redacted>)")
    }
}
