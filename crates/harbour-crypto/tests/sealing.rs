//! Data keys, sealing and key wrapping.

use harbour_crypto::{
    rewrap, CryptoError, DataKey, MasterKey, WrappedKey, SEALED_OVERHEAD, WRAPPED_LEN,
};
use proptest::prelude::*;

const AAD: &[u8] = b"case:0190b5e2-7c1a-7000-8000-000000000001/person.name";
const CTX: &[u8] = b"case:0190b5e2-7c1a-7000-8000-000000000001";

#[test]
fn seal_open_round_trip() {
    let key = DataKey::generate();
    for plaintext in [
        &b""[..],
        b"x",
        b"Jane Doe, born 1999-02-03",
        &[0u8; 70_000][..],
    ] {
        let sealed = key.seal(plaintext, AAD);
        assert_eq!(sealed.len(), plaintext.len() + SEALED_OVERHEAD);
        assert_eq!(sealed[0], 1, "version byte");
        assert_eq!(key.open(&sealed, AAD).unwrap(), plaintext);
    }
}

#[test]
fn sealed_blob_does_not_contain_plaintext() {
    let key = DataKey::generate();
    let plaintext = b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let sealed = key.seal(plaintext, AAD);
    assert!(!sealed.windows(8).any(|w| w == &plaintext[..8]));
}

#[test]
fn wrong_aad_fails() {
    let key = DataKey::generate();
    let sealed = key.seal(b"testimony", b"case:1/event:1");
    for aad in [
        &b"case:1/event:2"[..],
        b"case:2/event:1",
        b"",
        b"case:1/event:1\0",
    ] {
        assert!(matches!(key.open(&sealed, aad), Err(CryptoError::Decrypt)));
    }
}

#[test]
fn other_data_key_fails() {
    let sealed = DataKey::generate().seal(b"testimony", AAD);
    assert!(matches!(
        DataKey::generate().open(&sealed, AAD),
        Err(CryptoError::Decrypt)
    ));
}

#[test]
fn nonces_differ_between_seals_of_same_plaintext() {
    let key = DataKey::generate();
    let a = key.seal(b"same", AAD);
    let b = key.seal(b"same", AAD);
    assert_ne!(a, b);
    assert_ne!(a[1..25], b[1..25], "nonce must be fresh per seal");
    assert_eq!(key.open(&a, AAD).unwrap(), key.open(&b, AAD).unwrap());
}

#[test]
fn malformed_sealed_blobs_are_rejected_before_crypto() {
    let key = DataKey::generate();
    let sealed = key.seal(b"hello", AAD);
    assert!(matches!(key.open(&[], AAD), Err(CryptoError::Malformed(_))));
    assert!(matches!(
        key.open(&sealed[..SEALED_OVERHEAD - 1], AAD),
        Err(CryptoError::Malformed(_))
    ));
    let mut other_version = sealed.clone();
    other_version[0] = 2;
    assert!(matches!(
        key.open(&other_version, AAD),
        Err(CryptoError::Malformed(_))
    ));
    // Truncating the ciphertext (but leaving enough bytes) is an auth failure.
    assert!(matches!(
        key.open(&sealed[..sealed.len() - 1], AAD),
        Err(CryptoError::Decrypt)
    ));
}

#[test]
fn decrypt_error_message_has_no_detail() {
    let msg = CryptoError::Decrypt.to_string();
    assert!(!msg.contains("tag") && !msg.contains("nonce"), "{msg}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip_any_input(plaintext in prop::collection::vec(any::<u8>(), 0..2048),
                            aad in prop::collection::vec(any::<u8>(), 0..128)) {
        let key = DataKey::generate();
        let sealed = key.seal(&plaintext, &aad);
        prop_assert_eq!(key.open(&sealed, &aad).unwrap(), plaintext);
    }

    /// Flipping any bit pattern at any position (version, nonce, ciphertext
    /// or tag) must make `open` fail.
    #[test]
    fn tampered_byte_anywhere_fails(plaintext in prop::collection::vec(any::<u8>(), 0..256),
                                    pos in any::<prop::sample::Index>(),
                                    mask in 1u8..=255) {
        let key = DataKey::generate();
        let mut sealed = key.seal(&plaintext, AAD);
        let i = pos.index(sealed.len());
        sealed[i] ^= mask;
        prop_assert!(key.open(&sealed, AAD).is_err(), "tamper at {} accepted", i);
    }

    #[test]
    fn tampered_wrapped_key_fails(pos in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let master = MasterKey::generate();
        let mut bytes = master.wrap(&DataKey::generate(), CTX).unwrap().to_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= mask;
        // Either rejected as malformed (version byte) or fails to unwrap.
        match WrappedKey::from_bytes(&bytes) {
            Err(e) => prop_assert!(matches!(e, CryptoError::Malformed(_))),
            Ok(w) => prop_assert!(matches!(master.unwrap_key(&w, CTX), Err(CryptoError::Unwrap))),
        }
    }
}

#[test]
fn wrap_unwrap_round_trip() {
    let master = MasterKey::generate();
    let data_key = DataKey::generate();
    let sealed = data_key.seal(b"address", AAD);

    let wrapped = master.wrap(&data_key, CTX).unwrap();
    let bytes = wrapped.to_bytes();
    assert_eq!(bytes.len(), WRAPPED_LEN);
    assert_eq!(bytes[0], 1);
    assert_eq!(wrapped.master_key_id(), master.id());
    assert_eq!(hex::encode(&bytes[1..9]), master.id());

    let restored = WrappedKey::from_bytes(&bytes).unwrap();
    assert_eq!(restored, wrapped);
    let unwrapped = master.unwrap_key(&restored, CTX).unwrap();
    assert_eq!(unwrapped.open(&sealed, AAD).unwrap(), b"address");
}

#[test]
fn wrapping_is_randomised() {
    let master = MasterKey::generate();
    let dk = DataKey::generate();
    assert_ne!(
        master.wrap(&dk, CTX).unwrap(),
        master.wrap(&dk, CTX).unwrap()
    );
}

#[test]
fn unwrap_with_wrong_context_fails() {
    let master = MasterKey::generate();
    let wrapped = master.wrap(&DataKey::generate(), b"case:1").unwrap();
    assert!(matches!(
        master.unwrap_key(&wrapped, b"case:2"),
        Err(CryptoError::Unwrap)
    ));
}

#[test]
fn unwrap_with_wrong_master_key_fails() {
    let wrapped = MasterKey::generate()
        .wrap(&DataKey::generate(), CTX)
        .unwrap();
    assert!(matches!(
        MasterKey::generate().unwrap_key(&wrapped, CTX),
        Err(CryptoError::Unwrap)
    ));
}

#[test]
fn editing_recorded_key_id_does_not_help_a_wrong_key() {
    let right = MasterKey::generate();
    let wrong = MasterKey::generate();
    let mut bytes = right.wrap(&DataKey::generate(), CTX).unwrap().to_bytes();
    bytes[1..9].copy_from_slice(&hex::decode(wrong.id()).unwrap());
    let forged = WrappedKey::from_bytes(&bytes).unwrap();
    assert!(wrong.unwrap_key(&forged, CTX).is_err());
    assert!(right.unwrap_key(&forged, CTX).is_err());
}

#[test]
fn wrapped_key_from_bytes_validates() {
    let good = MasterKey::generate()
        .wrap(&DataKey::generate(), CTX)
        .unwrap()
        .to_bytes();
    assert!(matches!(
        WrappedKey::from_bytes(&good[..WRAPPED_LEN - 1]),
        Err(CryptoError::Malformed(_))
    ));
    let mut long = good.clone();
    long.push(0);
    assert!(matches!(
        WrappedKey::from_bytes(&long),
        Err(CryptoError::Malformed(_))
    ));
    let mut v2 = good.clone();
    v2[0] = 2;
    assert!(matches!(
        WrappedKey::from_bytes(&v2),
        Err(CryptoError::Malformed(_))
    ));
    assert!(matches!(
        WrappedKey::from_bytes(&[]),
        Err(CryptoError::Malformed(_))
    ));
}

#[test]
fn rewrap_moves_key_to_new_master() {
    let old = MasterKey::generate();
    let new = MasterKey::generate();
    let data_key = DataKey::generate();
    let sealed = data_key.seal(b"phone", AAD);
    let wrapped = old.wrap(&data_key, CTX).unwrap();

    let rewrapped = rewrap(&old, &new, &wrapped, CTX).unwrap();
    assert_eq!(rewrapped.master_key_id(), new.id());
    assert_ne!(rewrapped.master_key_id(), old.id());
    // Data sealed before rotation still opens: the data key is unchanged.
    let dk = new.unwrap_key(&rewrapped, CTX).unwrap();
    assert_eq!(dk.open(&sealed, AAD).unwrap(), b"phone");
    // The old master key can no longer unwrap the new wrapping.
    assert!(matches!(
        old.unwrap_key(&rewrapped, CTX),
        Err(CryptoError::Unwrap)
    ));
}

#[test]
fn rewrap_fails_with_wrong_old_key_or_context() {
    let old = MasterKey::generate();
    let new = MasterKey::generate();
    let wrapped = old.wrap(&DataKey::generate(), CTX).unwrap();
    assert!(matches!(
        rewrap(&new, &old, &wrapped, CTX),
        Err(CryptoError::Unwrap)
    ));
    assert!(matches!(
        rewrap(&old, &new, &wrapped, b"case:other"),
        Err(CryptoError::Unwrap)
    ));
}

#[test]
fn cloned_data_key_is_the_same_key() {
    let key = DataKey::generate();
    let copy = key.clone();
    let sealed = key.seal(b"x", AAD);
    drop(key);
    assert_eq!(copy.open(&sealed, AAD).unwrap(), b"x");
}

#[test]
fn keys_are_usable_across_threads() {
    let master = std::sync::Arc::new(MasterKey::generate());
    let wrapped = master.wrap(&DataKey::generate(), CTX).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let master = master.clone();
            let wrapped = wrapped.clone();
            std::thread::spawn(move || {
                let dk = master.unwrap_key(&wrapped, CTX).unwrap();
                let s = dk.seal(b"t", AAD);
                dk.open(&s, AAD).unwrap()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), b"t");
    }
}

#[test]
fn debug_output_contains_no_key_material() {
    let raw = [0xA7u8; 32];
    let master = MasterKey::from_bytes(raw);
    let dbg = format!("{master:?} {master:#?}");
    assert!(dbg.contains(master.id()));
    let key_hex = hex::encode(raw);
    assert!(!dbg.to_lowercase().contains(&key_hex[..8]), "{dbg}");
    assert!(!dbg.contains("167"), "decimal bytes leaked: {dbg}");

    let dk = DataKey::generate();
    assert_eq!(format!("{dk:?}"), "DataKey(<redacted>)");
    let ik = master.index_key();
    assert_eq!(format!("{ik:?}"), "IndexKey(<redacted>)");
    let wrapped = master.wrap(&dk, CTX).unwrap();
    let wdbg = format!("{wrapped:?}");
    assert!(wdbg.contains(master.id()), "{wdbg}");
}
