//! The deployment master key, its key file, and key wrapping.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::aead::{self, KEY_LEN, NONCE_LEN, TAG_LEN};
use crate::{CryptoError, DataKey, IndexKey};

/// Version byte of a [`WrappedKey`] made by a PKCS#11 token (AES-256-GCM inside the token):
/// `0x02 || key id (8) || iv (12) || ciphertext (32) || tag (16)`.
pub const HSM_WRAPPED_VERSION: u8 = 2;

/// Exact length of a serialised token-made [`WrappedKey`].
pub const HSM_WRAPPED_LEN: usize = 1 + KEY_ID_LEN + 12 + KEY_LEN + TAG_LEN;

/// First line of every key file; the `v1` names this exact format.
pub const KEY_FILE_PREFIX: &str = "harbour-master-key-v1:";

/// HKDF info for [`FileKey::index_key`].
pub const INDEX_KEY_INFO: &str = "harbour blind index v1";

/// HKDF info callers should use with [`FileKey::derive`] for session and
/// API-token authentication keys.
pub const TOKEN_KEY_INFO: &str = "harbour token v1";

/// Version byte leading every [`WrappedKey`].
pub const WRAPPED_VERSION: u8 = 1;

/// Length of the raw master key id stored in a [`WrappedKey`].
pub const KEY_ID_LEN: usize = 8;

/// Exact length of a serialised [`WrappedKey`]:
/// version (1) + key id (8) + nonce (24) + wrapped key (32) + tag (16).
pub const WRAPPED_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN + KEY_LEN + TAG_LEN;

pub(crate) const WRAPPED_HEADER_LEN: usize = 1 + KEY_ID_LEN;

/// HKDF salt for keys used only inside this crate (the wrapping key).
/// [`FileKey::derive`] uses no salt, so its extract step yields a different
/// pseudorandom key: no `info` string a caller passes to `derive` can ever
/// reproduce the wrapping key.
const INTERNAL_SALT: &[u8] = b"harbour-crypto internal keys v1";
const WRAP_KEY_INFO: &[u8] = b"harbour key wrap v1";

/// Largest key file we are willing to read. A valid file is 87 bytes; the
/// slack tolerates a CRLF, the cap stops us reading an arbitrary file whole.
const MAX_KEY_FILE_LEN: usize = 128;

/// The deployment's master key: 32 random bytes that wrap every case's data
/// key and from which the blind-index and token keys are derived.
///
/// Its id is the first 8 bytes of SHA-256 of the key, in hex. The id is not
/// secret (a 256-bit random key cannot be recovered from its hash) and is
/// recorded in every [`WrappedKey`], so after a key rotation the store can
/// tell which wrapped keys still need [`rewrap`] and a wrong key is reported
/// as such rather than as corruption.
///
/// Key bytes live on the heap and are wiped on drop. `Debug` shows only the id.
/// Deliberately not `Clone`: share it with `Arc<FileKey>`.
#[derive(ZeroizeOnDrop)]
pub(crate) struct FileKey {
    key: Box<[u8; KEY_LEN]>,
    /// Derived once at construction so wrapping does not run HKDF each time.
    wrap_key: Box<[u8; KEY_LEN]>,
    id_bytes: [u8; KEY_ID_LEN],
    id: String,
}

impl FileKey {
    /// A fresh random master key from the OS CSPRNG.
    pub fn generate() -> FileKey {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, bytes.as_mut());
        FileKey::from_bytes(*bytes)
    }

    /// Build a master key from raw bytes. The by-value argument is wiped
    /// after copying (the caller should wipe its own copy too).
    pub fn from_bytes(mut bytes: [u8; KEY_LEN]) -> FileKey {
        let key = Box::new(bytes);
        bytes.zeroize();

        let digest = crate::sha256(key.as_ref());
        let mut id_bytes = [0u8; KEY_ID_LEN];
        id_bytes.copy_from_slice(&digest[..KEY_ID_LEN]);

        let mut wrap_key = Box::new([0u8; KEY_LEN]);
        hkdf_sha256(
            Some(INTERNAL_SALT),
            key.as_ref(),
            WRAP_KEY_INFO,
            &mut wrap_key,
        );

        FileKey {
            key,
            wrap_key,
            id_bytes,
            id: hex::encode(id_bytes),
        }
    }

    /// The key id: 16 lowercase hex characters (first 8 bytes of SHA-256 of
    /// the key). Safe to log.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn id_bytes(&self) -> &[u8; KEY_ID_LEN] {
        &self.id_bytes
    }

    /// Load a key file: exactly one line, `harbour-master-key-v1:` followed
    /// by 64 hex characters and a newline (a missing final newline or a CRLF
    /// is tolerated).
    ///
    /// On unix the file is refused if any group/other permission bit is set
    /// (`mode & 0o077 != 0`): a master key readable by other users is a key
    /// that may already be compromised, and the operator needs to know. The
    /// mode is checked on the opened file handle, not the path, so the file
    /// whose permissions were checked is the file that is read (no swapping
    /// the path in between).
    ///
    /// Errors never include key material.
    pub fn load(path: &Path) -> Result<FileKey, CryptoError> {
        let mut file = File::open(path).map_err(|e| CryptoError::io(path, e))?;
        let meta = file.metadata().map_err(|e| CryptoError::io(path, e))?;
        if !meta.is_file() {
            return Err(CryptoError::KeyFile(format!(
                "{} is not a regular file",
                path.display()
            )));
        }
        check_permissions(path, &meta)?;

        // Fixed-size buffer, wiped on drop: a growing Vec could leave copies
        // of the key in freed memory when it reallocates.
        let mut buf = Zeroizing::new([0u8; MAX_KEY_FILE_LEN + 1]);
        let mut len = 0;
        while len < buf.len() {
            match file.read(&mut buf[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CryptoError::io(path, e)),
            }
        }
        if len > MAX_KEY_FILE_LEN {
            return Err(CryptoError::KeyFile(format!(
                "{} is too large to be a Harbour master key file",
                path.display()
            )));
        }
        parse_key_file(&buf[..len], path)
    }

    /// Load the key file at `path`, or create it with a new random key if no
    /// file exists there. Returns the key and whether it was created.
    ///
    /// Creation uses `create_new` (O_EXCL), so an existing file, or even a
    /// dangling symlink, is never overwritten: losing the master key means
    /// losing every case, so an unreadable existing file is an error for the
    /// operator to resolve, never a reason to generate a replacement.
    ///
    /// If several processes start at once against a missing file, exactly
    /// one creates it and the rest load it. (On filesystems without hard
    /// links a loser may find the file mid-write; a file shorter than a
    /// complete key is therefore re-read for about a second before being
    /// reported as broken.)
    pub fn load_or_create(path: &Path) -> Result<(FileKey, bool), CryptoError> {
        let key = FileKey::generate();
        match create_key_file(path, &key) {
            Ok(()) => Ok((key, true)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                drop(key);
                Ok((load_settled(path)?, false))
            }
            Err(e) => Err(CryptoError::io(path, e)),
        }
    }

    /// Generate a new key and write it to `path`, which must not exist.
    ///
    /// The file is created with mode 0600 (on unix; set at creation, never
    /// chmod-ed later) and fsynced together with its directory before
    /// returning, so a key that has been handed out (and may have wrapped
    /// data keys) survives a crash. The complete file appears atomically
    /// (written to a temporary name beside it, then hard-linked), so no
    /// process ever reads a half-written key; a crash mid-way can at worst
    /// leave a `.<name>.tmp-<hex>` file (also 0600) to delete.
    pub fn write_new(path: &Path) -> Result<FileKey, CryptoError> {
        let key = FileKey::generate();
        create_key_file(path, &key).map_err(|e| CryptoError::io(path, e))?;
        Ok(key)
    }

    /// Wrap (encrypt) a data key under this master key for storage.
    ///
    /// `context` is authenticated, e.g. `b"case:<uuid>"`: the wrapped key
    /// only unwraps with the same context, so it cannot be copied onto
    /// another case to make that case's data decrypt under the wrong key (or
    /// to make one case's data readable via another's access rules).
    pub fn wrap(&self, key: &DataKey, context: &[u8]) -> WrappedKey {
        let mut out = Vec::with_capacity(WRAPPED_LEN);
        out.push(WRAPPED_VERSION);
        out.extend_from_slice(&self.id_bytes);
        let aad = wrap_aad(&out[..WRAPPED_HEADER_LEN], context);
        aead::seal_into(&self.wrap_key, key.bytes(), &aad, &mut out);
        WrappedKey(out)
    }

    /// Unwrap a data key wrapped by [`FileKey::wrap`] with the same
    /// `context`.
    ///
    /// Returns [`CryptoError::Unwrap`] if the wrapped key names another
    /// master key, the context differs, or any byte was modified. To tell an
    /// operator which, compare [`WrappedKey::master_key_id`] with
    /// [`FileKey::id`] first: a mismatch means the wrong (or an old) key
    /// file, which [`rewrap`] fixes when the old key is available.
    pub fn unwrap_key(&self, wrapped: &WrappedKey, context: &[u8]) -> Result<DataKey, CryptoError> {
        let bytes = &wrapped.0;
        if bytes[0] != WRAPPED_VERSION {
            return Err(CryptoError::Unwrap);
        }
        // Cheap early answer for the common operational mistake (wrong key
        // file). Not a security check: the id is also authenticated below.
        if bytes[1..WRAPPED_HEADER_LEN] != self.id_bytes {
            return Err(CryptoError::Unwrap);
        }
        let aad = wrap_aad(&bytes[..WRAPPED_HEADER_LEN], context);
        let plain = aead::open(&self.wrap_key, &bytes[WRAPPED_HEADER_LEN..], &aad)
            .map_err(|_| CryptoError::Unwrap)?;
        let mut plain = Zeroizing::new(plain);
        DataKey::from_slice_wiping(plain.as_mut_slice())
    }

    /// The key for blind indexes: HKDF-SHA256 of the master key with info
    /// [`INDEX_KEY_INFO`] (`"harbour blind index v1"`).
    pub fn index_key(&self) -> IndexKey {
        IndexKey::from_derived(self.derive(INDEX_KEY_INFO))
    }

    /// Derive an independent 32-byte key for some other purpose (e.g.
    /// [`TOKEN_KEY_INFO`] for session/token MACs): HKDF-SHA256, no salt,
    /// master key as input keying material, `info` as given. Distinct `info`
    /// strings give independent keys; the same `info` always gives the same
    /// key for this master key. The caller should wipe the result when done.
    pub fn derive(&self, info: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        hkdf_sha256(None, self.key.as_ref(), info.as_bytes(), &mut out);
        out
    }
}

impl std::fmt::Debug for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileKey")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// A data key wrapped under a master key, as stored in the database:
/// `version (1) || master key id (8, raw) || nonce (24) || ciphertext+tag (48)`,
/// [`WRAPPED_LEN`] (81) bytes for a key file's wrapping, or version 2 ([`HSM_WRAPPED_LEN`],
/// 69 bytes) for a PKCS#11 token's. The key id sits at bytes 1..9 in both, so the store can
/// find what a rotation still has to rewrap without knowing which kind made it.
///
/// Not secret by itself, so it may be logged or compared freely.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WrappedKey(pub(crate) Vec<u8>);

impl WrappedKey {
    /// Parse stored bytes, checking length and version (not authenticity:
    /// that happens in [`FileKey::unwrap_key`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<WrappedKey, CryptoError> {
        let expected = match bytes.first() {
            Some(&WRAPPED_VERSION) => WRAPPED_LEN,
            Some(&HSM_WRAPPED_VERSION) => HSM_WRAPPED_LEN,
            Some(_) => return Err(CryptoError::Malformed("unknown wrapped key version")),
            None => return Err(CryptoError::Malformed("wrapped key has wrong length")),
        };
        if bytes.len() != expected {
            return Err(CryptoError::Malformed("wrapped key has wrong length"));
        }
        Ok(WrappedKey(bytes.to_vec()))
    }

    /// The bytes to store.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.clone()
    }

    /// Borrow the bytes to store.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Id of the master key that wrapped this key, in the same hex form as
    /// [`FileKey::id`], so `wrapped.master_key_id() == key.id()` tells
    /// whether a rewrap is due.
    pub fn master_key_id(&self) -> String {
        hex::encode(&self.0[1..WRAPPED_HEADER_LEN])
    }
}

impl std::fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrappedKey")
            .field("version", &self.0[0])
            .field("master_key_id", &self.master_key_id())
            .finish_non_exhaustive()
    }
}

/// Load a key file that another process may have just created: while the
/// file is shorter than a complete key it may still be mid-write, so wait
/// and retry a few times. Any other failure is reported at once.
fn load_settled(path: &Path) -> Result<FileKey, CryptoError> {
    const ATTEMPTS: u32 = 20;
    const PAUSE: std::time::Duration = std::time::Duration::from_millis(50);
    let complete_len = (KEY_FILE_PREFIX.len() + 2 * KEY_LEN) as u64;
    let mut attempt = 1;
    loop {
        match FileKey::load(path) {
            Err(CryptoError::KeyFile(msg)) if attempt < ATTEMPTS => {
                let still_writing = std::fs::metadata(path)
                    .map(|m| m.len() < complete_len)
                    .unwrap_or(false);
                if !still_writing {
                    return Err(CryptoError::KeyFile(msg));
                }
                attempt += 1;
                std::thread::sleep(PAUSE);
            }
            other => return other,
        }
    }
}

/// AEAD associated data for wrapping: the fixed-length header (version and
/// master key id), then the caller's context. Authenticating the header
/// means the recorded key id cannot be edited to mislead rotation tooling.
pub(crate) fn wrap_aad(header: &[u8], context: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + context.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(context);
    aad
}

fn hkdf_sha256(salt: Option<&[u8]>, ikm: &[u8], info: &[u8], out: &mut [u8; 32]) {
    let hk = Hkdf::<Sha256>::new(salt, ikm);
    if hk.expand(info, out).is_err() {
        // HKDF-SHA256 can expand up to 8160 bytes; 32 always succeeds.
        unreachable!("HKDF-SHA256 refused to expand 32 bytes");
    }
}

#[cfg(unix)]
fn check_permissions(path: &Path, meta: &std::fs::Metadata) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(CryptoError::KeyFile(format!(
            "{} has mode {:04o}, which lets group or other users access the master key; \
             treat the key as possibly exposed, and restrict it with `chmod 600 {}`",
            path.display(),
            mode,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), CryptoError> {
    // No portable mode bits; rely on the directory's ACLs.
    Ok(())
}

fn parse_key_file(contents: &[u8], path: &Path) -> Result<FileKey, CryptoError> {
    let bad = |what: String| CryptoError::KeyFile(format!("{}: {}", path.display(), what));
    if contents.is_empty() {
        return Err(bad(
            "file is empty (was key creation interrupted?); restore the key from backup".into(),
        ));
    }
    let line = contents.strip_suffix(b"\n").unwrap_or(contents);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let hex_part = line.strip_prefix(KEY_FILE_PREFIX.as_bytes()).ok_or_else(|| {
        bad(format!(
            "not a Harbour master key file (expected a single line starting with \"{KEY_FILE_PREFIX}\")"
        ))
    })?;
    if hex_part.len() != 2 * KEY_LEN {
        return Err(bad(format!(
            "expected {} hex characters after \"{KEY_FILE_PREFIX}\", found {}",
            2 * KEY_LEN,
            hex_part.len()
        )));
    }
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    hex::decode_to_slice(hex_part, bytes.as_mut())
        .map_err(|_| bad("key contains characters that are not hexadecimal".into()))?;
    Ok(FileKey::from_bytes(*bytes))
}

/// Create `path` exclusively (mode 0600 on unix) holding `key`, durably.
/// Returns the raw I/O error so callers can tell `AlreadyExists`.
///
/// The key is first written and fsynced to a private temporary file in the
/// same directory, then hard-linked to `path`. `link` fails if `path`
/// exists, and makes the complete file appear in one step, so another
/// process never reads a half-written key. Where the filesystem has no hard
/// links, fall back to writing `path` directly with `create_new`.
fn create_key_file(path: &Path, key: &FileKey) -> io::Result<()> {
    let mut contents = Zeroizing::new(String::with_capacity(
        KEY_FILE_PREFIX.len() + 2 * KEY_LEN + 1,
    ));
    contents.push_str(KEY_FILE_PREFIX);
    contents.push_str(&Zeroizing::new(hex::encode(key.key.as_ref())));
    contents.push('\n');

    // Refuse early, before leaving any temporary file behind. This is only a
    // shortcut: the link below is what actually guarantees no overwrite.
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "key file already exists",
        ));
    }

    let tmp = temp_path_beside(path)?;
    write_new_file(&tmp, contents.as_bytes())?;
    let linked = std::fs::hard_link(&tmp, path);
    // The temporary name is ours (created with create_new); whether or not
    // the link worked it must go, leaving `path` as the only copy.
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => sync_parent_dir(path),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        // No hard links here (some network or FAT filesystems): write in
        // place. Still create_new, so still never overwrites.
        Err(_) => write_new_file(path, contents.as_bytes()),
    }
}

/// `<dir>/.<name>.tmp-<random>`: same directory, so `hard_link` stays on
/// one filesystem.
fn temp_path_beside(path: &Path) -> io::Result<std::path::PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "key file path has no file name",
        )
    })?;
    let suffix: [u8; 8] = crate::util::random_array();
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp-{}", hex::encode(suffix)));
    Ok(path.with_file_name(tmp_name))
}

/// Create `path` with `create_new` (mode 0600 on unix), write `contents`,
/// fsync file and directory. On failure the partial file is removed.
fn write_new_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Set at creation, not chmod-ed afterwards, so the key is never
        // readable by others even for an instant.
        opts.mode(0o600);
    }
    let mut file = opts.open(path)?;
    let written = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .and_then(|()| sync_parent_dir(path));
    if let Err(e) = written {
        drop(file);
        // We created this file a moment ago (create_new), so removing it
        // cannot destroy anyone else's key. Best effort: the write error is
        // the one worth reporting.
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(())
}

/// Fsync the directory holding `path` so the new directory entry, not just
/// the file's data, survives a crash.
#[cfg(unix)]
fn sync_parent_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_parent_dir(_path: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
pub(crate) fn test_wrap_key(key: &FileKey) -> &[u8; KEY_LEN] {
    &key.wrap_key
}

#[cfg(test)]
pub(crate) fn test_raw_key(key: &FileKey) -> &[u8; KEY_LEN] {
    &key.key
}
