//! # harbour-crypto
//!
//! Sealing of Harbour's case data: the names, addresses, accounts and
//! testimonies of people who have been trafficked. A leak can put someone's
//! life at risk, so this crate is small, uses only well-reviewed primitives
//! (RustCrypto's XChaCha20-Poly1305, HKDF, HMAC, SHA-256), and makes the
//! safe use the easy one.
//!
//! ## Key hierarchy
//!
//! ```text
//! MasterKey (one per deployment: a 0600 key file, or non-extractable keys in a PKCS#11 token)
//!  ├─ wraps ──────────► DataKey (one per case, stored only as a WrappedKey)
//!  │                        └─ seals ──► case fields, documents, events
//!  ├─ HKDF "harbour blind index v1" ──► IndexKey (searchable keyed hashes)
//!  └─ HKDF "harbour token v1" ────────► session / API token MAC key
//! ```
//!
//! Each case has its own data key, so a case's data can be crypto-shredded
//! by deleting one wrapped key, and rotating the master key means rewrapping
//! one small blob per case ([`rewrap`]) rather than re-encrypting all data.
//!
//! ## Why XChaCha20-Poly1305
//!
//! Every seal draws a fresh random 24-byte nonce. With AES-GCM's 12-byte
//! nonces, random nonces become unsafe after around 2^32 messages per key,
//! and a single repeated nonce reveals the XOR of two plaintexts and lets an
//! attacker forge messages. XChaCha's 192-bit nonces make random collisions
//! negligible at any realistic scale, so there is no nonce counter to
//! persist, synchronise across processes, or get wrong after a restore from
//! backup. It is also constant-time in software, with no dependence on
//! AES hardware.
//!
//! ## Why associated data (AAD)
//!
//! Encryption alone stops reading; it does not stop *moving*. Someone with
//! database write access could copy a sealed testimony from one case into
//! another, or a wrapped key onto another case. Every seal and wrap
//! therefore authenticates a caller-supplied context naming where the blob
//! belongs (`b"case:<uuid>"`, `b"person.name:<uuid>"`, ...). Opening with
//! any other context fails with the same opaque error as tampering.
//! The format's version byte (and, for wrapped keys, the master key id) are
//! authenticated too, so headers cannot be edited either.
//!
//! ## Why a key id
//!
//! Each [`WrappedKey`] records the first 8 bytes of SHA-256 of the master
//! key that wrapped it. After rotation, the store can find which wrapped keys
//! still need rewrapping, and starting the service with the wrong key file is
//! reported as "wrong master key" instead of looking like mass corruption.
//! The id reveals nothing useful about a 256-bit random key.
//!
//! ## Formats
//!
//! * Sealed blob: `0x01 || nonce (24) || ciphertext || tag (16)`;
//!   AEAD AAD = `0x01 || aad`.
//! * Wrapped key: `0x01 || master key id (8) || nonce (24) || ciphertext (32) || tag (16)`,
//!   81 bytes; AAD = `0x01 || key id || context`. The wrapping key is derived
//!   from the master key with HKDF under a salt [`MasterKey::derive`] never
//!   uses, so the two derivation families cannot collide.
//! * Wrapped key made by a PKCS#11 token (version 2): `0x02 || key id (8) || iv (12) ||
//!   ciphertext (32) || tag (16)`, 69 bytes, AES-256-GCM computed inside the token, same AAD.
//!   The token's key id is the first 8 bytes of an HMAC it computes over a fixed label.
//! * Key file: `harbour-master-key-v1:<64 hex>\n`, mode 0600.
//! * Blind index: `HMAC-SHA256(index key, domain || 0x00 || normalised value)`.
//!
//! ## Usage
//!
//! ```
//! use harbour_crypto::{DataKey, MasterKey, WrappedKey};
//!
//! # let dir = tempfile::tempdir()?;
//! # let key_path = dir.path().join("harbour.key");
//! let (master, _created) = MasterKey::load_or_create(&key_path)?;
//!
//! // New case: make a data key, store only its wrapping.
//! let case = b"case:0190b5e2-7c1a-7000-8000-000000000001";
//! let data_key = DataKey::generate();
//! let stored: Vec<u8> = master.wrap(&data_key, case)?.to_bytes();
//! let name = data_key.seal(b"Jane Doe", b"person.name:0190b5e2-7c1a-7000-8000-000000000001");
//!
//! // Later: unwrap and open, with the same contexts.
//! let data_key = master.unwrap_key(&WrappedKey::from_bytes(&stored)?, case)?;
//! let plain = data_key.open(&name, b"person.name:0190b5e2-7c1a-7000-8000-000000000001")?;
//! assert_eq!(plain, b"Jane Doe");
//!
//! // Search by name without storing it: a keyed, normalised hash.
//! let index = master.index_key();
//! assert_eq!(index.hash("person.name", "Jane Doe"), index.hash("person.name", " JANE  doe"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Errors
//!
//! Decryption and unwrapping failures are deliberately opaque
//! ([`CryptoError::Decrypt`], [`CryptoError::Unwrap`]). Secret material is
//! never in an error message or a `Debug` output.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aead;
mod data_key;
mod error;
mod hsm;
mod index;
mod keyring;
mod master_key;
mod util;

pub use data_key::{DataKey, SEALED_OVERHEAD, SEALED_VERSION};
pub use error::CryptoError;
pub use hsm::{HsmSpec, PinSource};
pub use index::{normalise_index_value, IndexKey};
pub use keyring::{rewrap, MasterKey};
pub use master_key::{
    WrappedKey, HSM_WRAPPED_LEN, HSM_WRAPPED_VERSION, INDEX_KEY_INFO, KEY_FILE_PREFIX, KEY_ID_LEN,
    TOKEN_KEY_INFO, WRAPPED_LEN, WRAPPED_VERSION,
};
pub use util::{ct_eq, random_token, sha256};

// The service shares keys across async tasks and threads; fail the build,
// not the service, if a field change ever breaks that.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    const fn assert_clone<T: Clone>() {}
    assert_send_sync::<MasterKey>();
    assert_send_sync::<DataKey>();
    assert_send_sync::<IndexKey>();
    assert_send_sync::<WrappedKey>();
    assert_clone::<DataKey>();
    assert_clone::<WrappedKey>();
};

#[cfg(test)]
mod internal_tests {
    use super::*;

    #[test]
    fn data_key_debug_does_not_show_bytes() {
        let key = DataKey::generate();
        let dbg = format!("{key:?} {key:#?}");
        assert_eq!(dbg, "DataKey(<redacted>) DataKey(<redacted>)");
        assert!(!dbg.contains(&hex::encode(key.bytes())[..8]));
    }

    #[test]
    fn wrap_key_is_separate_from_everything_callers_can_derive() {
        let master = MasterKey::generate();
        let file = keyring::test_file_key(&master);
        let wrap_key = *master_key::test_wrap_key(file);
        for info in ["harbour key wrap v1", "", INDEX_KEY_INFO, TOKEN_KEY_INFO] {
            assert_ne!(
                master.derive(info).unwrap(),
                wrap_key,
                "derive({info:?}) hit the wrap key"
            );
        }
        assert_ne!(*master_key::test_raw_key(file), wrap_key);
    }
}
