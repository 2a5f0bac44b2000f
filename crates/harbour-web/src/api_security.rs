//! The API of the access half of issue 6: the second login step and authenticator enrolment,
//! break-glass requests and the auditors' break-glass review, and a user's own sessions and
//! security notices. Handlers parse and map only.

use crate::extract::{Authenticated, JsonBody};
use crate::problem::Problem;
use crate::AppState;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use harbour_service::auth::StepUpProof;
use harbour_service::ServiceError;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/mfa", post(complete_login))
        .route("/auth/mfa/enrolment", post(begin_enrolment))
        .route("/cases/{id}/break-glass", post(break_glass))
        .route("/break-glass", get(review))
        .route("/users/{id}/second-factor/reset", post(reset_second_factor))
        .route("/me/recovery-codes", post(renew_recovery_codes))
        .route("/me/sessions", get(my_sessions))
        .route("/me/sessions/end-others", post(end_other_sessions))
        .route("/me/sessions/{id}/end", post(end_session))
        .route("/me/security-notices", get(security_notices))
        .route(
            "/me/security-notices/acknowledge",
            post(acknowledge_security_notices),
        )
}

/// The address a login comes from, for throttling: the connection's peer, or, when that peer
/// is a configured trusted proxy, the client it reports in `X-Forwarded-For`.
pub fn client_address(
    trusted: &crate::proxy::TrustedProxies,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> String {
    trusted.client_address(
        peer.map(|p| p.ip()),
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
}

/// The peer address, when the server was started with connect info.
pub fn peer(ext: &axum::http::Extensions) -> Option<SocketAddr> {
    ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// An inline SVG QR code of `text`, for authenticator apps to scan. Dark modules on white,
/// with a quiet zone; labelled for screen readers (the secret is also shown as text).
pub fn qr_svg(text: &str, label: &str) -> Result<String, Problem> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| Problem::from(harbour_service::ServiceError::Internal(format!("qr: {e}"))))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Drop the XML declaration so it can sit inside HTML, and name the image.
    let start = svg.find("<svg").unwrap_or(0);
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    Ok(svg[start..].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"qr\" "),
        1,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MfaBody {
    challenge: String,
    code: String,
}

async fn complete_login(
    State(s): State<AppState>,
    headers: HeaderMap,
    req_ext: axum::http::Extensions,
    JsonBody(body): JsonBody<MfaBody>,
) -> Result<Response, Problem> {
    let address = client_address(&s.trusted_proxies, &headers, peer(&req_ext));
    let (token, actor, recovery) = s
        .harbour
        .complete_login(&body.challenge, &body.code, &address)
        .await?;
    let mut out = json!({
        "token": token,
        "user": {"id": actor.user.id, "email": actor.user.email, "role": actor.user.role, "organisation": actor.org.id},
    });
    if let Some(codes) = recovery {
        out["recovery_codes"] = json!(codes);
    }
    Ok(Json(out).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrolmentBody {
    challenge: String,
}

async fn begin_enrolment(
    State(s): State<AppState>,
    JsonBody(body): JsonBody<EnrolmentBody>,
) -> Result<Response, Problem> {
    let e = s.harbour.begin_enrolment(&body.challenge).await?;
    let svg = qr_svg(&e.otpauth_uri, "QR code for your authenticator app")?;
    Ok(Json(json!({
        "secret": e.secret,
        "otpauth_uri": e.otpauth_uri,
        "qr_svg": svg,
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakGlassBody {
    reason: String,
}

async fn break_glass(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<BreakGlassBody>,
) -> Result<Response, Problem> {
    // A malformed id is not a case: same answer as a case that does not exist.
    let id = id.parse().map_err(|_| Problem::not_found())?;
    let view = s.harbour.break_glass(&actor, id, &body.reason).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

async fn review(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut days = 30;
    for (k, v) in &q {
        match k.as_str() {
            "days" => {
                days = v
                    .parse::<i64>()
                    .ok()
                    .filter(|d| (1..=366).contains(d))
                    .ok_or_else(|| query_problem(k, "a number of days from 1 to 366"))?
            }
            other => {
                return Err(query_problem(
                    other,
                    "is not a filter of this list; use days",
                ))
            }
        }
    }
    Ok(Json(s.harbour.break_glass_review(&actor, days).await?).into_response())
}

fn query_problem(name: &str, detail: &str) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-input",
        "Invalid input",
        format!("query parameter `{name}`: {detail}"),
    )
    .with_errors(vec![harbour_domain::FieldError::new(
        format!("/query/{name}"),
        detail,
    )])
}

/// An administrator resets a user's lost second factor (the user enrols again at next login).
async fn reset_second_factor(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = id.parse().map_err(|_| Problem::not_found())?;
    s.harbour.admin_reset_second_factor(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepUpBody {
    password: String,
    /// A fresh code from the authenticator app, or …
    #[serde(default)]
    code: Option<String>,
    /// … a security key's answer to `POST /me/step-up/security-key/options`.
    #[serde(default)]
    security_key: Option<crate::api_webauthn::KeyAnswerBody>,
}

/// New recovery codes after a step-up (password and a fresh authenticator code or a security
/// key's answer). The session token rotates: the answer carries the new one and the old one
/// ends.
async fn renew_recovery_codes(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    req_ext: axum::http::Extensions,
    JsonBody(body): JsonBody<StepUpBody>,
) -> Result<Response, Problem> {
    let token = crate::extract::bearer_in(&headers).ok_or_else(Problem::unauthenticated)?;
    let address = client_address(&s.trusted_proxies, &headers, peer(&req_ext));
    let assertion;
    let proof = match (&body.code, &body.security_key) {
        (Some(code), None) => StepUpProof::Code(code),
        (None, Some(key)) => {
            assertion = key.decode("/security_key")?;
            StepUpProof::SecurityKey(&assertion)
        }
        _ => {
            return Err(ServiceError::invalid(
                "/code",
                "give either a code from your authenticator app or a security key's answer",
            )
            .into())
        }
    };
    let (token, codes) = s
        .harbour
        .renew_recovery_codes(&actor, &token, &body.password, proof, &address)
        .await?;
    Ok(Json(json!({"token": token, "recovery_codes": codes})).into_response())
}

/// The bearer token of an authenticated request (the extractor already checked it is live).
fn own_token(headers: &HeaderMap) -> Result<String, Problem> {
    crate::extract::bearer_in(headers).ok_or_else(Problem::unauthenticated)
}

/// `GET /me/sessions`: the caller's own live sessions (ASVS 7.5.2), no tokens, no addresses.
async fn my_sessions(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let token = own_token(&headers)?;
    let sessions = s.harbour.my_sessions(&actor, &token).await?;
    Ok(Json(json!({ "sessions": sessions })).into_response())
}

/// `POST /me/sessions/{id}/end`: end one of one's own sessions. Another user's session, an
/// unknown id and a malformed one all answer the same `404`.
async fn end_session(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = id.parse().map_err(|_| Problem::not_found())?;
    s.harbour.end_my_session(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /me/sessions/end-others`: every session of the caller but this one ends.
async fn end_other_sessions(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let token = own_token(&headers)?;
    let ended = s.harbour.end_my_other_sessions(&actor, &token).await?;
    Ok(Json(json!({ "ended": ended })).into_response())
}

/// One notice as the API shows it: what happened and when, nothing about who tried.
pub fn notice_json(n: &harbour_store::SecurityNotice) -> serde_json::Value {
    let at =
        n.at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
    let acknowledged_at = n.acknowledged_at.and_then(|t| {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
    });
    json!({
        "id": n.id,
        "kind": n.kind.as_str(),
        "count": n.count,
        "at": at,
        "acknowledged_at": acknowledged_at,
    })
}

/// `GET /me/security-notices`: changes to the caller's authentication and failed sign-in
/// attempts on their account, newest first (ASVS 6.3.7, 6.3.5).
async fn security_notices(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, Problem> {
    let notices = s.harbour.my_security_notices(&actor).await?;
    Ok(Json(json!({
        "notices": notices.iter().map(notice_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `POST /me/security-notices/acknowledge`: the caller has read their notices.
async fn acknowledge_security_notices(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, Problem> {
    let acknowledged = s.harbour.acknowledge_security_notices(&actor).await?;
    Ok(Json(json!({ "acknowledged": acknowledged })).into_response())
}
