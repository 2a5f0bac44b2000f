//! Frozen v1 formats. Data sealed today must open in every future release,
//! so these bytes must never change; if a test here fails, the change broke
//! stored data (add a new version instead).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use harbour_crypto::{MasterKey, WrappedKey, TOKEN_KEY_INFO};

const MASTER: [u8; 32] = [0x11; 32];
const CONTEXT: &[u8] = b"case:fixture";
const AAD: &[u8] = b"table:person/case:fixture";
const KEY_ID: &str = "02d449a31fbb267c";
const WRAPPED: &str = "0102d449a31fbb267c82f6c7a47223e03680e0325c15291c1d67dc3405092ed06df096a0695188a4732ce765bc5c0e32729c01167bf0d28e350594398fd12189b9f3fd3c5ac4101784c54a69c43b57dd76";
const SEALED: &str = "0132d31ef6340bddbb26e2480d185a2f1d4cbb7f1c84d16fedfe22040f65d3adb1f3f1f34166bdae7b7a184223d3c7df32ad18dd70a54761ac94";
const PLAINTEXT: &[u8] = b"fixture plaintext";

#[test]
fn v1_fixtures_still_open() {
    let master = MasterKey::from_bytes(MASTER);
    assert_eq!(master.id(), KEY_ID);
    let wrapped = WrappedKey::from_bytes(&hex::decode(WRAPPED).unwrap()).unwrap();
    assert_eq!(wrapped.master_key_id(), KEY_ID);
    let data_key = master.unwrap_key(&wrapped, CONTEXT).unwrap();
    let sealed = hex::decode(SEALED).unwrap();
    assert_eq!(data_key.open(&sealed, AAD).unwrap(), PLAINTEXT);
}

#[test]
fn v1_derivations_are_frozen() {
    let master = MasterKey::from_bytes(MASTER);
    assert_eq!(
        hex::encode(master.index_key().hash("person.name", "Jane Doe")),
        "ae0ffd6301d4f7b5f73c70ff56121af2825d72620629d2c930225e1ad8ba9190"
    );
    assert_eq!(
        hex::encode(master.derive(TOKEN_KEY_INFO).unwrap()),
        "755ee43195db6e7816e3b7338be352b8cfbf06a0546cde168180ca9f743a1d9c"
    );
}

/// Decrypt the fixtures with the raw primitives, following only the format
/// described in the crate docs, to prove the docs describe the real layout.
#[test]
fn documented_layout_decrypts_with_raw_primitives() {
    let mut wrap_key = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(b"harbour-crypto internal keys v1"), &MASTER)
        .expand(b"harbour key wrap v1", &mut wrap_key)
        .unwrap();

    let wrapped = hex::decode(WRAPPED).unwrap();
    assert_eq!(wrapped.len(), 81);
    let (header, rest) = wrapped.split_at(9);
    let (nonce, ct) = rest.split_at(24);
    let aad = [header, CONTEXT].concat();
    let data_key = XChaCha20Poly1305::new((&wrap_key).into())
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
        .unwrap();
    assert_eq!(data_key.len(), 32);

    let sealed = hex::decode(SEALED).unwrap();
    assert_eq!(sealed[0], 1);
    let (nonce, ct) = sealed[1..].split_at(24);
    let aad = [&[1u8][..], AAD].concat();
    let plain = XChaCha20Poly1305::new(data_key.as_slice().into())
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
        .unwrap();
    assert_eq!(plain, PLAINTEXT);
}
