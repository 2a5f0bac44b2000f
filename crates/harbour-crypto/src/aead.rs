//! Thin private layer over XChaCha20-Poly1305 shared by sealing and wrapping.
//!
//! Both callers lay out their output as `header || nonce || ciphertext || tag`
//! and authenticate the header as part of the associated data, so a version
//! byte or key id cannot be swapped without the tag failing.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};

use crate::CryptoError;

pub(crate) const KEY_LEN: usize = 32;
pub(crate) const NONCE_LEN: usize = 24;
pub(crate) const TAG_LEN: usize = 16;

/// Encrypt `plaintext` under `key`, appending `nonce || ciphertext || tag` to
/// `out` (which already holds the caller's header). A fresh random nonce is
/// drawn for every call: with 192-bit nonces random collisions are negligible
/// even after billions of messages under one key, so no counter state is
/// needed.
///
/// # Panics
/// Only if `plaintext` exceeds XChaCha20-Poly1305's limit of 256 GiB per
/// message. Nothing in Harbour comes close; failing loudly is preferable to
/// silently storing something that is not the sealed data.
pub(crate) fn seal_into(key: &[u8; KEY_LEN], plaintext: &[u8], aad: &[u8], out: &mut Vec<u8>) {
    let nonce: [u8; NONCE_LEN] = crate::util::random_array();
    out.reserve(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    let body_start = out.len();
    out.extend_from_slice(plaintext);

    let cipher = XChaCha20Poly1305::new(key.into());
    match cipher.encrypt_in_place_detached(XNonce::from_slice(&nonce), aad, &mut out[body_start..])
    {
        Ok(tag) => out.extend_from_slice(&tag),
        Err(_) => {
            // The buffer now holds a partial keystream XOR of the plaintext;
            // wipe it before unwinding rather than leave it in memory.
            zeroize::Zeroize::zeroize(&mut out[body_start..]);
            // Unreachable for any real input: the only failure is a message
            // longer than 2^38 bytes (see # Panics above).
            panic!("XChaCha20-Poly1305 refused to seal: message exceeds 256 GiB");
        }
    }
}

/// Inverse of [`seal_into`]: `body` is `nonce || ciphertext || tag`.
/// Returns the plaintext, or [`CryptoError::Decrypt`] with no detail on any
/// authentication failure.
pub(crate) fn open(key: &[u8; KEY_LEN], body: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if body.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Malformed("sealed data too short"));
    }
    let (nonce, rest) = body.split_at(NONCE_LEN);
    let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);

    let mut buf = ciphertext.to_vec();
    let cipher = XChaCha20Poly1305::new(key.into());
    // The tag is verified (in constant time) before any decryption happens,
    // so on failure `buf` still holds only ciphertext.
    cipher
        .decrypt_in_place_detached(
            XNonce::from_slice(nonce),
            aad,
            &mut buf,
            Tag::from_slice(tag),
        )
        .map_err(|_| CryptoError::Decrypt)?;
    Ok(buf)
}
