//! Per-case data keys and the sealed-blob format.

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::aead::{self, KEY_LEN, NONCE_LEN, TAG_LEN};
use crate::CryptoError;

/// Version byte leading every sealed blob. Bump it (and keep decoding the
/// old one) if the algorithm or layout ever changes.
pub const SEALED_VERSION: u8 = 1;

/// Bytes a sealed blob adds on top of the plaintext: version, nonce, tag.
pub const SEALED_OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;

/// A per-case data key: 32 random bytes for XChaCha20-Poly1305.
///
/// Stored behind a `Box` so that moving a `DataKey` around moves a pointer,
/// not the key, leaving fewer stray copies on the stack; the bytes are wiped
/// on drop. There is deliberately no way to read the raw key out: it leaves
/// this crate only wrapped under the master key ([`crate::MasterKey::wrap`]).
#[derive(Clone, ZeroizeOnDrop)]
pub struct DataKey {
    bytes: Box<[u8; KEY_LEN]>,
}

impl DataKey {
    /// A fresh random key from the OS CSPRNG.
    pub fn generate() -> DataKey {
        let mut key = DataKey {
            bytes: Box::new([0u8; KEY_LEN]),
        };
        // Fill in place so the key never exists outside the heap allocation.
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, key.bytes.as_mut());
        key
    }

    /// Build a key from raw bytes (used by unwrapping). Wipes the source.
    pub(crate) fn from_slice_wiping(src: &mut [u8]) -> Result<DataKey, CryptoError> {
        if src.len() != KEY_LEN {
            src.zeroize();
            return Err(CryptoError::Unwrap);
        }
        let mut key = DataKey {
            bytes: Box::new([0u8; KEY_LEN]),
        };
        key.bytes.copy_from_slice(src);
        src.zeroize();
        Ok(key)
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }

    /// Encrypt and authenticate `plaintext`.
    ///
    /// Output: `version (1) || nonce (24) || ciphertext || tag (16)`.
    ///
    /// `aad` is authenticated but not stored: it must name where the blob
    /// lives (table, column, case id, event id). Opening with any other `aad`
    /// fails, so a blob copied into another row or case is rejected instead
    /// of being shown as that record's data. The version byte is
    /// authenticated too.
    ///
    /// # Panics
    /// Only for a plaintext over 256 GiB (the algorithm's limit).
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(SEALED_OVERHEAD + plaintext.len());
        out.push(SEALED_VERSION);
        let full_aad = bind_version(SEALED_VERSION, aad);
        aead::seal_into(&self.bytes, plaintext, &full_aad, &mut out);
        out
    }

    /// Verify and decrypt a blob produced by [`DataKey::seal`] with the same
    /// `aad`.
    ///
    /// Errors: [`CryptoError::Malformed`] if the blob is too short or of an
    /// unknown version (checked before any cryptography);
    /// [`CryptoError::Decrypt`] if authentication fails for any reason.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let (&version, body) = sealed
            .split_first()
            .ok_or(CryptoError::Malformed("sealed data is empty"))?;
        if version != SEALED_VERSION {
            return Err(CryptoError::Malformed("unknown sealed data version"));
        }
        if body.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Malformed("sealed data too short"));
        }
        let full_aad = bind_version(version, aad);
        aead::open(&self.bytes, body, &full_aad)
    }
}

/// AEAD associated data for a sealed blob: the version byte followed by the
/// caller's context. The version is fixed-length, so the concatenation is
/// unambiguous.
fn bind_version(version: u8, aad: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(1 + aad.len());
    full.push(version);
    full.extend_from_slice(aad);
    full
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}
