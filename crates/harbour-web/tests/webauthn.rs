//! Security keys (WebAuthn) over real HTTP, on every backend, with this test acting as the
//! authenticator and the browser: a real P-256 key, real authenticator data, attestation and
//! assertion objects, signed as a FIDO2 key signs them. ASVS 6.3.3 (L3): a phishing-resistant
//! second factor; each refusal below is something a phishing relay or a cloned key would need.

mod common;

use base64::Engine;
use common::{backends, TestApp, PASSWORD};
use harbour_domain::{OrgKind, Role};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::Duration;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

/// CBOR heads for the few shapes an authenticator writes.
fn head(major: u8, len: usize) -> Vec<u8> {
    match len {
        0..=23 => vec![(major << 5) | len as u8],
        24..=255 => vec![(major << 5) | 24, len as u8],
        _ => {
            let mut v = vec![(major << 5) | 25];
            v.extend((len as u16).to_be_bytes());
            v
        }
    }
}

fn text(s: &str) -> Vec<u8> {
    let mut v = head(3, s.len());
    v.extend(s.as_bytes());
    v
}

fn bytes(b: &[u8]) -> Vec<u8> {
    let mut v = head(2, b.len());
    v.extend(b);
    v
}

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

/// A FIDO2 security key holding one credential.
struct Authenticator {
    key: SigningKey,
    credential_id: Vec<u8>,
    counter: u32,
}

impl Authenticator {
    fn new(seed: u8) -> Authenticator {
        Authenticator {
            key: SigningKey::from_slice(&[seed; 32]).unwrap(),
            credential_id: (0..32).map(|i| seed.wrapping_add(i)).collect(),
            counter: 0,
        }
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut v = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        v.extend(bytes(point.x().unwrap()));
        v.push(0x22);
        v.extend(bytes(point.y().unwrap()));
        v
    }

    fn auth_data(&self, rp_id: &str, flags: u8, counter: u32, attested: bool) -> Vec<u8> {
        let mut ad = Sha256::digest(rp_id.as_bytes()).to_vec();
        ad.push(flags | if attested { AT } else { 0 });
        ad.extend(counter.to_be_bytes());
        if attested {
            ad.extend([0u8; 16]);
            ad.extend((self.credential_id.len() as u16).to_be_bytes());
            ad.extend(&self.credential_id);
            ad.extend(self.cose_key());
        }
        ad
    }

    /// `navigator.credentials.create` answered: (clientDataJSON, attestationObject).
    fn register(&self, options: &Value, origin: &str) -> (Vec<u8>, Vec<u8>) {
        let pk = &options["publicKey"];
        let client_data = json!({
            "type": "webauthn.create",
            "challenge": pk["challenge"],
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes();
        let ad = self.auth_data(pk["rp"]["id"].as_str().unwrap(), UP | UV, 0, true);
        let mut att = vec![0xa3];
        att.extend(text("fmt"));
        att.extend(text("none"));
        att.extend(text("attStmt"));
        att.push(0xa0);
        att.extend(text("authData"));
        att.extend(bytes(&ad));
        (client_data, att)
    }
}

/// One assertion and what to change in it.
struct Answer<'a> {
    origin: &'a str,
    rp_id: &'a str,
    kind: &'a str,
    flags: u8,
    /// `None`: the next counter value.
    counter: Option<u32>,
    /// `None`: the challenge from the options.
    challenge: Option<String>,
    corrupt_signature: bool,
    /// Sign with this authenticator's key and name its credential (default: the user's own).
    other: Option<&'a Authenticator>,
}

impl<'a> Answer<'a> {
    fn honest(origin: &'a str) -> Answer<'a> {
        Answer {
            origin,
            rp_id: "localhost",
            kind: "webauthn.get",
            flags: UP | UV,
            counter: None,
            challenge: None,
            corrupt_signature: false,
            other: None,
        }
    }
}

impl Authenticator {
    fn assert(&mut self, options: &Value, mfa_challenge: &str, answer: &Answer<'_>) -> Value {
        let challenge = answer
            .challenge
            .clone()
            .unwrap_or_else(|| options["publicKey"]["challenge"].as_str().unwrap().into());
        let client_data = json!({
            "type": answer.kind,
            "challenge": challenge,
            "origin": answer.origin,
        })
        .to_string()
        .into_bytes();
        let signer = answer.other.unwrap_or(self);
        let counter = answer.counter.unwrap_or(self.counter + 1);
        let ad = signer.auth_data(answer.rp_id, answer.flags, counter, false);
        let mut message = ad.clone();
        message.extend(Sha256::digest(&client_data));
        let sig: Signature = signer.key.sign(&message);
        let mut der = sig.to_der().as_bytes().to_vec();
        if answer.corrupt_signature {
            let last = der.len() - 1;
            der[last] ^= 0x01;
        }
        let credential_id = signer.credential_id.clone();
        if answer.other.is_none() && answer.counter.is_none() {
            self.counter = counter;
        }
        json!({
            "challenge": mfa_challenge,
            "credential_id": b64(&credential_id),
            "client_data_json": b64(&client_data),
            "authenticator_data": b64(&ad),
            "signature": b64(&der),
        })
    }
}

fn origin(app: &TestApp) -> String {
    let port = app.base.rsplit(':').next().unwrap();
    format!("http://localhost:{port}")
}

/// The password step: the challenge for the second factor.
async fn password_step(app: &TestApp, email: &str) -> String {
    let (s, v) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["mfa_required"], json!(true));
    v["challenge"].as_str().unwrap().to_string()
}

async fn key_options(app: &TestApp, mfa_challenge: &str) -> Value {
    let (s, v) = app
        .post(
            "/api/v1/auth/mfa/security-key/options",
            None,
            json!({"challenge": mfa_challenge}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn register(app: &TestApp, token: &str, auth: &Authenticator, name: &str) -> (u16, Value) {
    let (s, options) = app
        .post("/api/v1/me/security-keys/options", Some(token), json!({}))
        .await;
    assert_eq!(s, 200, "{options}");
    let (cd, att) = auth.register(&options, &origin(app));
    app.post(
        "/api/v1/me/security-keys",
        Some(token),
        json!({"name": name, "client_data_json": b64(&cd), "attestation_object": b64(&att)}),
    )
    .await
}

/// A whole sign-in with the key; returns the status and body of the last step.
async fn sign_in(
    app: &TestApp,
    email: &str,
    auth: &mut Authenticator,
    answer: &Answer<'_>,
) -> (u16, Value) {
    let mfa = password_step(app, email).await;
    let options = key_options(app, &mfa).await;
    let body = auth.assert(&options, &mfa, answer);
    app.post("/api/v1/auth/mfa/security-key", None, body).await
}

#[tokio::test]
async fn a_security_key_is_registered_signs_in_and_refuses_every_forgery() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let org = app.org("Fake Police Unit", OrgKind::Police).await;
        let (token, _) = app
            .user("key@test.invalid", &org, Role::FirstResponder)
            .await;
        let (other_token, _) = app
            .user("other@test.invalid", &org, Role::FirstResponder)
            .await;
        let origin = origin(&app);
        let mut key = Authenticator::new(7);
        let other_key = Authenticator::new(9);

        // Registration: options name this site, ES256, no attestation; the answer is checked.
        let (s, options) = app
            .post("/api/v1/me/security-keys/options", Some(&token), json!({}))
            .await;
        assert_eq!(s, 200);
        let pk = &options["publicKey"];
        assert_eq!(pk["rp"]["id"], "localhost");
        assert_eq!(pk["pubKeyCredParams"][0]["alg"], -7);
        assert_eq!(pk["attestation"], "none");
        assert_eq!(pk["authenticatorSelection"]["userVerification"], "required");
        assert!(unb64(pk["challenge"].as_str().unwrap()).len() >= 16);
        let (cd, att) = key.register(&options, &origin);
        let add = |cd: &[u8], att: &[u8]| json!({"name": "Blue key", "client_data_json": b64(cd), "attestation_object": b64(att)});
        let (s, v) = app
            .post("/api/v1/me/security-keys", Some(&token), add(&cd, &att))
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["name"], "Blue key");
        let key_id = v["id"].as_str().unwrap().to_string();
        // The same answer again: its challenge is spent.
        let (s, v) = app
            .post("/api/v1/me/security-keys", Some(&token), add(&cd, &att))
            .await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["pointer"], "/attestation_object", "{v}");
        // Registration from another origin, or the same credential for another account: refused.
        let (_, options) = app
            .post("/api/v1/me/security-keys/options", Some(&token), json!({}))
            .await;
        let (cd, att) = other_key.register(&options, "http://localhost.evil.example");
        let (s, _) = app
            .post("/api/v1/me/security-keys", Some(&token), add(&cd, &att))
            .await;
        assert_eq!(s, 422);
        let (s, v) = register(&app, &other_token, &key, "Stolen id").await;
        assert_eq!(s, 409, "a credential id is registered once: {v}");
        let (s, v) = register(&app, &other_token, &other_key, "Their key").await;
        assert_eq!(s, 201, "{v}");
        let other_key_id = v["id"].as_str().unwrap().to_string();
        // Malformed binary fields are named.
        let (s, v) = app
            .post(
                "/api/v1/me/security-keys",
                Some(&token),
                json!({"name": "x", "client_data_json": "not base64!", "attestation_object": "AAAA"}),
            )
            .await;
        assert_eq!(
            (s, v["errors"][0]["pointer"].clone()),
            (422, json!("/client_data_json"))
        );

        // Sign-in: the options list the account's key; the honest answer opens a session.
        let mfa = password_step(&app, "key@test.invalid").await;
        let options = key_options(&app, &mfa).await;
        assert_eq!(options["publicKey"]["rpId"], "localhost");
        assert_eq!(
            options["publicKey"]["allowCredentials"][0]["id"],
            json!(b64(&key.credential_id))
        );
        let honest = key.assert(&options, &mfa, &Answer::honest(&origin));
        let (s, v) = app
            .post("/api/v1/auth/mfa/security-key", None, honest.clone())
            .await;
        assert_eq!(s, 200, "{v}");
        let session = v["token"].as_str().unwrap().to_string();
        assert_eq!(app.get("/api/v1/me", Some(&session)).await.0, 200);
        // The challenge session is spent with it.
        let (s, _) = app
            .post("/api/v1/auth/mfa/security-key", None, honest.clone())
            .await;
        assert_eq!(s, 401);

        // Every forgery is refused (401), and an honest answer still works after each, so each
        // refusal is for the reason named. The clock moves past the throttling window now and
        // then so that the refusals, counted as failed sign-ins, do not lock the account.
        let mfa = password_step(&app, "key@test.invalid").await;
        key_options(&app, &mfa).await;
        let mut replay = honest.clone();
        replay["challenge"] = json!(mfa);
        let (s, _) = app
            .post("/api/v1/auth/mfa/security-key", None, replay)
            .await;
        assert_eq!(s, 401, "a replayed WebAuthn challenge");
        let forgeries: Vec<(&str, Answer<'_>)> = vec![
            (
                "wrong origin (a look-alike site relaying the sign-in)",
                Answer {
                    origin: "http://localhost.evil.example",
                    ..Answer::honest(&origin)
                },
            ),
            (
                "wrong relying-party id",
                Answer {
                    rp_id: "evil.example",
                    ..Answer::honest(&origin)
                },
            ),
            (
                "counter regression (a cloned key)",
                Answer {
                    counter: Some(1),
                    ..Answer::honest(&origin)
                },
            ),
            (
                "bad signature",
                Answer {
                    corrupt_signature: true,
                    ..Answer::honest(&origin)
                },
            ),
            (
                "another user's credential",
                Answer {
                    other: Some(&other_key),
                    ..Answer::honest(&origin)
                },
            ),
            (
                "user verification missing",
                Answer {
                    flags: UP,
                    ..Answer::honest(&origin)
                },
            ),
            (
                "user presence missing",
                Answer {
                    flags: UV,
                    ..Answer::honest(&origin)
                },
            ),
            (
                "a registration's client data",
                Answer {
                    kind: "webauthn.create",
                    ..Answer::honest(&origin)
                },
            ),
            (
                "a challenge never issued",
                Answer {
                    challenge: Some(b64(&[1u8; 32])),
                    ..Answer::honest(&origin)
                },
            ),
        ];
        for (what, answer) in &forgeries {
            let (s, v) = sign_in(&app, "key@test.invalid", &mut key, answer).await;
            assert_eq!(s, 401, "{what}: {v}");
            let (s, v) =
                sign_in(&app, "key@test.invalid", &mut key, &Answer::honest(&origin)).await;
            assert_eq!(s, 200, "after {what}: {v}");
            app.clock.advance(Duration::minutes(16));
        }
        // A challenge issued for one login answers for no other: the other user's options
        // challenge, signed by this user's key, is refused.
        let their_mfa = password_step(&app, "other@test.invalid").await;
        let their_options = key_options(&app, &their_mfa).await;
        let stolen = their_options["publicKey"]["challenge"]
            .as_str()
            .unwrap()
            .to_string();
        let (s, _) = sign_in(
            &app,
            "key@test.invalid",
            &mut key,
            &Answer {
                challenge: Some(stolen),
                ..Answer::honest(&origin)
            },
        )
        .await;
        assert_eq!(s, 401, "another user's challenge");

        // The list shows name, added, last used; nobody removes another's key; removal is noted.
        let session = app.login("key@test.invalid", PASSWORD).await;
        let (s, v) = app.get("/api/v1/me/security-keys", Some(&session)).await;
        assert_eq!(s, 200);
        assert_eq!(v["security_keys"][0]["name"], "Blue key");
        assert!(v["security_keys"][0]["last_used_at"].is_string());
        let (s, _) = app
            .post(
                &format!("/api/v1/me/security-keys/{other_key_id}/remove"),
                Some(&session),
                json!({}),
            )
            .await;
        assert_eq!(s, 404, "another user's key is not found");
        let (s, _) = app
            .post(
                &format!("/api/v1/me/security-keys/{key_id}/remove"),
                Some(&session),
                json!({}),
            )
            .await;
        assert_eq!(s, 204);
        let (_, v) = app.get("/api/v1/me/security-keys", Some(&session)).await;
        assert_eq!(v["security_keys"], json!([]));
        let (_, v) = app.get("/api/v1/me/security-notices", Some(&session)).await;
        let kinds: Vec<&str> = v["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"security_key_added") && kinds.contains(&"security_key_removed"),
            "{kinds:?}"
        );
        // Without a key, the key step is not offered; TOTP still works.
        let mfa = password_step(&app, "key@test.invalid").await;
        let (s, _) = app
            .post(
                "/api/v1/auth/mfa/security-key/options",
                None,
                json!({"challenge": mfa}),
            )
            .await;
        assert_eq!(s, 403);
        app.finish().await;
    }
}

/// A page as the browser with this session cookie gets it (redirects not followed).
async fn page(app: &TestApp, path: &str, token: &str) -> (u16, String, String) {
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}{path}", app.base))
        .header("cookie", format!("harbour_session={token}"))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

/// `access.require_security_key` (ASVS 6.3.3 at L3 as policy): a user who reads cases and has no
/// key signs in with TOTP but reaches only their own account until they add one; then codes no
/// longer sign them in, only the key; and the last key cannot be removed.
#[tokio::test]
async fn a_policy_requiring_keys_closes_cases_until_one_is_added_then_refuses_codes() {
    for backend in backends() {
        let mut policy = harbour_domain::Policy::shipped_default();
        policy.access.require_security_key = true;
        let app = TestApp::start_with_policy(&backend, policy).await;
        let org = app.org("Fake Police Unit", OrgKind::Police).await;
        let office = app
            .org("Fake Statistics Office", OrgKind::NationalCoordinator)
            .await;
        let (token, _) = app
            .user("key@test.invalid", &org, Role::FirstResponder)
            .await;
        let (s, v) = app.get("/api/v1/cases", Some(&token)).await;
        assert_eq!(
            (s, v["type"].as_str()),
            (403, Some("/problems/security-key-required")),
            "{v}"
        );
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 200);
        assert_eq!(
            app.get("/api/v1/me/security-keys", Some(&token)).await.0,
            200
        );
        // The pages send such a user to add a key; their account pages still open.
        for path in ["/", "/cases"] {
            let (s, location, _) = page(&app, path, &token).await;
            assert_eq!(
                (s, location.as_str()),
                (303, "/account/security-keys"),
                "{path}"
            );
        }
        let (s, _, html) = page(&app, "/account/security-keys", &token).await;
        assert_eq!(s, 200);
        assert!(
            html.contains("Your organisation requires a security key"),
            "{html}"
        );
        assert_eq!(page(&app, "/account/sessions", &token).await.0, 200);
        // A role that reads no case is not concerned.
        let (coordinator, _) = app
            .user("coord@test.invalid", &office, Role::Coordinator)
            .await;
        assert_eq!(
            app.get("/api/v1/statistics/referrals", Some(&coordinator))
                .await
                .0,
            200
        );

        let mut key = Authenticator::new(3);
        let (s, v) = register(&app, &token, &key, "Only key").await;
        assert_eq!(s, 201, "{v}");
        let key_id = v["id"].as_str().unwrap().to_string();
        assert_eq!(app.get("/api/v1/cases", Some(&token)).await.0, 200);
        assert_eq!(page(&app, "/cases", &token).await.0, 200);

        // Codes no longer sign this user in; the key does.
        let mfa = password_step(&app, "key@test.invalid").await;
        let code = app.totp_code("key@test.invalid");
        let (s, v) = app
            .post(
                "/api/v1/auth/mfa",
                None,
                json!({"challenge": mfa, "code": code}),
            )
            .await;
        assert_eq!(s, 403, "{v}");
        let (s, v) = sign_in(
            &app,
            "key@test.invalid",
            &mut key,
            &Answer::honest(&origin(&app)),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let session = v["token"].as_str().unwrap().to_string();
        let (s, v) = app
            .post(
                &format!("/api/v1/me/security-keys/{key_id}/remove"),
                Some(&session),
                json!({}),
            )
            .await;
        assert_eq!(s, 403, "the last key stays: {v}");
        assert_eq!(
            app.get("/api/v1/me/security-keys", Some(&session)).await.1["security_keys"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        app.finish().await;
    }
}

/// A key's answer as the step-up takes it: the assertion alone (no login challenge).
fn step_up_answer(mut assertion: Value) -> Value {
    assertion.as_object_mut().unwrap().remove("challenge");
    assertion
}

async fn step_up_options(app: &TestApp, token: &str) -> Value {
    let (s, v) = app
        .post(
            "/api/v1/me/step-up/security-key/options",
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

/// New recovery codes after a step-up answered with the key; the new session token.
async fn renew_with_key(
    app: &TestApp,
    token: &str,
    key: &mut Authenticator,
    answer: &Answer<'_>,
) -> (u16, Value) {
    let options = step_up_options(app, token).await;
    let body = step_up_answer(key.assert(&options, "", answer));
    app.post(
        "/api/v1/me/recovery-codes",
        Some(token),
        json!({"password": PASSWORD, "security_key": body}),
    )
    .await
}

/// The value of an HTML attribute as askama escaped it.
fn attribute(html: &str, name: &str) -> String {
    let start = html
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + name.len()
        + 2;
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A form posted by the browser with this session cookie (redirects not followed).
async fn page_post(app: &TestApp, path: &str, token: &str, form: &str) -> (u16, String, String) {
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}{path}", app.base))
        .header("cookie", format!("harbour_session={token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={}&{form}",
            harbour_web::pages::csrf_for(token)
        ))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find_map(|c| c.strip_prefix("harbour_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    (status, cookie, res.text().await.unwrap())
}

/// Issue 6 follow-up (ASVS 6.3.3 at L3, 7.5.1): a step-up (new recovery codes) is answered with
/// a security key as well as with a code, over the API and the page. The challenge is bound to
/// the user and to the step-up: a sign-in challenge does not answer a step-up, nor the reverse,
/// and another user's key or challenge is refused. The session id rotates as with a code.
#[tokio::test]
async fn a_security_key_answers_a_step_up_and_only_a_step_up() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let org = app.org("Fake Police Unit", OrgKind::Police).await;
        let (mut token, _) = app
            .user("key@test.invalid", &org, Role::FirstResponder)
            .await;
        let (their_token, _) = app
            .user("other@test.invalid", &org, Role::FirstResponder)
            .await;
        let origin = origin(&app);
        let mut key = Authenticator::new(11);
        let mut their_key = Authenticator::new(13);
        assert_eq!(register(&app, &token, &key, "Blue key").await.0, 201);
        assert_eq!(
            register(&app, &their_token, &their_key, "Their key")
                .await
                .0,
            201
        );
        // Without a key, no options.
        let (lonely, _) = app
            .user("nokey@test.invalid", &org, Role::FirstResponder)
            .await;
        let (s, v) = app
            .post(
                "/api/v1/me/step-up/security-key/options",
                Some(&lonely),
                json!({}),
            )
            .await;
        assert_eq!(s, 403, "{v}");

        // The options name this site and the user's own key; the honest answer renews the
        // codes and rotates the session.
        let options = step_up_options(&app, &token).await;
        assert_eq!(options["publicKey"]["rpId"], "localhost");
        assert_eq!(
            options["publicKey"]["allowCredentials"],
            json!([{"type": "public-key", "id": b64(&key.credential_id)}])
        );
        assert_eq!(options["publicKey"]["userVerification"], "required");
        let honest = step_up_answer(key.assert(&options, "", &Answer::honest(&origin)));
        let (s, v) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&token),
                json!({"password": PASSWORD, "security_key": honest.clone()}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["recovery_codes"].as_array().unwrap().len(), 10);
        let renewed = v["token"].as_str().unwrap().to_string();
        assert_ne!(renewed, token);
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 401);
        assert_eq!(app.get("/api/v1/me", Some(&renewed)).await.0, 200);
        token = renewed;
        // The same answer again: its challenge is spent.
        let (s, v) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&token),
                json!({"password": PASSWORD, "security_key": honest}),
            )
            .await;
        assert_eq!(
            (s, v["type"].as_str()),
            (401, Some("/problems/bad-second-factor")),
            "{v}"
        );

        // A sign-in challenge does not answer a step-up ...
        let mfa = password_step(&app, "key@test.invalid").await;
        let login_options = key_options(&app, &mfa).await;
        let answer = step_up_answer(key.assert(&login_options, "", &Answer::honest(&origin)));
        let (s, v) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&token),
                json!({"password": PASSWORD, "security_key": answer}),
            )
            .await;
        assert_eq!(s, 401, "a sign-in challenge at a step-up: {v}");
        // ... nor a step-up challenge a sign-in.
        let mfa = password_step(&app, "key@test.invalid").await;
        key_options(&app, &mfa).await;
        let options = step_up_options(&app, &token).await;
        let answer = key.assert(&options, &mfa, &Answer::honest(&origin));
        let (s, v) = app
            .post("/api/v1/auth/mfa/security-key", None, answer)
            .await;
        assert_eq!(s, 401, "a step-up challenge at sign-in: {v}");
        app.clock.advance(Duration::minutes(16));
        let token_alive = app.get("/api/v1/me", Some(&token)).await.0;
        assert_eq!(token_alive, 200);

        // Another user's key, or another user's step-up challenge: refused; a wrong password
        // with an honest key: refused as a wrong password, and the challenge is spent.
        let (s, v) = renew_with_key(
            &app,
            &token,
            &mut key,
            &Answer {
                other: Some(&their_key),
                ..Answer::honest(&origin)
            },
        )
        .await;
        assert_eq!(s, 401, "another user's key: {v}");
        let their_options = step_up_options(&app, &their_token).await;
        let stolen = their_options["publicKey"]["challenge"]
            .as_str()
            .unwrap()
            .to_string();
        let (s, v) = renew_with_key(
            &app,
            &token,
            &mut key,
            &Answer {
                challenge: Some(stolen),
                ..Answer::honest(&origin)
            },
        )
        .await;
        assert_eq!(s, 401, "another user's challenge: {v}");
        let options = step_up_options(&app, &token).await;
        let answer = step_up_answer(key.assert(&options, "", &Answer::honest(&origin)));
        let (s, v) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&token),
                json!({"password": "not the password", "security_key": answer.clone()}),
            )
            .await;
        assert_eq!(
            (s, v["type"].as_str()),
            (401, Some("/problems/bad-credentials")),
            "{v}"
        );
        let (s, _) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&token),
                json!({"password": PASSWORD, "security_key": answer}),
            )
            .await;
        assert_eq!(s, 401, "spent by the answer with the wrong password");
        // Their own step-up with their key is unaffected.
        let (s, v) =
            renew_with_key(&app, &their_token, &mut their_key, &Answer::honest(&origin)).await;
        assert_eq!(s, 200, "{v}");
        app.clock.advance(Duration::minutes(16));
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 200);

        // Both a code and a key, or neither: a 422 naming the field; malformed key fields too.
        for body in [
            json!({"password": PASSWORD}),
            json!({"password": PASSWORD, "code": "123456", "security_key": {
                "credential_id": "AAAA", "client_data_json": "AAAA",
                "authenticator_data": "AAAA", "signature": "AAAA"}}),
        ] {
            let (s, v) = app
                .post("/api/v1/me/recovery-codes", Some(&token), body)
                .await;
            assert_eq!(
                (s, v["errors"][0]["pointer"].clone()),
                (422, json!("/code")),
                "{v}"
            );
        }
        let (s, v) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&token),
                json!({"password": PASSWORD, "security_key": {
                    "credential_id": "AAAA", "client_data_json": "not base64!",
                    "authenticator_data": "AAAA", "signature": "AAAA"}}),
            )
            .await;
        assert_eq!(
            (s, v["errors"][0]["pointer"].clone()),
            (422, json!("/security_key/client_data_json")),
            "{v}"
        );
        // Without the policy, a user with a key may still step up with a code.
        let code = app.totp_code("key@test.invalid");
        let (s, v) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&token),
                json!({"password": PASSWORD, "code": code}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        token = v["token"].as_str().unwrap().to_string();

        // The page: the key form carries a step-up challenge; the script's answer renews the
        // codes and sets a new session cookie. A wrong password is named on the key form.
        let (s, _, html) = page(&app, "/account/recovery-codes", &token).await;
        assert_eq!(s, 200);
        assert!(html.contains("data-webauthn=\"get\""), "{html}");
        assert!(
            html.contains("name=\"code\""),
            "both ways without the policy"
        );
        let options: Value = serde_json::from_str(&attribute(&html, "data-options")).unwrap();
        let a = key.assert(&options, "", &Answer::honest(&origin));
        let fields = format!(
            "method=security-key&credential_id={}&client_data_json={}&authenticator_data={}&signature={}",
            a["credential_id"].as_str().unwrap(),
            a["client_data_json"].as_str().unwrap(),
            a["authenticator_data"].as_str().unwrap(),
            a["signature"].as_str().unwrap(),
        );
        let (s, _, html) = page_post(
            &app,
            "/account/recovery-codes",
            &token,
            &format!("password=wrong&{fields}"),
        )
        .await;
        assert_eq!(s, 422);
        assert!(html.contains("id=\"key-password-error\""), "{html}");
        let (_, _, html) = page(&app, "/account/recovery-codes", &token).await;
        let options: Value = serde_json::from_str(&attribute(&html, "data-options")).unwrap();
        let a = key.assert(&options, "", &Answer::honest(&origin));
        let fields = format!(
            "method=security-key&credential_id={}&client_data_json={}&authenticator_data={}&signature={}",
            a["credential_id"].as_str().unwrap(),
            a["client_data_json"].as_str().unwrap(),
            a["authenticator_data"].as_str().unwrap(),
            a["signature"].as_str().unwrap(),
        );
        let (s, cookie, html) = page_post(
            &app,
            "/account/recovery-codes",
            &token,
            &format!("password=correct+horse+battery+staple&{fields}"),
        )
        .await;
        assert_eq!(s, 200, "{html}");
        assert!(!cookie.is_empty() && cookie != token);
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 401);
        assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.0, 200);
        app.finish().await;
    }
}

/// Under `access.require_security_key`, a user with a key steps up with it: a code is refused
/// (403, nothing changes), the key works; the page offers only the key.
#[tokio::test]
async fn under_the_policy_a_step_up_needs_the_key_not_a_code() {
    for backend in backends() {
        let mut policy = harbour_domain::Policy::shipped_default();
        policy.access.require_security_key = true;
        let app = TestApp::start_with_policy(&backend, policy).await;
        let org = app.org("Fake Police Unit", OrgKind::Police).await;
        let (token, _) = app
            .user("key@test.invalid", &org, Role::FirstResponder)
            .await;
        // Before adding a key, a code still steps up (nothing else could).
        let code = app.totp_code("key@test.invalid");
        let (s, v) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&token),
                json!({"password": PASSWORD, "code": code}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let token = v["token"].as_str().unwrap().to_string();
        let mut key = Authenticator::new(17);
        assert_eq!(register(&app, &token, &key, "Only key").await.0, 201);

        let code = app.totp_code("key@test.invalid");
        let (s, v) = app
            .post(
                "/api/v1/me/recovery-codes",
                Some(&token),
                json!({"password": PASSWORD, "code": code}),
            )
            .await;
        assert_eq!(
            (s, v["type"].as_str()),
            (403, Some("/problems/security-key-required")),
            "{v}"
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&token)).await.0,
            200,
            "no change"
        );
        let (s, _, html) = page(&app, "/account/recovery-codes", &token).await;
        assert_eq!(s, 200);
        assert!(html.contains("data-webauthn=\"get\""), "{html}");
        assert!(!html.contains("name=\"code\""), "no code form: {html}");
        assert!(
            html.contains("codes are not accepted for your account"),
            "{html}"
        );
        let (s, v) = renew_with_key(&app, &token, &mut key, &Answer::honest(&origin(&app))).await;
        assert_eq!(s, 200, "{v}");
        let renewed = v["token"].as_str().unwrap();
        assert_eq!(app.get("/api/v1/cases", Some(renewed)).await.0, 200);
        app.finish().await;
    }
}
