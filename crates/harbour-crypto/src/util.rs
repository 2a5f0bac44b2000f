//! Small primitives shared by the rest of the crate and by other crates.

use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// SHA-256 of `data`. Used for tamper-evident hash chains and for storing
/// tokens (store the hash, never the token itself).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A fresh random token for sessions and API tokens: 32 bytes from the OS
/// CSPRNG, encoded as 64 lowercase hex characters (URL-safe as is).
pub fn random_token() -> String {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(bytes.as_mut());
    hex::encode(bytes.as_ref())
}

/// Constant-time equality of two byte slices.
///
/// The running time depends only on the lengths, never on where the first
/// difference is, so comparing a presented token or MAC against a stored one
/// does not leak how many leading bytes were right. Slices of different
/// lengths compare unequal (lengths are not treated as secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    // black_box stops the optimiser from turning the fold into an early-exit
    // comparison, which would reintroduce the timing leak.
    std::hint::black_box(diff) == 0
}

/// Fill an array from the OS CSPRNG (used for keys and nonces).
pub(crate) fn random_array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    OsRng.fill_bytes(&mut out);
    out
}
