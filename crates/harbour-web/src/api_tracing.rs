//! Family tracing over the API: tracing requests, their ranked candidates, and the tracing
//! candidates of a child's case. Handlers parse and call one service function each.

use crate::extract::{Authenticated, JsonBody};
use crate::problem::Problem;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use harbour_domain::TracingRequest;
use serde::Deserialize;
use uuid::Uuid;

/// Routes under /api/v1.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tracing-requests", post(file_request).get(list_requests))
        .route("/tracing-requests/{id}", get(get_request))
        .route("/tracing-requests/{id}/candidates", get(request_candidates))
        .route("/tracing-requests/{id}/withdraw", post(withdraw_request))
        .route("/cases/{id}/tracing-candidates", get(case_candidates))
        .route(
            "/cases/{id}/family-tracing-consent",
            post(family_tracing_consent),
        )
}

fn request_id(raw: &str) -> Result<Uuid, Problem> {
    // A malformed id is simply not a request: same answer as one you may not see.
    raw.parse().map_err(|_| Problem::not_found())
}

async fn file_request(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(request): JsonBody<TracingRequest>,
) -> Result<Response, Problem> {
    let view = s.harbour.file_tracing_request(&actor, request).await?;
    let location = format!("/api/v1/tracing-requests/{}", view.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

async fn list_requests(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, Problem> {
    Ok(Json(s.harbour.list_tracing_requests(&actor).await?).into_response())
}

async fn get_request(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = request_id(&id)?;
    Ok(Json(s.harbour.get_tracing_request(&actor, id).await?).into_response())
}

async fn request_candidates(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = request_id(&id)?;
    Ok(Json(s.harbour.tracing_request_candidates(&actor, id).await?).into_response())
}

async fn withdraw_request(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = request_id(&id)?;
    Ok(Json(s.harbour.withdraw_tracing_request(&actor, id).await?).into_response())
}

async fn case_candidates(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = crate::case_id(&id)?;
    Ok(Json(s.harbour.case_tracing_candidates(&actor, id).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentBody {
    given: bool,
}

async fn family_tracing_consent(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ConsentBody>,
) -> Result<Response, Problem> {
    let id = crate::case_id(&id)?;
    Ok(Json(
        s.harbour
            .record_family_tracing_consent(&actor, id, body.given)
            .await?,
    )
    .into_response())
}
