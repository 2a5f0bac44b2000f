//! The API of security keys (WebAuthn): adding, listing and removing one's own keys, and the
//! second login step answered with a key. Binary WebAuthn values travel as base64url strings.
//! Handlers parse and map only; verification is in `harbour_service::webauthn`.

use crate::api_security::{client_address, peer};
use crate::extract::{Authenticated, JsonBody};
use crate::problem::Problem;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use harbour_service::webauthn::{b64url_decode, Assertion};
use harbour_service::ServiceError;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/mfa/security-key/options", post(login_options))
        .route("/auth/mfa/security-key", post(login_with_key))
        .route("/me/security-keys", get(my_keys).post(add_key))
        .route("/me/security-keys/options", post(registration_options))
        .route("/me/security-keys/{id}/remove", post(remove_key))
        .route("/me/step-up/security-key/options", post(step_up_options))
}

/// A base64url field, or a 422 naming it.
pub fn binary(pointer: &str, value: &str) -> Result<Vec<u8>, Problem> {
    b64url_decode(value)
        .filter(|b| !b.is_empty())
        .ok_or_else(|| {
            ServiceError::invalid(pointer, "expected base64url (RFC 4648 §5, no padding)").into()
        })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeBody {
    challenge: String,
}

/// `POST /auth/mfa/security-key/options`: options for `navigator.credentials.get`, for the user
/// behind a password step's challenge.
async fn login_options(
    State(s): State<AppState>,
    JsonBody(body): JsonBody<ChallengeBody>,
) -> Result<Response, Problem> {
    let options = s.harbour.begin_security_key_login(&body.challenge).await?;
    Ok(Json(json!({ "publicKey": options })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssertionBody {
    pub challenge: String,
    pub credential_id: String,
    pub client_data_json: String,
    pub authenticator_data: String,
    pub signature: String,
}

impl AssertionBody {
    pub fn decode(&self) -> Result<Assertion, Problem> {
        Ok(Assertion {
            credential_id: binary("/credential_id", &self.credential_id)?,
            client_data_json: binary("/client_data_json", &self.client_data_json)?,
            authenticator_data: binary("/authenticator_data", &self.authenticator_data)?,
            signature: binary("/signature", &self.signature)?,
        })
    }
}

/// A key's answer at a step-up: the assertion alone (the caller is signed in, so no
/// second-factor challenge goes with it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyAnswerBody {
    pub credential_id: String,
    pub client_data_json: String,
    pub authenticator_data: String,
    pub signature: String,
}

impl KeyAnswerBody {
    /// Decode, naming a malformed field under `prefix` (e.g. `/security_key/signature`).
    pub fn decode(&self, prefix: &str) -> Result<Assertion, Problem> {
        Ok(Assertion {
            credential_id: binary(&format!("{prefix}/credential_id"), &self.credential_id)?,
            client_data_json: binary(
                &format!("{prefix}/client_data_json"),
                &self.client_data_json,
            )?,
            authenticator_data: binary(
                &format!("{prefix}/authenticator_data"),
                &self.authenticator_data,
            )?,
            signature: binary(&format!("{prefix}/signature"), &self.signature)?,
        })
    }
}

/// `POST /me/step-up/security-key/options`: options for `navigator.credentials.get` to
/// re-authenticate before a sensitive action (today: new recovery codes); the challenge answers
/// only a step-up of the caller.
async fn step_up_options(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, Problem> {
    let options = s.harbour.begin_security_key_step_up(&actor).await?;
    Ok(Json(json!({ "publicKey": options })).into_response())
}

/// `POST /auth/mfa/security-key`: answer the second factor with a key; a full session.
async fn login_with_key(
    State(s): State<AppState>,
    headers: HeaderMap,
    req_ext: axum::http::Extensions,
    JsonBody(body): JsonBody<AssertionBody>,
) -> Result<Response, Problem> {
    let assertion = body.decode()?;
    let address = client_address(&s.trusted_proxies, &headers, peer(&req_ext));
    let (token, actor) = s
        .harbour
        .complete_login_with_security_key(&body.challenge, &assertion, &address)
        .await?;
    Ok(Json(json!({
        "token": token,
        "user": {"id": actor.user.id, "email": actor.user.email, "role": actor.user.role, "organisation": actor.org.id},
    }))
    .into_response())
}

async fn my_keys(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, Problem> {
    let keys = s.harbour.my_security_keys(&actor).await?;
    Ok(Json(json!({ "security_keys": keys })).into_response())
}

/// `POST /me/security-keys/options`: options for `navigator.credentials.create`.
async fn registration_options(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, Problem> {
    let options = s.harbour.begin_security_key_registration(&actor).await?;
    Ok(Json(json!({ "publicKey": options })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKeyBody {
    pub name: String,
    pub client_data_json: String,
    pub attestation_object: String,
}

/// `POST /me/security-keys`: register the key that answered the options.
async fn add_key(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<NewKeyBody>,
) -> Result<Response, Problem> {
    let client_data = binary("/client_data_json", &body.client_data_json)?;
    let attestation = binary("/attestation_object", &body.attestation_object)?;
    let key = s
        .harbour
        .finish_security_key_registration(&actor, &body.name, &client_data, &attestation)
        .await?;
    Ok((StatusCode::CREATED, Json(key)).into_response())
}

/// `POST /me/security-keys/{id}/remove`: another user's key, an unknown id and a malformed one
/// all answer the same `404`.
async fn remove_key(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = id.parse().map_err(|_| Problem::not_found())?;
    s.harbour.remove_my_security_key(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
