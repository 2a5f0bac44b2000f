//! A master key kept inside a PKCS#11 token (an HSM; tested with SoftHSM2).
//!
//! The token holds two secret keys under one label, both generated inside it as sensitive and
//! non-extractable, so their bytes never enter this process:
//!
//! * `<label>`: AES-256, used only for CKM_AES_GCM encrypt/decrypt of case data keys
//!   (wrapping and unwrapping);
//! * `<label>.derive`: a 32-byte generic secret, used only for CKM_SHA256_HMAC over fixed
//!   labels, which gives the key id and the blind-index and token keys (those must be in
//!   memory anyway to hash every search).
//!
//! Wrapped keys made here are format version 2 ([`crate::HSM_WRAPPED_VERSION`]):
//! `0x02 || key id (8) || iv (12) || ciphertext (32) || tag (16)`, AAD = header || context,
//! as for key files. A random 96-bit IV is safe for far more wraps than a deployment makes
//! (one per case, per second factor, per rotation).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as P11Error, RvError};
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use crate::aead::{KEY_LEN, TAG_LEN};
use crate::master_key::{wrap_aad, HSM_WRAPPED_LEN, HSM_WRAPPED_VERSION, WRAPPED_HEADER_LEN};
use crate::{CryptoError, DataKey, IndexKey, WrappedKey, KEY_ID_LEN};

const IV_LEN: usize = 12;
/// Label the key id is computed over (HMAC in the token): stable for the key, not secret.
const KEY_ID_LABEL: &[u8] = b"harbour key id v1";
/// Suffix of the HMAC key's label.
const DERIVE_SUFFIX: &str = ".derive";

/// Where a token-held master key is: parsed from
/// `pkcs11:module=PATH;token=LABEL;key=LABEL;pin-file=PATH` (or `pin-env=VAR`).
/// The PIN is read when the key is opened and never kept here, printed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct HsmSpec {
    /// Path of the PKCS#11 module (e.g. `/usr/lib/softhsm/libsofthsm2.so`).
    pub module: PathBuf,
    /// Label of the token.
    pub token: String,
    /// Label of the key inside the token.
    pub key: String,
    /// Where the user PIN comes from.
    pub pin: PinSource,
}

/// Where the token's user PIN is read from: never the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinSource {
    /// A file holding the PIN (one line; should be mode 0600).
    File(PathBuf),
    /// An environment variable holding the PIN.
    Env(String),
}

impl HsmSpec {
    /// Parse a `pkcs11:` setting. Every part is required except that exactly one of `pin-file`
    /// and `pin-env` must be given; a literal `pin=` is refused so a PIN never sits in a shell
    /// history or a process listing.
    pub fn parse(spec: &str) -> Result<HsmSpec, CryptoError> {
        let bad = |m: String| CryptoError::KeySpec(m);
        let rest = spec
            .strip_prefix("pkcs11:")
            .ok_or_else(|| bad("a token-held key is written pkcs11:module=PATH;token=LABEL;key=LABEL;pin-file=PATH".into()))?;
        let (mut module, mut token, mut key, mut pin) = (None, None, None, None);
        for part in rest.split(';').filter(|p| !p.trim().is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| bad(format!("\"{part}\" is not NAME=VALUE")))?;
            let value = value.trim();
            if value.is_empty() {
                return Err(bad(format!("{name} is empty")));
            }
            let slot = match name.trim() {
                "module" => &mut module,
                "token" => &mut token,
                "key" => &mut key,
                "pin-file" | "pin-env" if pin.is_some() => {
                    return Err(bad("give one of pin-file and pin-env, not both".into()))
                }
                "pin-file" => {
                    pin = Some(PinSource::File(PathBuf::from(value)));
                    continue;
                }
                "pin-env" => {
                    pin = Some(PinSource::Env(value.to_string()));
                    continue;
                }
                "pin" | "pin-value" => return Err(bad(
                    "a PIN is never given in the setting itself; use pin-file=PATH or pin-env=VAR"
                        .into(),
                )),
                other => {
                    return Err(bad(format!(
                    "unknown part \"{other}\" (expected module, token, key, pin-file or pin-env)"
                )))
                }
            };
            if slot.is_some() {
                return Err(bad(format!("{name} is given twice")));
            }
            *slot = Some(value.to_string());
        }
        let need =
            |v: Option<String>, what: &str| v.ok_or_else(|| bad(format!("{what} is missing")));
        Ok(HsmSpec {
            module: PathBuf::from(need(module, "module=PATH")?),
            token: need(token, "token=LABEL")?,
            key: need(key, "key=LABEL")?,
            pin: pin.ok_or_else(|| bad("pin-file=PATH or pin-env=VAR is missing".into()))?,
        })
    }

    fn read_pin(&self) -> Result<AuthPin, CryptoError> {
        let pin =
            match &self.pin {
                PinSource::File(path) => {
                    let file = std::fs::File::open(path).map_err(|e| CryptoError::io(path, e))?;
                    refuse_shared(path, &file)?;
                    let mut pin = Zeroizing::new(String::new());
                    std::io::Read::read_to_string(&mut std::io::Read::take(file, 256), &mut pin)
                        .map_err(|e| CryptoError::io(path, e))?;
                    pin
                }
                PinSource::Env(var) => Zeroizing::new(std::env::var(var).map_err(|_| {
                    CryptoError::KeySpec(format!("the PIN variable {var} is not set"))
                })?),
            };
        let trimmed = pin.trim_end_matches(['\n', '\r']);
        if trimmed.is_empty() {
            return Err(CryptoError::KeySpec("the token PIN is empty".into()));
        }
        Ok(AuthPin::from(trimmed.to_string()))
    }
}

/// The PIN file is held to the key file's rule: readable by its owner only (checked on the open
/// handle, so the file checked is the file read).
#[cfg(unix)]
fn refuse_shared(path: &Path, file: &std::fs::File) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file
        .metadata()
        .map_err(|e| CryptoError::io(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(CryptoError::KeySpec(format!(
            "the PIN file {} has mode {:04o}, which lets group or other users read the token PIN; restrict it with `chmod 600 {}`",
            path.display(),
            mode & 0o7777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_shared(_path: &Path, _file: &std::fs::File) -> Result<(), CryptoError> {
    Ok(())
}

impl std::fmt::Debug for HsmSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmSpec")
            .field("module", &self.module)
            .field("token", &self.token)
            .field("key", &self.key)
            .field("pin", &self.pin)
            .finish()
    }
}

/// One initialised context per module path for the whole process: C_Initialize may run only
/// once per module, and finalising one of two contexts would cut the other off.
fn context(module: &Path) -> Result<Pkcs11, CryptoError> {
    static CONTEXTS: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut map = CONTEXTS
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| CryptoError::Hsm("PKCS#11 context lock poisoned".into()))?;
    if let Some(ctx) = map.get(module) {
        return Ok(ctx.clone());
    }
    let module_err = |reason: String| CryptoError::HsmModule {
        module: module.display().to_string(),
        reason,
    };
    let ctx = Pkcs11::new(module).map_err(|e| module_err(e.to_string()))?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(P11Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(module_err(e.to_string())),
    }
    map.insert(module.to_path_buf(), ctx.clone());
    Ok(ctx)
}

fn token_err(e: P11Error) -> CryptoError {
    CryptoError::Hsm(e.to_string())
}

/// Open a logged-in read-write session on the token labelled `spec.token`.
fn open_session(spec: &HsmSpec) -> Result<Session, CryptoError> {
    let ctx = context(&spec.module)?;
    let mut present = Vec::new();
    let mut found = None;
    for slot in ctx.get_slots_with_token().map_err(token_err)? {
        let info = ctx.get_token_info(slot).map_err(token_err)?;
        let label = info.label().trim_end().to_string();
        if label == spec.token {
            found = Some(slot);
            break;
        }
        // An uninitialised (free) slot has an empty label: not worth naming.
        if !label.is_empty() {
            present.push(label);
        }
    }
    let slot = found.ok_or_else(|| CryptoError::TokenMissing {
        token: spec.token.clone(),
        present: if present.is_empty() {
            "none".into()
        } else {
            present.join(", ")
        },
    })?;
    let session = ctx.open_rw_session(slot).map_err(token_err)?;
    match session.login(UserType::User, Some(&spec.read_pin()?)) {
        Ok(()) | Err(P11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
        Err(P11Error::Pkcs11(
            RvError::PinIncorrect | RvError::PinLocked | RvError::PinInvalid | RvError::PinLenRange,
            _,
        )) => Err(CryptoError::WrongPin {
            token: spec.token.clone(),
        }),
        Err(e) => Err(token_err(e)),
    }
}

fn find_key(session: &Session, label: &str) -> Result<Option<ObjectHandle>, CryptoError> {
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .map_err(token_err)?;
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(CryptoError::Hsm(format!(
            "the token holds several keys labelled \"{label}\"; keep exactly one"
        ))),
    }
}

/// A master key inside a PKCS#11 token: handles to its two keys and one logged-in session.
pub(crate) struct HsmKey {
    session: Mutex<Session>,
    wrap_key: ObjectHandle,
    derive_key: ObjectHandle,
    id_bytes: [u8; KEY_ID_LEN],
    id: String,
    token: String,
    /// The token's HMAC over [`crate::INDEX_KEY_INFO`], computed once at open: searches hash
    /// with it in memory (only on a deployment's first start; then the stored one is used).
    index_key: IndexKey,
}

impl HsmKey {
    /// Generate the two keys in the token (sensitive, non-extractable, persistent). Refuses if
    /// either label is already taken: replacing a master key would lose every case.
    pub(crate) fn init(spec: &HsmSpec) -> Result<HsmKey, CryptoError> {
        let session = open_session(spec)?;
        let derive_label = format!("{}{DERIVE_SUFFIX}", spec.key);
        for label in [&spec.key, &derive_label] {
            if find_key(&session, label)?.is_some() {
                return Err(CryptoError::Hsm(format!(
                    "the token \"{}\" already holds a key labelled \"{label}\"; a master key is never replaced (choose another key label)",
                    spec.token
                )));
            }
        }
        let common = |label: &str| {
            vec![
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Label(label.as_bytes().to_vec()),
                Attribute::ValueLen((KEY_LEN as u64).into()),
            ]
        };
        let mut aes = common(&spec.key);
        aes.extend([Attribute::Encrypt(true), Attribute::Decrypt(true)]);
        session
            .generate_key(&Mechanism::AesKeyGen, &aes)
            .map_err(token_err)?;
        let mut hmac = common(&derive_label);
        hmac.extend([
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::Sign(true),
        ]);
        session
            .generate_key(&Mechanism::GenericSecretKeyGen, &hmac)
            .map_err(token_err)?;
        drop(session);
        HsmKey::open(spec)
    }

    /// Log in and find the keys made by [`HsmKey::init`].
    pub(crate) fn open(spec: &HsmSpec) -> Result<HsmKey, CryptoError> {
        let session = open_session(spec)?;
        let missing = || CryptoError::HsmKeyMissing {
            token: spec.token.clone(),
            key: spec.key.clone(),
        };
        let wrap_key = find_key(&session, &spec.key)?.ok_or_else(missing)?;
        let derive_key =
            find_key(&session, &format!("{}{DERIVE_SUFFIX}", spec.key))?.ok_or_else(missing)?;
        let mut key = HsmKey {
            session: Mutex::new(session),
            wrap_key,
            derive_key,
            id_bytes: [0; KEY_ID_LEN],
            id: String::new(),
            token: spec.token.clone(),
            index_key: IndexKey::from_derived([0; 32]),
        };
        key.index_key = IndexKey::from_derived(*key.hmac(crate::INDEX_KEY_INFO.as_bytes())?);
        let mac = key.hmac(KEY_ID_LABEL)?;
        key.id_bytes.copy_from_slice(&mac[..KEY_ID_LEN]);
        key.id = hex::encode(key.id_bytes);
        Ok(key)
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn index_key(&self) -> &IndexKey {
        &self.index_key
    }

    pub(crate) fn id_bytes(&self) -> &[u8; KEY_ID_LEN] {
        &self.id_bytes
    }

    fn session(&self) -> Result<std::sync::MutexGuard<'_, Session>, CryptoError> {
        self.session
            .lock()
            .map_err(|_| CryptoError::Hsm("PKCS#11 session lock poisoned".into()))
    }

    /// HMAC-SHA256 computed by the token with the derivation key.
    pub(crate) fn hmac(&self, data: &[u8]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        let out = Zeroizing::new(
            self.session()?
                .sign(&Mechanism::Sha256Hmac, self.derive_key, data)
                .map_err(token_err)?,
        );
        let mut key = Zeroizing::new([0u8; 32]);
        if out.len() != key.len() {
            return Err(CryptoError::Hsm(format!(
                "the token's HMAC-SHA256 gave {} bytes",
                out.len()
            )));
        }
        key.copy_from_slice(&out);
        Ok(key)
    }

    pub(crate) fn wrap(&self, key: &DataKey, context: &[u8]) -> Result<WrappedKey, CryptoError> {
        let mut out = Vec::with_capacity(HSM_WRAPPED_LEN);
        out.push(HSM_WRAPPED_VERSION);
        out.extend_from_slice(&self.id_bytes);
        let aad = wrap_aad(&out[..WRAPPED_HEADER_LEN], context);
        let mut iv: [u8; IV_LEN] = crate::util::random_array();
        out.extend_from_slice(&iv);
        let params =
            GcmParams::new(&mut iv, &aad, ((TAG_LEN * 8) as u64).into()).map_err(token_err)?;
        let sealed = self
            .session()?
            .encrypt(&Mechanism::AesGcm(params), self.wrap_key, key.bytes())
            .map_err(token_err)?;
        out.extend_from_slice(&sealed);
        if out.len() != HSM_WRAPPED_LEN {
            return Err(CryptoError::Hsm(format!(
                "the token's AES-GCM gave {} bytes for a 32-byte key",
                sealed.len()
            )));
        }
        Ok(WrappedKey(out))
    }

    pub(crate) fn unwrap_key(
        &self,
        wrapped: &WrappedKey,
        context: &[u8],
    ) -> Result<DataKey, CryptoError> {
        let bytes = &wrapped.0;
        if bytes[0] != HSM_WRAPPED_VERSION || bytes[1..WRAPPED_HEADER_LEN] != self.id_bytes {
            return Err(CryptoError::Unwrap);
        }
        let aad = wrap_aad(&bytes[..WRAPPED_HEADER_LEN], context);
        let mut iv = [0u8; IV_LEN];
        iv.copy_from_slice(&bytes[WRAPPED_HEADER_LEN..WRAPPED_HEADER_LEN + IV_LEN]);
        let params = GcmParams::new(&mut iv, &aad, ((TAG_LEN * 8) as u64).into())
            .map_err(|_| CryptoError::Unwrap)?;
        // Any failure here (tag mismatch, wrong context) is reported as opaquely as for a key
        // file; a token that is gone shows up at the next wrap or at start.
        let plain = self
            .session()?
            .decrypt(
                &Mechanism::AesGcm(params),
                self.wrap_key,
                &bytes[WRAPPED_HEADER_LEN + IV_LEN..],
            )
            .map_err(|_| CryptoError::Unwrap)?;
        let mut plain = Zeroizing::new(plain);
        DataKey::from_slice_wiping(plain.as_mut_slice())
    }
}

impl std::fmt::Debug for HsmKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmKey")
            .field("token", &self.token)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
