//! Harbour's HTTP edge. Handlers parse input, call one service function, and map its result;
//! they hold no rules. Errors become RFC 9457 problem documents in [`problem`], nowhere else.

pub mod api_csp;
pub mod api_protection;
pub mod api_security;
pub mod api_statistics;
pub mod api_support;
pub mod api_tracing;
pub mod api_webauthn;
pub mod charts;
pub mod extract;
pub mod pages;
pub mod problem;
pub mod proxy;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use extract::{bearer, purpose, Authenticated, JsonBody};
use harbour_domain::{CaseId, ClosureReason, Minority, Referral, Status, UserId};
use harbour_service::cases::{AnonymousNotificationInput, DecisionInput, ListQuery};
use harbour_service::Harbour;
use problem::Problem;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// The OpenAPI document, kept beside the code and checked against the router by a test.
pub const OPENAPI: &str = include_str!("../openapi.json");

#[derive(Clone)]
pub struct AppState {
    pub harbour: Harbour,
    /// Reverse proxies whose `X-Forwarded-For` is believed (none by default).
    pub trusted_proxies: std::sync::Arc<proxy::TrustedProxies>,
}

/// Every API route as (method, path): the OpenAPI test checks the document covers exactly these.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/referrals"),
    ("POST", "/api/v1/anonymous-notifications"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{id}"),
    ("GET", "/api/v1/cases/{id}/events"),
    ("POST", "/api/v1/cases/{id}/decisions"),
    ("POST", "/api/v1/cases/{id}/guardian"),
    ("POST", "/api/v1/cases/{id}/reconsideration"),
    ("POST", "/api/v1/cases/{id}/early-conclusive-decision"),
    ("POST", "/api/v1/cases/{id}/closure"),
    ("GET", "/api/v1/cases/{id}/access-log"),
    ("GET", "/api/v1/indicator-lists"),
    ("POST", "/api/v1/screenings"),
    ("POST", "/api/v1/cases/{id}/screenings"),
    ("GET", "/api/v1/quick-screen"),
    ("POST", "/api/v1/quick-screen"),
    ("POST", "/api/v1/hash-match"),
    ("POST", "/api/v1/cases/{id}/erasure"),
    // support, rights and justice (api_support.rs)
    ("POST", "/api/v1/services"),
    ("GET", "/api/v1/services"),
    ("GET", "/api/v1/cases/{id}/services"),
    ("POST", "/api/v1/cases/{id}/needs"),
    ("POST", "/api/v1/cases/{id}/service-referrals"),
    ("GET", "/api/v1/service-referrals"),
    ("GET", "/api/v1/cases/{id}/service-referrals/{ref}"),
    ("POST", "/api/v1/cases/{id}/service-referrals/{ref}/accept"),
    ("POST", "/api/v1/cases/{id}/service-referrals/{ref}/decline"),
    ("POST", "/api/v1/cases/{id}/service-referrals/{ref}/start"),
    (
        "POST",
        "/api/v1/cases/{id}/service-referrals/{ref}/complete",
    ),
    ("GET", "/api/v1/cases/{id}/rights"),
    ("PUT", "/api/v1/cases/{id}/rights/{right}"),
    ("POST", "/api/v1/cases/{id}/best-interests"),
    ("POST", "/api/v1/cases/{id}/family-tracing"),
    ("POST", "/api/v1/cases/{id}/transition-plan"),
    ("PUT", "/api/v1/cases/{id}/justice"),
    ("PUT", "/api/v1/cases/{id}/durable-solution"),
    ("POST", "/api/v1/cases/{id}/follow-ups"),
    ("POST", "/api/v1/cases/{id}/transfers"),
    ("GET", "/api/v1/transfers"),
    ("POST", "/api/v1/cases/{id}/transfers/{handover}/accept"),
    ("POST", "/api/v1/cases/{id}/transfers/{handover}/decline"),
    ("POST", "/api/v1/cases/{id}/close"),
    ("POST", "/api/v1/tracing-requests"),
    ("GET", "/api/v1/tracing-requests"),
    ("GET", "/api/v1/tracing-requests/{id}"),
    ("GET", "/api/v1/tracing-requests/{id}/candidates"),
    ("POST", "/api/v1/tracing-requests/{id}/withdraw"),
    ("GET", "/api/v1/cases/{id}/tracing-candidates"),
    ("POST", "/api/v1/cases/{id}/family-tracing-consent"),
    ("POST", "/api/v1/auth/mfa"),
    ("POST", "/api/v1/auth/mfa/enrolment"),
    ("POST", "/api/v1/cases/{id}/break-glass"),
    ("GET", "/api/v1/break-glass"),
    ("GET", "/api/v1/statistics/referrals"),
    ("GET", "/api/v1/statistics/notifications"),
    ("GET", "/api/v1/statistics/timeliness"),
    // second factor reset and renewal (api_security.rs)
    ("POST", "/api/v1/users/{id}/second-factor/reset"),
    ("POST", "/api/v1/me/recovery-codes"),
    // a user's own sessions and security notices (api_security.rs)
    ("GET", "/api/v1/me/sessions"),
    ("POST", "/api/v1/me/sessions/{id}/end"),
    ("POST", "/api/v1/me/sessions/end-others"),
    ("GET", "/api/v1/me/security-notices"),
    ("POST", "/api/v1/me/security-notices/acknowledge"),
    ("GET", "/api/v1/statistics/rights"),
    // browsers' Content-Security-Policy violation reports (api_csp.rs)
    ("POST", "/api/v1/csp-reports"),
    // security keys (api_webauthn.rs)
    ("POST", "/api/v1/auth/mfa/security-key/options"),
    ("POST", "/api/v1/auth/mfa/security-key"),
    ("GET", "/api/v1/me/security-keys"),
    ("POST", "/api/v1/me/security-keys"),
    ("POST", "/api/v1/me/security-keys/options"),
    ("POST", "/api/v1/me/security-keys/{id}/remove"),
    ("POST", "/api/v1/me/step-up/security-key/options"),
];

/// The whole application, trusting no proxy: the connection's peer is the client.
pub fn router(harbour: Harbour) -> Router {
    router_with(harbour, proxy::TrustedProxies::default())
}

/// The whole application behind these reverse proxies (`--trusted-proxy`).
pub fn router_with(harbour: Harbour, trusted_proxies: proxy::TrustedProxies) -> Router {
    let api = Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/referrals", post(refer))
        .route("/anonymous-notifications", post(anonymous_notification))
        .route("/cases", get(list_cases))
        .route("/cases/{id}", get(get_case))
        .route("/cases/{id}/events", get(case_events))
        .route("/cases/{id}/decisions", post(decide))
        .route("/cases/{id}/guardian", post(appoint_guardian))
        .route("/cases/{id}/reconsideration", post(reconsideration))
        .route(
            "/cases/{id}/early-conclusive-decision",
            post(early_conclusive),
        )
        .route("/cases/{id}/closure", post(closure))
        .route("/cases/{id}/access-log", get(access_log))
        .route("/cases/{id}/screenings", post(record_screening))
        .route("/indicator-lists", get(indicator_lists))
        .route("/hash-match", post(hash_match))
        .route("/screenings", post(screen_without_case))
        .route(
            "/quick-screen",
            get(quick_screen_checklist).post(quick_screen),
        )
        .route("/openapi.json", get(openapi))
        .merge(api_protection::routes())
        .merge(api_support::routes())
        .merge(api_tracing::routes())
        .merge(api_security::routes())
        .merge(api_webauthn::routes())
        .merge(api_statistics::routes())
        .merge(api_csp::routes())
        .fallback(api_not_found)
        .method_not_allowed_fallback(method_not_allowed);
    let state = AppState {
        harbour,
        trusted_proxies: std::sync::Arc::new(trusted_proxies),
    };
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api)
        .merge(pages::routes())
        .fallback(api_not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

/// Drop what a client says about the scheme (`X-Forwarded-Proto`, `Forwarded`) unless the
/// connection comes from a configured trusted proxy: otherwise anyone could claim TLS over plain
/// HTTP. Done once, before any handler, so every later reading of the headers (HSTS, the
/// `__Host-` cookie prefix) sees only what a trusted proxy wrote.
fn drop_untrusted_scheme(trusted: &proxy::TrustedProxies, req: &mut axum::extract::Request) {
    let peer = api_security::peer(req.extensions()).map(|p| p.ip());
    if !peer.is_some_and(|ip| trusted.contains(ip)) {
        let h = req.headers_mut();
        h.remove("x-forwarded-proto");
        h.remove(header::FORWARDED);
    }
}

/// Headers every response carries: nothing is cached, sniffed, framed, scripted or referred
/// elsewhere; no powerful browser feature is available; and over TLS (as a trusted proxy reports
/// it, the same test as the cookies' `__Host-` prefix) browsers are told to use nothing else.
async fn security_headers(
    State(s): State<AppState>,
    mut req: axum::extract::Request,
    next: Next,
) -> Response {
    drop_untrusted_scheme(&s.trusted_proxies, &mut req);
    let method = req.method().clone();
    let https = pages::is_https(req.headers());
    let started = std::time::Instant::now();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        "reporting-endpoints",
        HeaderValue::from_static(REPORTING_ENDPOINTS),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    // Logs carry method, status and time only: no path (it holds case ids) and no personal data.
    tracing::debug!(%method, status = res.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    res
}

/// Script only from Harbour's own files (`/static/webauthn.js`, for security keys), never inline
/// and never from elsewhere; nothing else from elsewhere, never framed; violations are
/// reported to `/api/v1/csp-reports` (ASVS 3.4.7), in both the old and the Reporting API form.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; report-uri /api/v1/csp-reports; report-to csp-endpoint";

/// The endpoint the CSP's `report-to csp-endpoint` names.
pub const REPORTING_ENDPOINTS: &str = "csp-endpoint=\"/api/v1/csp-reports\"";

/// Every powerful browser feature off but WebAuthn on Harbour's own pages (security keys).
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-create=(self), publickey-credentials-get=(self), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=(), interest-cohort=()";

async fn api_not_found() -> Problem {
    Problem::not_found()
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "This address does not accept that method.",
    )
}

async fn healthz(State(s): State<AppState>) -> Response {
    match s.harbour.store().count_anonymous_notifications().await {
        Ok(_) => {
            Json(json!({"status": "ok", "backend": s.harbour.store().backend()})).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: String,
    password: String,
}

/// Password first. Roles that read cases get `mfa_required` and a challenge to answer at
/// `/auth/mfa` (after enrolling at `/auth/mfa/enrolment` if `enrolled` is false).
async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Response, Problem> {
    let address =
        api_security::client_address(&s.trusted_proxies, &headers, api_security::peer(&ext));
    let outcome = s
        .harbour
        .login(&body.email, &body.password, "api", &address)
        .await?;
    Ok(match outcome {
        harbour_service::auth::LoginOutcome::Session { token, actor } => Json(json!({
            "token": token,
            "user": {"id": actor.user.id, "email": actor.user.email, "role": actor.user.role, "organisation": actor.org.id},
        })),
        harbour_service::auth::LoginOutcome::SecondFactor {
            challenge,
            enrolled,
            ..
        } => Json(json!({
            "mfa_required": true,
            "enrolled": enrolled,
            "challenge": challenge,
        })),
    }
    .into_response())
}

async fn logout(
    State(s): State<AppState>,
    req: axum::extract::Request,
) -> Result<StatusCode, Problem> {
    let (parts, _) = req.into_parts();
    let token = bearer(&parts).ok_or_else(Problem::unauthenticated)?;
    s.harbour.authenticate(&token).await?;
    s.harbour.logout(&token).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(Authenticated(actor): Authenticated) -> Json<serde_json::Value> {
    Json(json!({
        "id": actor.user.id,
        "email": actor.user.email,
        "role": actor.user.role,
        "locale": actor.user.locale,
        "organisation": {"id": actor.org.id, "name": actor.org.name, "kind": actor.org.kind},
    }))
}

/// A referral body: the referral itself, plus `screenings` done at intake and what to do about a
/// possible duplicate (`attach_to` a case, or `confirm_new_person`).
async fn refer(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(mut value): JsonBody<serde_json::Value>,
) -> Result<Response, Problem> {
    let obj = value.as_object_mut().ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            "The referral must be a JSON object.",
        )
        .with_errors(vec![harbour_domain::FieldError::new(
            "/",
            "expected a JSON object",
        )])
    })?;
    let mut options = harbour_service::cases::ReferralOptions::default();
    if let Some(v) = obj.remove("screenings") {
        options.screenings = extract::parse_value_at(v, "/screenings")?;
    }
    if let Some(v) = obj.remove("attach_to") {
        options.attach_to = Some(extract::parse_value_at(v, "/attach_to")?);
    }
    if let Some(v) = obj.remove("confirm_new_person") {
        options.confirm_new_person = extract::parse_value_at(v, "/confirm_new_person")?;
    }
    let referral: Referral = extract::parse_value_at(value, "")?;
    let attaching = options.attach_to.is_some();
    let view = s.harbour.refer(&actor, referral, options).await?;
    let location = format!("/api/v1/cases/{}", view.id);
    let status = if attaching {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, [(header::LOCATION, location)], Json(view)).into_response())
}

/// Platforms match uploads against the hash banks their key may search (`Harbour-Platform-Key`).
async fn hash_match(
    State(s): State<AppState>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<harbour_service::hashmatch::HashMatchInput>,
) -> Result<Response, Problem> {
    let key = headers
        .get("harbour-platform-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Platform key required",
                "Send the platform key as `Harbour-Platform-Key: KEY`.",
            )
        })?;
    Ok(Json(s.harbour.hash_match(key.trim(), &input).await?).into_response())
}

async fn indicator_lists(
    State(s): State<AppState>,
    Authenticated(_actor): Authenticated,
) -> Response {
    Json(s.harbour.indicator_lists()).into_response()
}

async fn screen_without_case(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(input): JsonBody<harbour_service::screening::ScreeningInput>,
) -> Result<Response, Problem> {
    Ok(Json(s.harbour.screen_without_case(&actor, &input)?).into_response())
}

async fn record_screening(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<harbour_service::screening::ScreeningInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok((
        StatusCode::CREATED,
        Json(s.harbour.record_screening(&actor, id, input).await?),
    )
        .into_response())
}

async fn quick_screen_checklist(
    State(s): State<AppState>,
    Authenticated(_actor): Authenticated,
) -> Response {
    Json(s.harbour.quick_screen_checklist()).into_response()
}

async fn quick_screen(
    State(s): State<AppState>,
    Authenticated(_actor): Authenticated,
    JsonBody(input): JsonBody<harbour_service::screening::QuickScreenInput>,
) -> Result<Response, Problem> {
    Ok(Json(s.harbour.quick_screen(&input)?).into_response())
}

async fn anonymous_notification(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(input): JsonBody<AnonymousNotificationInput>,
) -> Result<Response, Problem> {
    let id = s.harbour.anonymous_notification(&actor, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "counted": true})),
    )
        .into_response())
}

pub(crate) fn case_id(raw: &str) -> Result<CaseId, Problem> {
    // A malformed id is simply not a case: same answer as a case you may not see.
    raw.parse().map_err(|_| Problem::not_found())
}

pub(crate) fn query_problem(name: &str, detail: String) -> Problem {
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

async fn list_cases(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut q = ListQuery::default();
    for (k, v) in &params {
        match k.as_str() {
            "status" => q.status = Some(v.parse::<Status>().map_err(|e| query_problem(k, e))?),
            "minority" => {
                q.minority = Some(v.parse::<Minority>().map_err(|e| query_problem(k, e))?)
            }
            "overdue" => {
                q.overdue = match v.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(query_problem(k, "use true or false".into())),
                }
            }
            "rights_overdue" => {
                q.rights_overdue = match v.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(query_problem(k, "use true or false".into())),
                }
            }
            "limit" => {
                q.limit = Some(
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| (1..=200).contains(n))
                        .ok_or_else(|| query_problem(k, "a number from 1 to 200".into()))?,
                )
            }
            "after" => q.after = Some(v.clone()),
            "order" => {
                q.oldest_first = match v.as_str() {
                    "oldest" => true,
                    "newest" => false,
                    _ => return Err(query_problem(k, "use oldest or newest".into())),
                }
            }
            other => {
                return Err(query_problem(
                    other,
                    "is not a filter of this list; use status, overdue, rights_overdue, minority, order, limit or after"
                        .into(),
                ))
            }
        }
    }
    Ok(Json(s.harbour.list_cases(&actor, &q).await?).into_response())
}

async fn get_case(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(
        s.harbour
            .get_case(&actor, id, purpose(&headers).as_deref())
            .await?,
    )
    .into_response())
}

async fn case_events(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(
        s.harbour
            .case_events(&actor, id, purpose(&headers).as_deref())
            .await?,
    )
    .into_response())
}

async fn decide(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<DecisionInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(s.harbour.decide(&actor, id, input).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GuardianBody {
    /// A Harbour user with the guardian role (the first shape of this route)...
    #[serde(default)]
    guardian: Option<UserId>,
    /// ...or the guardian as a person and organisation (the support contract's shape).
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    organisation: Option<String>,
}

async fn appoint_guardian(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<GuardianBody>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let view = match (body.guardian, body.name, body.organisation) {
        (Some(user), None, None) => s.harbour.appoint_guardian(&actor, id, user).await?,
        (None, Some(name), Some(organisation)) => {
            s.harbour
                .name_guardian(&actor, id, name, organisation)
                .await?
        }
        _ => {
            return Err(Problem::from(harbour_domain::DomainError::field(
                "",
                "send either `guardian` (a user id) or `name` and `organisation`",
            )))
        }
    };
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonsBody {
    reasons: String,
}

async fn reconsideration(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReasonsBody>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(
        s.harbour
            .request_reconsideration(&actor, id, body.reasons)
            .await?,
    )
    .into_response())
}

async fn early_conclusive(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReasonsBody>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(
        s.harbour
            .request_early_conclusive(&actor, id, body.reasons)
            .await?,
    )
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClosureBody {
    pub(crate) reason: ClosureReason,
    #[serde(default)]
    pub(crate) notes: Option<String>,
    /// What happens to accepted service referrals still open: `continue` or `withdraw`.
    #[serde(default)]
    pub(crate) open_referrals: Option<harbour_domain::support::OpenReferralsOnClose>,
}

async fn closure(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ClosureBody>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(
        s.harbour
            .close(&actor, id, body.reason, body.notes, body.open_referrals)
            .await?,
    )
    .into_response())
}

async fn access_log(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(s.harbour.access_log(&actor, id).await?).into_response())
}

/// Methods the API uses, for the OpenAPI coverage test.
pub fn method_of(name: &str) -> Option<Method> {
    Method::from_bytes(name.as_bytes()).ok()
}
