//! A master key held in a real PKCS#11 token (SoftHSM2). Runs when `HARBOUR_TEST_PKCS11_MODULE`
//! names the module (CI sets it to Debian's `/usr/lib/softhsm/libsofthsm2.so`); skipped, saying
//! so, otherwise.
//!
//! One test function: a PKCS#11 module reads its configuration (here `SOFTHSM2_CONF`, pointing
//! at this test's own token directory) once per process, at C_Initialize.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use harbour_crypto::{
    rewrap, CryptoError, DataKey, MasterKey, WrappedKey, HSM_WRAPPED_LEN, HSM_WRAPPED_VERSION,
    TOKEN_KEY_INFO,
};
use std::path::Path;
use std::process::Command;

const TOKEN: &str = "harbour-test";
const PIN: &str = "4711-fake";
const CTX: &[u8] = b"case:0190b5e2-7c1a-7000-8000-00000000c0de";

/// A fresh SoftHSM2 token in `dir`, initialised with `softhsm2-util --init-token --free`.
fn make_token(dir: &Path) -> std::path::PathBuf {
    let tokens = dir.join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let out = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args([
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--so-pin",
            "0000-fake",
            "--pin",
            PIN,
        ])
        .output()
        .expect("softhsm2-util (Debian package softhsm2) must be installed");
    assert!(out.status.success(), "{out:?}");
    conf
}

fn private_file(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
}

fn spec(module: &str, dir: &Path, key: &str, pin_file: &str) -> String {
    format!(
        "pkcs11:module={module};token={TOKEN};key={key};pin-file={}",
        dir.join(pin_file).display()
    )
}

#[test]
fn token_master_key_is_non_extractable_wraps_and_unwraps_and_reports_clear_errors() {
    let module = match std::env::var("HARBOUR_TEST_PKCS11_MODULE") {
        Ok(m) if !m.is_empty() => m,
        _ => {
            eprintln!("HARBOUR_TEST_PKCS11_MODULE is not set: the PKCS#11 test was skipped");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let conf = make_token(dir.path());
    // Before the module is first loaded in this process, which is when it reads this.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    private_file(&dir.path().join("pin"), &format!("{PIN}\n"));
    private_file(&dir.path().join("wrong-pin"), "1234-wrong\n");
    // A PIN file others can read is refused, as a key file is.
    let shared = dir.path().join("shared-pin");
    std::fs::write(&shared, format!("{PIN}\n")).unwrap();
    std::fs::set_permissions(&shared, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let err = MasterKey::open(&spec(&module, dir.path(), "master", "shared-pin")).unwrap_err();
    assert!(err.to_string().contains("chmod 600"), "{err}");

    // Clear, typed errors, checked before anything is logged in (a PKCS#11 login is shared by
    // every session of a process, so a wrong PIN is only refused while none is open).
    let err = MasterKey::open(&spec(&module, dir.path(), "master", "wrong-pin")).unwrap_err();
    assert!(
        matches!(err, CryptoError::WrongPin { ref token } if token == TOKEN),
        "{err}"
    );
    assert!(!err.to_string().contains("1234-wrong"), "{err}");
    let err = MasterKey::open(&spec(&module, dir.path(), "master", "pin")).unwrap_err();
    assert!(
        matches!(err, CryptoError::HsmKeyMissing { ref key, .. } if key == "master"),
        "{err}"
    );
    assert!(err.to_string().contains("harbour keys init-hsm"), "{err}");
    let err = MasterKey::open(
        &spec(&module, dir.path(), "master", "pin").replace(TOKEN, "no-such-token"),
    )
    .unwrap_err();
    assert!(matches!(err, CryptoError::TokenMissing { .. }), "{err}");
    assert!(
        err.to_string().contains(TOKEN),
        "names the tokens present: {err}"
    );
    let err = MasterKey::open(&format!(
        "pkcs11:module={module};token={TOKEN};key=master;pin=1234"
    ))
    .unwrap_err();
    assert!(matches!(err, CryptoError::KeySpec(_)), "{err}");
    let err = MasterKey::open(
        &spec(&module, dir.path(), "master", "pin").replace("libsofthsm2", "libmissing"),
    )
    .unwrap_err();
    assert!(matches!(err, CryptoError::HsmModule { .. }), "{err}");

    // Generate the key in the token; a second init under the same label is refused.
    let setting = spec(&module, dir.path(), "master", "pin");
    let hsm = MasterKey::init_token(&setting).unwrap();
    assert!(hsm.is_token());
    assert!(MasterKey::init_token(&setting).is_err(), "never replaced");
    let again = MasterKey::open(&setting).unwrap();
    assert_eq!(hsm.id(), again.id(), "the id is stable across opens");

    // Wrap/unwrap round trip in the token, with the distinct wrapped-key format.
    let data_key = DataKey::generate();
    let sealed = data_key.seal(b"Fake Person", b"person.name:fake");
    let wrapped = hsm.wrap(&data_key, CTX).unwrap();
    assert_eq!(wrapped.as_bytes()[0], HSM_WRAPPED_VERSION);
    assert_eq!(wrapped.as_bytes().len(), HSM_WRAPPED_LEN);
    assert_eq!(wrapped.master_key_id(), hsm.id());
    let stored = WrappedKey::from_bytes(&wrapped.to_bytes()).unwrap();
    let back = again.unwrap_key(&stored, CTX).unwrap();
    assert_eq!(
        back.open(&sealed, b"person.name:fake").unwrap(),
        b"Fake Person"
    );
    assert!(matches!(
        hsm.unwrap_key(&stored, b"case:another"),
        Err(CryptoError::Unwrap)
    ));
    let mut tampered = stored.to_bytes();
    tampered[HSM_WRAPPED_LEN - 1] ^= 1;
    assert!(hsm
        .unwrap_key(&WrappedKey::from_bytes(&tampered).unwrap(), CTX)
        .is_err());

    // Derivations happen in the token: stable, and different from any key file's.
    assert_eq!(
        hsm.derive(TOKEN_KEY_INFO).unwrap(),
        again.derive(TOKEN_KEY_INFO).unwrap()
    );
    assert_eq!(
        hsm.index_key().hash("person.name", "Fake Person"),
        again.index_key().hash("person.name", " fake  PERSON")
    );
    let file = MasterKey::generate();
    assert_ne!(
        hsm.index_key().hash("person.name", "Fake Person"),
        file.index_key().hash("person.name", "Fake Person")
    );

    // Migration from a key file: the file's wrapped keys rewrap into the token, and a keyring of
    // the token key with the file key retired reads both kinds while wrapping only in the token.
    let from_file = file.wrap(&data_key, CTX).unwrap();
    let moved = rewrap(&file, &hsm, &from_file, CTX).unwrap();
    assert_eq!(moved.master_key_id(), hsm.id());
    let keyring = MasterKey::open(&setting).unwrap().with_retired(vec![file]);
    assert!(keyring.knows(&from_file.master_key_id()));
    for w in [&from_file, &moved] {
        let k = keyring.unwrap_key(w, CTX).unwrap();
        assert_eq!(
            k.open(&sealed, b"person.name:fake").unwrap(),
            b"Fake Person"
        );
    }
    assert_eq!(
        keyring.wrap(&data_key, CTX).unwrap().master_key_id(),
        hsm.id()
    );
    assert!(!format!("{keyring:?}").contains(PIN));

    // The keys really are non-extractable: ask the token directly for their bytes.
    let ctx = Pkcs11::new(&module).unwrap();
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(())
        | Err(cryptoki::error::Error::Pkcs11(
            cryptoki::error::RvError::CryptokiAlreadyInitialized,
            _,
        )) => {}
        Err(e) => panic!("{e}"),
    }
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim_end() == TOKEN)
        .unwrap();
    let session = ctx.open_ro_session(slot).unwrap();
    match session.login(UserType::User, Some(&AuthPin::from(PIN.to_string()))) {
        Ok(())
        | Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::UserAlreadyLoggedIn, _)) => {
        }
        Err(e) => panic!("{e}"),
    }
    for label in ["master", "master.derive"] {
        let handles = session
            .find_objects(&[
                Attribute::Class(ObjectClass::SECRET_KEY),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .unwrap();
        assert_eq!(handles.len(), 1, "{label}");
        let attrs = session
            .get_attributes(
                handles[0],
                &[
                    AttributeType::Extractable,
                    AttributeType::Sensitive,
                    AttributeType::NeverExtractable,
                    AttributeType::Token,
                ],
            )
            .unwrap();
        for a in &attrs {
            match a {
                Attribute::Extractable(v) => assert!(!v, "{label} is extractable"),
                Attribute::Sensitive(v) => assert!(v, "{label} is not sensitive"),
                Attribute::NeverExtractable(v) => assert!(v, "{label} was once extractable"),
                Attribute::Token(v) => assert!(v, "{label} is not persistent"),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(attrs.len(), 4, "{attrs:?}");
        // C_GetAttributeValue of CKA_VALUE is refused for a sensitive key: no bytes come back.
        let value = session.get_attributes(handles[0], &[AttributeType::Value]);
        assert!(
            !matches!(value.as_deref(), Ok([Attribute::Value(v)]) if !v.is_empty()),
            "{label}: the token handed out the key's value"
        );
    }
}
