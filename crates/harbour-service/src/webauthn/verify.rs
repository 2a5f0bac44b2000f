//! WebAuthn Level 2 verification, pure: the parsers of what a browser and an authenticator send
//! (clientDataJSON, authenticator data, the COSE public key, the attestation object) and the
//! checks of a registration and of an assertion. No I/O and no clock: the challenge, origin and
//! relying-party id expected are arguments. Malformed input is a typed [`WebauthnError`], never a
//! panic (the fuzz target `webauthn` holds this).
//!
//! Only ES256 (COSE -7, ECDSA P-256 with SHA-256) is accepted: every FIDO2 security key and
//! platform authenticator offers it. Attestation statements are not verified (any format is
//! accepted, its statement ignored): Harbour trusts the key the user registered while fully
//! signed in, not a vendor's certificate chain.

use super::cbor::{self, Cbor};
use base64::Engine;
use sha2::{Digest, Sha256};

/// COSE algorithm ES256.
pub const COSE_ES256: i64 = -7;

/// Authenticator data flags (WebAuthn §6.1).
pub const FLAG_UP: u8 = 0x01;
pub const FLAG_UV: u8 = 0x04;
pub const FLAG_AT: u8 = 0x40;
pub const FLAG_ED: u8 = 0x80;

/// Why a WebAuthn answer is refused. Parsing errors say which part was malformed; check errors
/// say which check failed (shown to the user only as "the security key was not accepted").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebauthnError {
    #[error("malformed CBOR: {0}")]
    Cbor(&'static str),
    #[error("malformed authenticator data: {0}")]
    AuthData(&'static str),
    #[error("unsupported or malformed public key: {0}")]
    CoseKey(&'static str),
    #[error("malformed client data: {0}")]
    ClientData(&'static str),
    #[error("malformed attestation object: {0}")]
    Attestation(&'static str),
    #[error("the client data is not of type {0}")]
    WrongType(&'static str),
    #[error("the challenge is not the one issued")]
    WrongChallenge,
    #[error("the origin is not this site")]
    WrongOrigin,
    #[error("the authenticator data is for another relying party")]
    WrongRpId,
    #[error("the authenticator did not see the user present")]
    UserNotPresent,
    #[error("the authenticator did not verify the user")]
    UserNotVerified,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("the signature counter went backwards (a cloned key?)")]
    CounterRegression,
}

pub type WebauthnResult<T> = Result<T, WebauthnError>;

/// The ceremonies: the two named in `clientDataJSON.type`, and the step-up, which the browser
/// sees as an authentication but Harbour keeps apart (a challenge issued to sign in does not
/// answer a step-up, nor the reverse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    Registration,
    Authentication,
    StepUp,
}

impl Ceremony {
    pub fn client_data_type(self) -> &'static str {
        match self {
            Ceremony::Registration => "webauthn.create",
            Ceremony::Authentication | Ceremony::StepUp => "webauthn.get",
        }
    }
    /// The name stored with a challenge, binding it to its ceremony.
    pub fn as_str(self) -> &'static str {
        match self {
            Ceremony::Registration => "registration",
            Ceremony::Authentication => "authentication",
            Ceremony::StepUp => "step-up",
        }
    }
}

/// The fields of `clientDataJSON` that are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientData {
    pub kind: String,
    pub challenge: Vec<u8>,
    pub origin: String,
    pub cross_origin: bool,
}

#[derive(serde::Deserialize)]
struct RawClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
    #[serde(rename = "crossOrigin", default)]
    cross_origin: Option<bool>,
}

/// Decode base64url without padding (what WebAuthn uses everywhere); padding is tolerated.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .ok()
}

pub fn b64url_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Parse `clientDataJSON` (other members, e.g. `tokenBinding`, are allowed and ignored, as the
/// specification requires of relying parties).
pub fn parse_client_data(bytes: &[u8]) -> WebauthnResult<ClientData> {
    let raw: RawClientData = serde_json::from_slice(bytes)
        .map_err(|_| WebauthnError::ClientData("not the expected JSON"))?;
    let challenge = b64url_decode(&raw.challenge)
        .ok_or(WebauthnError::ClientData("challenge is not base64url"))?;
    Ok(ClientData {
        kind: raw.kind,
        challenge,
        origin: raw.origin,
        cross_origin: raw.cross_origin.unwrap_or(false),
    })
}

/// An ES256 public key, from its COSE form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub x: [u8; 32],
    pub y: [u8; 32],
}

fn int_key(c: &Cbor<'_>) -> Option<i64> {
    c.as_int()
}

/// Parse a COSE_Key (RFC 9052/9053): EC2 (kty 2), alg ES256 (-7), curve P-256 (1), 32-byte x
/// and y. Returns the key and how many bytes it took (in authenticator data, extensions may
/// follow it).
pub fn parse_cose_key(bytes: &[u8]) -> WebauthnResult<(PublicKey, usize)> {
    let (value, used) = cbor::decode(bytes).map_err(WebauthnError::Cbor)?;
    let Cbor::Map(entries) = value else {
        return Err(WebauthnError::CoseKey("not a map"));
    };
    let get = |k: i64| {
        entries
            .iter()
            .find(|(key, _)| int_key(key) == Some(k))
            .map(|(_, v)| v)
    };
    if get(1).and_then(Cbor::as_int) != Some(2) {
        return Err(WebauthnError::CoseKey("key type is not EC2"));
    }
    if get(3).and_then(Cbor::as_int) != Some(COSE_ES256) {
        return Err(WebauthnError::CoseKey("algorithm is not ES256"));
    }
    if get(-1).and_then(Cbor::as_int) != Some(1) {
        return Err(WebauthnError::CoseKey("curve is not P-256"));
    }
    let coord = |k: i64| -> WebauthnResult<[u8; 32]> {
        match get(k) {
            Some(Cbor::Bytes(b)) => <[u8; 32]>::try_from(*b)
                .map_err(|_| WebauthnError::CoseKey("coordinate is not 32 bytes")),
            _ => Err(WebauthnError::CoseKey("coordinate missing")),
        }
    };
    let key = PublicKey {
        x: coord(-2)?,
        y: coord(-3)?,
    };
    // The point must be on the curve, or later signatures could never verify.
    verifying_key(&key)?;
    Ok((key, used))
}

fn verifying_key(key: &PublicKey) -> WebauthnResult<p256::ecdsa::VerifyingKey> {
    let point = p256::EncodedPoint::from_affine_coordinates(&key.x.into(), &key.y.into(), false);
    p256::ecdsa::VerifyingKey::from_encoded_point(&point)
        .map_err(|_| WebauthnError::CoseKey("not a point on P-256"))
}

/// The credential an authenticator creates (in registration's authenticator data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedCredential {
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    pub public_key: PublicKey,
    /// The COSE bytes of the key as sent (what Harbour stores).
    pub cose_key: Vec<u8>,
}

/// Authenticator data (WebAuthn §6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthData {
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    pub credential: Option<AttestedCredential>,
}

/// Longest credential id the specification allows.
pub const MAX_CREDENTIAL_ID: usize = 1023;

/// Parse authenticator data: 32-byte rpIdHash, flags, big-endian counter; attested credential
/// data when AT is set; an extensions map when ED is set; nothing after that.
pub fn parse_auth_data(bytes: &[u8]) -> WebauthnResult<AuthData> {
    if bytes.len() < 37 {
        return Err(WebauthnError::AuthData("shorter than 37 bytes"));
    }
    let mut rp_id_hash = [0u8; 32];
    rp_id_hash.copy_from_slice(&bytes[..32]);
    let flags = bytes[32];
    let sign_count = u32::from_be_bytes([bytes[33], bytes[34], bytes[35], bytes[36]]);
    let mut rest = &bytes[37..];
    let credential = if flags & FLAG_AT != 0 {
        if rest.len() < 18 {
            return Err(WebauthnError::AuthData(
                "attested credential data cut short",
            ));
        }
        let mut aaguid = [0u8; 16];
        aaguid.copy_from_slice(&rest[..16]);
        let len = usize::from(u16::from_be_bytes([rest[16], rest[17]]));
        rest = &rest[18..];
        if len == 0 || len > MAX_CREDENTIAL_ID {
            return Err(WebauthnError::AuthData("credential id length out of range"));
        }
        if rest.len() < len {
            return Err(WebauthnError::AuthData("credential id cut short"));
        }
        let credential_id = rest[..len].to_vec();
        rest = &rest[len..];
        let (public_key, used) = parse_cose_key(rest)?;
        let cose_key = rest[..used].to_vec();
        rest = &rest[used..];
        Some(AttestedCredential {
            aaguid,
            credential_id,
            public_key,
            cose_key,
        })
    } else {
        None
    };
    if flags & FLAG_ED != 0 {
        let (ext, used) = cbor::decode(rest).map_err(WebauthnError::Cbor)?;
        if !matches!(ext, Cbor::Map(_)) {
            return Err(WebauthnError::AuthData("extensions are not a map"));
        }
        rest = &rest[used..];
    }
    if !rest.is_empty() {
        return Err(WebauthnError::AuthData("bytes left over"));
    }
    Ok(AuthData {
        rp_id_hash,
        flags,
        sign_count,
        credential,
    })
}

/// The attestation object: its format name and authenticator data (the statement is not
/// verified; see the module comment).
pub fn parse_attestation_object(bytes: &[u8]) -> WebauthnResult<(String, AuthData)> {
    let (value, used) = cbor::decode(bytes).map_err(WebauthnError::Cbor)?;
    if used != bytes.len() {
        return Err(WebauthnError::Attestation("bytes left over"));
    }
    let Cbor::Map(entries) = value else {
        return Err(WebauthnError::Attestation("not a map"));
    };
    let get = |k: &str| {
        entries
            .iter()
            .find(|(key, _)| matches!(key, Cbor::Text(t) if *t == k))
            .map(|(_, v)| v)
    };
    let fmt = match get("fmt") {
        Some(Cbor::Text(t)) => (*t).to_string(),
        _ => return Err(WebauthnError::Attestation("fmt missing")),
    };
    let auth_data = match get("authData") {
        Some(Cbor::Bytes(b)) => parse_auth_data(b)?,
        _ => return Err(WebauthnError::Attestation("authData missing")),
    };
    Ok((fmt, auth_data))
}

/// What the relying party expects of an answer.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub ceremony: Ceremony,
    /// The origin of the site, e.g. `https://harbour.example` (scheme, host, port if any).
    pub origin: &'a str,
    pub rp_id: &'a str,
    /// Whether the authenticator must have verified the user (PIN or biometrics).
    pub require_user_verification: bool,
}

/// Check `clientDataJSON` against the ceremony and origin; returns the challenge it carries (the
/// caller then spends that challenge in the database, bound to the user and the ceremony).
pub fn check_client_data(bytes: &[u8], expected: &Expected<'_>) -> WebauthnResult<Vec<u8>> {
    let cd = parse_client_data(bytes)?;
    if cd.kind != expected.ceremony.client_data_type() {
        return Err(WebauthnError::WrongType(
            expected.ceremony.client_data_type(),
        ));
    }
    if cd.origin != expected.origin || cd.cross_origin {
        return Err(WebauthnError::WrongOrigin);
    }
    if cd.challenge.is_empty() {
        return Err(WebauthnError::WrongChallenge);
    }
    Ok(cd.challenge)
}

fn check_auth_data(ad: &AuthData, expected: &Expected<'_>) -> WebauthnResult<()> {
    let want: [u8; 32] = Sha256::digest(expected.rp_id.as_bytes()).into();
    if !harbour_crypto::ct_eq(&ad.rp_id_hash, &want) {
        return Err(WebauthnError::WrongRpId);
    }
    if ad.flags & FLAG_UP == 0 {
        return Err(WebauthnError::UserNotPresent);
    }
    if expected.require_user_verification && ad.flags & FLAG_UV == 0 {
        return Err(WebauthnError::UserNotVerified);
    }
    Ok(())
}

/// Verify a registration's attestation object (client data checked separately with
/// [`check_client_data`]); returns the new credential and its counter.
pub fn verify_registration(
    attestation_object: &[u8],
    expected: &Expected<'_>,
) -> WebauthnResult<(AttestedCredential, u32)> {
    let (_fmt, ad) = parse_attestation_object(attestation_object)?;
    check_auth_data(&ad, expected)?;
    let credential = ad
        .credential
        .ok_or(WebauthnError::AuthData("no attested credential"))?;
    Ok((credential, ad.sign_count))
}

/// Verify an assertion by a stored credential: authenticator data checks, the ES256 signature
/// over `authenticatorData ‖ SHA-256(clientDataJSON)`, and the counter. Returns the new counter.
pub fn verify_assertion(
    client_data_json: &[u8],
    authenticator_data: &[u8],
    signature: &[u8],
    cose_key: &[u8],
    stored_count: u32,
    expected: &Expected<'_>,
) -> WebauthnResult<u32> {
    let ad = parse_auth_data(authenticator_data)?;
    check_auth_data(&ad, expected)?;
    let (key, _) = parse_cose_key(cose_key)?;
    let vk = verifying_key(&key)?;
    let sig =
        p256::ecdsa::Signature::from_der(signature).map_err(|_| WebauthnError::BadSignature)?;
    let mut message = authenticator_data.to_vec();
    message.extend_from_slice(&Sha256::digest(client_data_json));
    p256::ecdsa::signature::Verifier::verify(&vk, &message, &sig)
        .map_err(|_| WebauthnError::BadSignature)?;
    // A counter of zero on both sides means the authenticator keeps none (passkeys); otherwise
    // it must grow, or two copies of the key exist.
    if (ad.sign_count != 0 || stored_count != 0) && ad.sign_count <= stored_count {
        return Err(WebauthnError::CounterRegression);
    }
    Ok(ad.sign_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cose(x: &[u8], y: &[u8], alg: i64) -> Vec<u8> {
        let mut v = vec![0xa5, 0x01, 0x02, 0x03];
        // alg as a negative integer (-1 - n)
        v.push(0x20 | u8::try_from(-1 - alg).unwrap());
        v.extend([0x20, 0x01, 0x21, 0x58, 0x20]);
        v.extend(x);
        v.extend([0x22, 0x58, 0x20]);
        v.extend(y);
        v
    }

    fn real_key() -> (Vec<u8>, Vec<u8>) {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let p = sk.verifying_key().to_encoded_point(false);
        (p.x().unwrap().to_vec(), p.y().unwrap().to_vec())
    }

    #[test]
    fn a_cose_es256_key_parses_and_others_are_refused() {
        let (x, y) = real_key();
        let k = cose(&x, &y, -7);
        let (key, used) = parse_cose_key(&k).unwrap();
        assert_eq!(used, k.len());
        assert_eq!(key.x.to_vec(), x);
        assert_eq!(
            parse_cose_key(&cose(&x, &y, -8)),
            Err(WebauthnError::CoseKey("algorithm is not ES256"))
        );
        let mut off_curve = y.clone();
        off_curve[31] ^= 1;
        assert_eq!(
            parse_cose_key(&cose(&x, &off_curve, -7)),
            Err(WebauthnError::CoseKey("not a point on P-256"))
        );
        assert!(matches!(
            parse_cose_key(&k[..k.len() - 1]),
            Err(WebauthnError::Cbor(_))
        ));
    }

    #[test]
    fn authenticator_data_parses_and_rejects_leftovers() {
        let (x, y) = real_key();
        let mut ad = vec![9u8; 32];
        ad.push(FLAG_UP | FLAG_UV | FLAG_AT);
        ad.extend(5u32.to_be_bytes());
        ad.extend([0u8; 16]);
        ad.extend(3u16.to_be_bytes());
        ad.extend([1, 2, 3]);
        ad.extend(cose(&x, &y, -7));
        let parsed = parse_auth_data(&ad).unwrap();
        assert_eq!(parsed.sign_count, 5);
        assert_eq!(parsed.credential.unwrap().credential_id, vec![1, 2, 3]);
        let mut longer = ad.clone();
        longer.push(0);
        assert_eq!(
            parse_auth_data(&longer),
            Err(WebauthnError::AuthData("bytes left over"))
        );
        assert_eq!(
            parse_auth_data(&ad[..36]),
            Err(WebauthnError::AuthData("shorter than 37 bytes"))
        );
        let mut zero_len = ad[..53].to_vec();
        zero_len.extend([0, 0]);
        assert_eq!(
            parse_auth_data(&zero_len),
            Err(WebauthnError::AuthData("credential id length out of range"))
        );
    }

    #[test]
    fn client_data_is_checked_for_type_origin_and_challenge() {
        let exp = Expected {
            ceremony: Ceremony::Authentication,
            origin: "https://harbour.example",
            rp_id: "harbour.example",
            require_user_verification: true,
        };
        let good = br#"{"type":"webauthn.get","challenge":"AAEC","origin":"https://harbour.example","crossOrigin":false,"other":1}"#;
        assert_eq!(check_client_data(good, &exp), Ok(vec![0, 1, 2]));
        let create =
            br#"{"type":"webauthn.create","challenge":"AAEC","origin":"https://harbour.example"}"#;
        assert_eq!(
            check_client_data(create, &exp),
            Err(WebauthnError::WrongType("webauthn.get"))
        );
        let evil = br#"{"type":"webauthn.get","challenge":"AAEC","origin":"https://harbour.example.evil"}"#;
        assert_eq!(
            check_client_data(evil, &exp),
            Err(WebauthnError::WrongOrigin)
        );
        assert!(matches!(
            check_client_data(b"{", &exp),
            Err(WebauthnError::ClientData(_))
        ));
        let bad = br#"{"type":"webauthn.get","challenge":"!!","origin":"https://harbour.example"}"#;
        assert!(matches!(
            check_client_data(bad, &exp),
            Err(WebauthnError::ClientData(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse_auth_data(&bytes);
            let _ = parse_cose_key(&bytes);
            let _ = parse_attestation_object(&bytes);
            let _ = parse_client_data(&bytes);
        }

        #[test]
        fn truncated_authenticator_data_is_an_error_not_a_panic(cut in 0usize..140) {
            let (x, y) = real_key();
            let mut ad = vec![9u8; 32];
            ad.push(FLAG_UP | FLAG_AT);
            ad.extend(0u32.to_be_bytes());
            ad.extend([0u8; 16]);
            ad.extend(2u16.to_be_bytes());
            ad.extend([1, 2]);
            ad.extend(cose(&x, &y, -7));
            if cut < ad.len() {
                proptest::prop_assert!(parse_auth_data(&ad[..cut]).is_err());
            }
        }
    }
}
