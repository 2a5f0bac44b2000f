//! The one error type of this crate.
//!
//! Messages are written for an operator reading a log: they name the file and
//! what to do about it, but never include key material, plaintext, or *why*
//! authentication failed (an attacker probing ciphertexts must learn nothing
//! beyond "no").

/// Everything that can go wrong when loading keys, unwrapping or opening.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// Reading or writing a key file failed. The wrapped error's message
    /// starts with the path, and its [`std::io::ErrorKind`] is preserved.
    #[error("key file I/O error: {0}")]
    Io(std::io::Error),

    /// A key file exists but is unusable: wrong format, wrong length, or
    /// permissions that expose it to other users.
    #[error("key file error: {0}")]
    KeyFile(String),

    /// Authenticated decryption failed: wrong key, wrong associated data,
    /// or the blob was modified. Deliberately carries no detail.
    #[error("decryption failed: wrong key, wrong context, or tampered data")]
    Decrypt,

    /// A wrapped data key could not be unwrapped: it was wrapped by a
    /// different master key, for a different context, or was modified.
    #[error("cannot unwrap data key: wrong master key, wrong context, or tampered wrapped key")]
    Unwrap,

    /// Input is structurally invalid (too short, unknown version, ...).
    /// Checked before any cryptography, so it reveals nothing secret.
    #[error("malformed input: {0}")]
    Malformed(&'static str),
}

impl CryptoError {
    /// Wrap an I/O error so its message names the file, keeping the kind so
    /// callers can still match on e.g. `NotFound`.
    pub(crate) fn io(path: &std::path::Path, err: std::io::Error) -> CryptoError {
        CryptoError::Io(std::io::Error::new(
            err.kind(),
            format!("{}: {}", path.display(), err),
        ))
    }
}
