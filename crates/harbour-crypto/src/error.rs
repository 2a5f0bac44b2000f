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

    /// The PKCS#11 module (the HSM's library) could not be loaded or initialised.
    #[error("cannot load the PKCS#11 module {module}: {reason}")]
    HsmModule {
        /// Path of the module as configured.
        module: String,
        /// What the loader or the module said.
        reason: String,
    },

    /// No token with the configured label is present in the module's slots.
    #[error("no PKCS#11 token labelled \"{token}\" (tokens present: {present}); check the token label and that the HSM is connected")]
    TokenMissing {
        /// The label that was asked for.
        token: String,
        /// Labels of the tokens that are present, comma-separated.
        present: String,
    },

    /// The token refused the user PIN (the PIN itself is never in the message).
    #[error("the PKCS#11 token \"{token}\" refused the PIN (wrong PIN, or the PIN is locked); check the PIN file")]
    WrongPin {
        /// The token's label.
        token: String,
    },

    /// The token has no Harbour master key under the configured label.
    #[error("the PKCS#11 token \"{token}\" holds no Harbour master key labelled \"{key}\"; create it with `harbour keys init-hsm`")]
    HsmKeyMissing {
        /// The token's label.
        token: String,
        /// The key label that was asked for.
        key: String,
    },

    /// Any other failure reported by the token or module (its PKCS#11 return code).
    #[error("PKCS#11 token error: {0}")]
    Hsm(String),

    /// A `--master-key` value that is neither a key file path nor a valid `pkcs11:` URI.
    #[error("master key setting: {0}")]
    KeySpec(String),

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
