//! Key ids, HKDF derivations, blind indexes and the small helpers.

use harbour_crypto::{
    ct_eq, normalise_index_value, random_token, sha256, MasterKey, INDEX_KEY_INFO, TOKEN_KEY_INFO,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn master(byte: u8) -> MasterKey {
    MasterKey::from_bytes([byte; 32])
}

#[test]
fn key_id_is_first_8_bytes_of_sha256_in_hex() {
    let raw = [0x42u8; 32];
    let key = MasterKey::from_bytes(raw);
    assert_eq!(key.id(), hex::encode(&sha256(&raw)[..8]));
    assert_eq!(key.id().len(), 16);
    assert_ne!(key.id(), master(0x43).id());
    assert_ne!(MasterKey::generate().id(), MasterKey::generate().id());
}

#[test]
fn derive_is_hkdf_sha256_with_the_given_info() {
    let raw = [7u8; 32];
    let key = MasterKey::from_bytes(raw);
    let mut expected = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(None, &raw)
        .expand(TOKEN_KEY_INFO.as_bytes(), &mut expected)
        .unwrap();
    assert_eq!(key.derive("harbour token v1").unwrap(), expected);
    assert_eq!(
        key.derive(TOKEN_KEY_INFO).unwrap(),
        key.derive(TOKEN_KEY_INFO).unwrap()
    );
    assert_ne!(
        key.derive(TOKEN_KEY_INFO).unwrap(),
        key.derive(INDEX_KEY_INFO).unwrap()
    );
    assert_ne!(
        key.derive(TOKEN_KEY_INFO).unwrap(),
        master(8).derive(TOKEN_KEY_INFO).unwrap()
    );
    assert_ne!(key.derive(TOKEN_KEY_INFO).unwrap(), raw);
}

#[test]
fn index_hash_matches_the_specified_construction() {
    let key = master(9);
    let index_key = key.derive("harbour blind index v1").unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&index_key).unwrap();
    mac.update(b"person.name\x00jane doe");
    let expected: [u8; 32] = mac.finalize().into_bytes().into();
    assert_eq!(
        key.index_key().hash("person.name", "  Jane \t DOE "),
        expected
    );
}

#[test]
fn index_hash_is_deterministic_per_key() {
    let a1 = master(1).index_key();
    let a2 = master(1).index_key();
    assert_eq!(
        a1.hash("person.name", "Jane Doe"),
        a2.hash("person.name", "Jane Doe")
    );
    assert_eq!(
        a1.hash("person.name", "Jane Doe"),
        a1.clone().hash("person.name", "Jane Doe")
    );
}

#[test]
fn index_hash_differs_across_keys_domains_and_values() {
    let a = master(1).index_key();
    let b = master(2).index_key();
    let h = a.hash("person.name", "Jane Doe");
    assert_ne!(h, b.hash("person.name", "Jane Doe"));
    assert_ne!(h, a.hash("person.alias", "Jane Doe"));
    assert_ne!(h, a.hash("person.name", "Jane Dough"));
    // The NUL separator keeps domain/value boundaries unambiguous.
    assert_ne!(a.hash("ab", "c"), a.hash("a", "bc"));
    // Not a plain hash of the value.
    assert_ne!(h, sha256(b"jane doe"));
}

#[test]
fn index_normalisation() {
    assert_eq!(normalise_index_value("  Jane\u{a0}\t DOE\n"), "jane doe");
    assert_eq!(normalise_index_value("ÉLODIE"), "élodie");
    assert_eq!(normalise_index_value(""), "");
    assert_eq!(normalise_index_value("   "), "");
    let k = master(3).index_key();
    assert_eq!(k.hash("d", "JANE doe"), k.hash("d", " jane   DOE "));
}

#[test]
fn sha256_known_answer() {
    assert_eq!(
        hex::encode(sha256(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn random_tokens_are_64_hex_chars_and_unique() {
    let a = random_token();
    let b = random_token();
    assert_eq!(a.len(), 64);
    assert!(a
        .bytes()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_ne!(a, b);
}

#[test]
fn ct_eq_behaves_like_eq() {
    assert!(ct_eq(b"", b""));
    assert!(ct_eq(b"token", b"token"));
    assert!(!ct_eq(b"token", b"tokem"));
    assert!(!ct_eq(b"token", b"Token"));
    assert!(!ct_eq(b"token", b"token "));
    assert!(!ct_eq(b"", b"x"));
}

proptest::proptest! {
    #[test]
    fn ct_eq_agrees_with_eq(a in proptest::collection::vec(0u8..4, 0..8),
                            b in proptest::collection::vec(0u8..4, 0..8)) {
        proptest::prop_assert_eq!(ct_eq(&a, &b), a == b);
    }
}

/// The blind-index key survives master key rotation: wrapped under the old key, rewrapped under
/// the new one, it hashes exactly as before; it does not unwrap under another context or key.
#[test]
fn index_key_survives_rotation_when_kept_wrapped() {
    let old = harbour_crypto::MasterKey::generate();
    let new = harbour_crypto::MasterKey::generate();
    let index = old.index_key();
    let before = index.hash("person.name", "Fake Person");
    let wrapped = old.wrap_index_key(&index, b"deployment:index-key").unwrap();
    let rewrapped =
        harbour_crypto::rewrap(&old, &new, &wrapped, b"deployment:index-key").expect("rewrap");
    assert_eq!(rewrapped.master_key_id(), new.id());
    let back = new
        .unwrap_index_key(&rewrapped, b"deployment:index-key")
        .expect("unwraps under the new key");
    assert_eq!(back.hash("person.name", "Fake Person"), before);
    assert_ne!(new.index_key().hash("person.name", "Fake Person"), before);
    assert!(old
        .unwrap_index_key(&rewrapped, b"deployment:index-key")
        .is_err());
    assert!(new.unwrap_index_key(&rewrapped, b"case:other").is_err());
}
