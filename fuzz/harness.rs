// One function per parser of outside input, shared by the fuzz targets (fuzz/fuzz_targets/) and
// by the regression test that replays fuzz/regressions/<target>/ in `cargo test`
// (crates/harbour/tests/fuzz_regressions.rs). Each must never panic, whatever the bytes: bad
// input is an error value, never a crash. Included with `include!`, so no `use` at top level.

/// JSON bodies of the API's inputs: referrals (parsed, then validated as the service does),
/// decisions, screenings, anonymous notifications, erasure-style free text.
pub fn json_inputs(data: &[u8]) {
    let today = time::macros::date!(2026 - 11 - 28);
    if let Ok(r) = serde_json::from_slice::<harbour_domain::Referral>(data) {
        if let Ok(valid) = r.validate(today) {
            // What the service computes from a valid referral must not panic either.
            let _ = harbour_domain::minority_at(&valid.person.birth, None, today);
            let _ = valid.person.birth.age_bounds(today);
            let _ = valid.person.display_name();
        }
    }
    let _ = serde_json::from_slice::<harbour_service::cases::DecisionInput>(data);
    let _ = serde_json::from_slice::<harbour_service::cases::AnonymousNotificationInput>(data);
    let _ = serde_json::from_slice::<harbour_service::screening::ScreeningInput>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = harbour_domain::retention::ErasureRecord::new(
            harbour_domain::retention::ErasureBasis::PersonRequest,
            text,
        );
    }
}

/// National policy files.
pub fn policy_toml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = harbour_domain::Policy::from_toml(text) {
            let day = time::macros::date!(2026 - 11 - 28);
            let _ = p.reasonable_grounds_due(day);
            let _ = p.recovery_period_end(day);
            let _ = p.move_on_end(day);
        }
    }
}

/// Indicator lists and the quick screen checklist (national lists are loaded from files).
pub fn indicator_toml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(list) = harbour_indicators::IndicatorList::from_toml_str("fuzz.toml", text) {
            let _ = list.to_toml_string();
        }
        if let Ok(q) = harbour_indicators::QuickScreen::from_toml_str("fuzz.toml", text) {
            let _ = q.evaluate(&["debt_to_recruiter", "x"]);
            let _ = q.to_toml_string();
        }
    }
}

/// The record-linkage matcher's CSV reader (family tracing, de-duplication files).
pub fn match_csv(data: &[u8]) {
    use harbour_match::record::Field;
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "harbour-fuzz-{}-{}.csv",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    if std::fs::write(&path, data).is_ok() {
        let map = [
            (Field::GivenName, "given".to_string()),
            (Field::Surname, "surname".to_string()),
            (Field::DateOfBirth, "dob".to_string()),
            (Field::Sex, "sex".to_string()),
        ];
        let _ = harbour_match::io::read_csv(&path, "id", &map, 2026);
        let _ = std::fs::remove_file(&path);
    }
}

/// PDQ hash banks as stored on disk, and hashes as typed on the command line or sent by platforms.
pub fn pdq_bank(data: &[u8]) {
    if let Ok(bank) = harbour_pdq::bank::Bank::from_bytes("fuzz", data, "fuzz.bank") {
        let _ = bank.to_bytes();
        let _ = bank.search(&[harbour_pdq::Hash256::default()], 32);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = harbour_pdq::Hash256::from_hex(text);
    }
}

/// Image files hashed by `harbour hashbank add --image` and `harbour pdq hash`.
pub fn pdq_image(data: &[u8]) {
    if let Ok(px) = harbour_pdq::decode::decode_bytes(data, Default::default()) {
        let _ = harbour_pdq::hash(px.as_ref());
    }
}

/// What browsers and authenticators send for security keys (WebAuthn): authenticator data, COSE
/// keys, attestation objects and client data, then a whole assertion check over the same bytes.
pub fn webauthn(data: &[u8]) {
    use harbour_service::webauthn::verify;
    let _ = verify::parse_auth_data(data);
    let _ = verify::parse_cose_key(data);
    let _ = verify::parse_client_data(data);
    if let Ok((_, ad)) = verify::parse_attestation_object(data) {
        if let Some(c) = ad.credential {
            let expected = verify::Expected {
                ceremony: verify::Ceremony::Authentication,
                origin: "http://localhost:8080",
                rp_id: "localhost",
                require_user_verification: true,
            };
            let _ = verify::verify_assertion(b"{}", data, data, &c.cose_key, 0, &expected);
        }
    }
}
