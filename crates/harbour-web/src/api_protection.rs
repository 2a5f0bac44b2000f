//! Data-protection routes (issue 6): erasure of a case at the person's request.

use crate::extract::{Authenticated, JsonBody};
use crate::problem::Problem;
use crate::{case_id, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/cases/{id}/erasure", post(erasure))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErasureBody {
    /// Who asked, on what legal basis, and why the file need not be kept.
    reasons: String,
}

async fn erasure(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ErasureBody>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let view = s.harbour.request_erasure(&actor, id, &body.reasons).await?;
    Ok((StatusCode::OK, Json(view)).into_response())
}
