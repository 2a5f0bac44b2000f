//! The deployment master key as callers see it: the current key (a key file or a PKCS#11
//! token), plus any retired keys still accepted for unwrapping while a rolling rotation runs.

use std::path::Path;

use crate::hsm::{HsmKey, HsmSpec};
use crate::master_key::FileKey;
use crate::{CryptoError, DataKey, IndexKey, WrappedKey, KEY_ID_LEN};

enum Backend {
    File(FileKey),
    Token(HsmKey),
}

impl Backend {
    fn id(&self) -> &str {
        match self {
            Backend::File(k) => k.id(),
            Backend::Token(k) => k.id(),
        }
    }

    fn owns(&self, wrapped: &WrappedKey) -> bool {
        wrapped.0[1..1 + KEY_ID_LEN] == *self.id_bytes()
    }

    fn id_bytes(&self) -> &[u8; KEY_ID_LEN] {
        match self {
            Backend::File(k) => k.id_bytes(),
            Backend::Token(k) => k.id_bytes(),
        }
    }

    fn unwrap_key(&self, wrapped: &WrappedKey, context: &[u8]) -> Result<DataKey, CryptoError> {
        match self {
            Backend::File(k) => k.unwrap_key(wrapped, context),
            Backend::Token(k) => k.unwrap_key(wrapped, context),
        }
    }

    fn derive(&self, info: &str) -> Result<[u8; 32], CryptoError> {
        match self {
            Backend::File(k) => Ok(k.derive(info)),
            Backend::Token(k) => Ok(*k.hmac(info.as_bytes())?),
        }
    }
}

/// The deployment's master key: it wraps every case's data key, and the blind-index and
/// token keys are derived from it.
///
/// Either 32 random bytes from a key file ([`MasterKey::load`]), or a pair of non-extractable
/// keys inside a PKCS#11 token ([`MasterKey::open`] with a `pkcs11:` setting), in which case
/// the token does every wrap and unwrap and the secret never enters this process.
///
/// During a rolling rotation it also carries retired keys ([`MasterKey::with_retired`]):
/// [`MasterKey::unwrap_key`] picks the key named by the wrapped key's id, while
/// [`MasterKey::wrap`] always uses the current one.
///
/// Its id is 16 hex characters: for a key file the first 8 bytes of SHA-256 of the key, for a
/// token the first 8 bytes of an HMAC the token computes over a fixed label. Safe to log.
/// Deliberately not `Clone`: share it with `Arc<MasterKey>`. `Debug` shows only ids.
pub struct MasterKey {
    current: Backend,
    retired: Vec<Backend>,
}

impl MasterKey {
    fn file(key: FileKey) -> MasterKey {
        MasterKey {
            current: Backend::File(key),
            retired: Vec::new(),
        }
    }

    /// A fresh random (file-kind) master key from the OS CSPRNG.
    pub fn generate() -> MasterKey {
        MasterKey::file(FileKey::generate())
    }

    /// Build a file-kind master key from raw bytes. The by-value argument is wiped after
    /// copying (the caller should wipe its own copy too).
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        MasterKey::file(FileKey::from_bytes(bytes))
    }

    /// Load a key file: exactly one line, `harbour-master-key-v1:` followed by 64 hex
    /// characters and a newline (a missing final newline or a CRLF is tolerated).
    ///
    /// On unix the file is refused if any group/other permission bit is set: a master key
    /// readable by other users may already be compromised, and the operator needs to know.
    /// Errors never include key material.
    pub fn load(path: &Path) -> Result<MasterKey, CryptoError> {
        FileKey::load(path).map(MasterKey::file)
    }

    /// Load the key file at `path`, or create it with a new random key if no file exists
    /// there (never overwriting anything). Returns the key and whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(MasterKey, bool), CryptoError> {
        FileKey::load_or_create(path).map(|(k, created)| (MasterKey::file(k), created))
    }

    /// Generate a new key and write it to `path`, which must not exist (mode 0600, fsynced,
    /// appearing atomically).
    pub fn write_new(path: &Path) -> Result<MasterKey, CryptoError> {
        FileKey::write_new(path).map(MasterKey::file)
    }

    /// Open a master key from a setting: `pkcs11:module=...;token=...;key=...;pin-file=...`
    /// for a token-held key, anything else is a key file path (which must exist).
    pub fn open(spec: &str) -> Result<MasterKey, CryptoError> {
        if spec.starts_with("pkcs11:") {
            Ok(MasterKey::from_token(HsmKey::open(&HsmSpec::parse(spec)?)?))
        } else {
            MasterKey::load(Path::new(spec))
        }
    }

    /// Generate a master key inside the token named by a `pkcs11:` setting (refusing if the
    /// key label is taken) and open it.
    pub fn init_token(spec: &str) -> Result<MasterKey, CryptoError> {
        Ok(MasterKey::from_token(HsmKey::init(&HsmSpec::parse(spec)?)?))
    }

    fn from_token(key: HsmKey) -> MasterKey {
        MasterKey {
            current: Backend::Token(key),
            retired: Vec::new(),
        }
    }

    /// Also accept `retired` keys for unwrapping (a rolling rotation: servers run with the new
    /// key as current and the old one retired until `harbour keys rotate` has rewrapped
    /// everything). Their own retired keys come along; wrapping still uses only `self`'s key.
    pub fn with_retired(mut self, retired: Vec<MasterKey>) -> MasterKey {
        for r in retired {
            let MasterKey {
                current,
                retired: mut more,
            } = r;
            self.retired.push(current);
            self.retired.append(&mut more);
        }
        let id = self.current.id().to_owned();
        self.retired.retain(|r| r.id() != id);
        self
    }

    /// The current key's id: 16 lowercase hex characters. Safe to log.
    pub fn id(&self) -> &str {
        self.current.id()
    }

    /// Whether the current key lives in a PKCS#11 token.
    pub fn is_token(&self) -> bool {
        matches!(self.current, Backend::Token(_))
    }

    /// Ids of the retired keys this key still unwraps with.
    pub fn retired_ids(&self) -> Vec<String> {
        self.retired.iter().map(|r| r.id().to_owned()).collect()
    }

    /// Whether a key wrapped under master key `id` can be unwrapped here (current or retired).
    pub fn knows(&self, id: &str) -> bool {
        self.current.id() == id || self.retired.iter().any(|r| r.id() == id)
    }

    /// Wrap (encrypt) a data key under the current master key for storage.
    ///
    /// `context` is authenticated, e.g. `b"case:<uuid>"`: the wrapped key only unwraps with the
    /// same context, so it cannot be copied onto another case. Fails only for a token-held key
    /// the token cannot serve (removed, logged out).
    pub fn wrap(&self, key: &DataKey, context: &[u8]) -> Result<WrappedKey, CryptoError> {
        match &self.current {
            Backend::File(k) => Ok(k.wrap(key, context)),
            Backend::Token(k) => k.wrap(key, context),
        }
    }

    /// Unwrap a data key wrapped by [`MasterKey::wrap`] with the same `context`, under the
    /// current key or a retired one (chosen by the id recorded in `wrapped`).
    ///
    /// Returns [`CryptoError::Unwrap`] if no key here has that id, the context differs, or any
    /// byte was modified. To tell an operator which, compare [`WrappedKey::master_key_id`]
    /// with [`MasterKey::knows`] first.
    pub fn unwrap_key(&self, wrapped: &WrappedKey, context: &[u8]) -> Result<DataKey, CryptoError> {
        std::iter::once(&self.current)
            .chain(&self.retired)
            .find(|k| k.owns(wrapped))
            .ok_or(CryptoError::Unwrap)?
            .unwrap_key(wrapped, context)
    }

    /// Wrap a blind-index key for storage, like a data key. The index key must outlive master
    /// key rotation (every stored keyed hash was made with it), so after the first start it is
    /// kept wrapped in the database rather than re-derived from whichever master key is current.
    pub fn wrap_index_key(
        &self,
        key: &IndexKey,
        context: &[u8],
    ) -> Result<WrappedKey, CryptoError> {
        self.wrap(&key.as_data_key(), context)
    }

    /// Unwrap an index key wrapped by [`MasterKey::wrap_index_key`] (same errors as
    /// [`MasterKey::unwrap_key`]).
    pub fn unwrap_index_key(
        &self,
        wrapped: &WrappedKey,
        context: &[u8],
    ) -> Result<IndexKey, CryptoError> {
        Ok(IndexKey::from_data_key(&self.unwrap_key(wrapped, context)?))
    }

    /// The key for blind indexes derived from the current master key: HKDF-SHA256 with info
    /// [`INDEX_KEY_INFO`] for a key file, HMAC-SHA256 in the token over the same label for a
    /// token-held key. Only used on a deployment's first start: after that the index key is
    /// the one kept wrapped in the database.
    pub fn index_key(&self) -> IndexKey {
        match &self.current {
            Backend::File(k) => k.index_key(),
            Backend::Token(k) => k.index_key().clone(),
        }
    }

    /// Derive an independent 32-byte key for some other purpose (e.g. [`crate::TOKEN_KEY_INFO`]
    /// for session/token MACs): HKDF-SHA256 (no salt, `info` as given) of a key file, or
    /// HMAC-SHA256 over `info` inside the token. The same `info` always gives the same key for
    /// this master key. The caller should wipe the result when done.
    pub fn derive(&self, info: &str) -> Result<[u8; 32], CryptoError> {
        self.current.derive(info)
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.current.id())
            .field("kind", &if self.is_token() { "pkcs11" } else { "file" })
            .field("retired", &self.retired_ids())
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Unwrap `wrapped` with `old` (its current or a retired key) and wrap it again under `new`
/// (same context), for master key rotation. The data key itself, and so all sealed data, is
/// unchanged. The result records `new`'s id.
pub fn rewrap(
    old: &MasterKey,
    new: &MasterKey,
    wrapped: &WrappedKey,
    context: &[u8],
) -> Result<WrappedKey, CryptoError> {
    let data_key = old.unwrap_key(wrapped, context)?;
    new.wrap(&data_key, context)
}

#[cfg(test)]
pub(crate) fn test_file_key(key: &MasterKey) -> &FileKey {
    match &key.current {
        Backend::File(k) => k,
        Backend::Token(_) => panic!("not a file key"),
    }
}
