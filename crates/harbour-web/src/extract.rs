//! Request extractors: a JSON body that names the exact field that is wrong, and the
//! authenticated actor behind a bearer token.

use crate::problem::Problem;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use harbour_domain::FieldError;
use harbour_service::Actor;
use serde::de::DeserializeOwned;

/// A JSON body. Syntax errors are 400; a body that parses but does not fit is 422 with the
/// JSON pointer of the offending field.
pub struct JsonBody<T>(pub T);

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    let mut p = String::new();
    for seg in path.iter() {
        use serde_path_to_error::Segment::*;
        match seg {
            Seq { index } => p.push_str(&format!("/{index}")),
            Map { key } => p.push_str(&format!("/{}", key.replace('~', "~0").replace('/', "~1"))),
            Enum { variant } => p.push_str(&format!("/{variant}")),
            Unknown => {}
        }
    }
    p
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let pointer = pointer_of(err.path());
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "Malformed JSON",
                format!("The body is not valid JSON: {inner}"),
            )
        } else {
            // serde's message names the field and what was expected; drop its line/column suffix.
            let msg = inner.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            let pointer = if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer
            };
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-input",
                "Invalid input",
                format!("{pointer}: {msg}"),
            )
            .with_errors(vec![FieldError::new(pointer, msg)])
        }
    })
}

/// Deserialize a JSON value that sat at `base` in the request body; errors point into the body.
pub fn parse_value_at<T: DeserializeOwned>(
    value: serde_json::Value,
    base: &str,
) -> Result<T, Problem> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let pointer = format!("{base}{}", pointer_of(err.path()));
        let pointer = if pointer.is_empty() {
            "/".to_string()
        } else {
            pointer
        };
        let msg = err.into_inner().to_string();
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            format!("{pointer}: {msg}"),
        )
        .with_errors(vec![FieldError::new(pointer, msg)])
    })
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.starts_with("application/json")
                    || (ct.starts_with("application/") && ct.contains("+json"))
            });
        if !json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "JSON expected",
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-unreadable",
                "Body not readable",
                e.body_text(),
            )
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// The bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<String> {
    bearer_in(&parts.headers)
}

/// The bearer token in these headers, if any.
pub fn bearer_in(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_string())
}

/// The authenticated user of an API request.
pub struct Authenticated(pub Actor);

/// The API routes of one's own account (the nested router sees paths without `/api/v1`).
fn account_route(path: &str) -> bool {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    path == "/me" || path.starts_with("/me/") || path == "/auth/logout"
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(Problem::unauthenticated)?;
        match state.harbour.authenticate(&token).await {
            // Someone who must still add a security key reaches only their own account.
            Err(harbour_service::ServiceError::SecurityKeyRequired)
                if account_route(parts.uri.path()) =>
            {
                state.harbour.authenticate_for_account(&token).await
            }
            other => other,
        }
        .map(Authenticated)
        .map_err(Problem::from)
    }
}

/// The purpose a reader states for reading a case (`Harbour-Purpose` header).
pub fn purpose(parts: &axum::http::HeaderMap) -> Option<String> {
    parts
        .get("harbour-purpose")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect::<String>())
        .filter(|s| !s.trim().is_empty())
}
