//! The support, rights and justice API: service directory, needs, service referrals (the
//! provider's routes), rights tracker, child safeguards, justice, durable solutions, follow-ups,
//! handovers and closure. Handlers parse, call one service function and map the result.

use crate::extract::{parse_json, purpose, Authenticated, JsonBody};
use crate::problem::Problem;
use crate::{case_id, query_problem, AppState, ClosureBody};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use harbour_domain::support::{
    Accepts, BestInterests, DurableSolution, Justice, NeedsAssessment, ReferralStatus, ServiceKind,
};
use harbour_service::support::{
    HandoverInput, RightInput, ServiceInput, ServiceQuery, ServiceReferralInput,
};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", post(create_service).get(list_services))
        .route("/cases/{id}/services", get(services_for_need))
        .route("/cases/{id}/needs", post(assess_needs))
        .route("/cases/{id}/service-referrals", post(refer_to_service))
        .route("/service-referrals", get(provider_inbox))
        .route(
            "/cases/{id}/service-referrals/{ref}",
            get(provider_referral),
        )
        .route("/cases/{id}/service-referrals/{ref}/accept", post(accept))
        .route("/cases/{id}/service-referrals/{ref}/decline", post(decline))
        .route("/cases/{id}/service-referrals/{ref}/start", post(start))
        .route(
            "/cases/{id}/service-referrals/{ref}/complete",
            post(complete),
        )
        .route("/cases/{id}/rights", get(case_rights))
        .route("/cases/{id}/rights/{right}", put(record_right))
        .route("/cases/{id}/best-interests", post(best_interests))
        .route("/cases/{id}/family-tracing", post(family_tracing))
        .route("/cases/{id}/transition-plan", post(transition_plan))
        .route("/cases/{id}/justice", put(justice))
        .route("/cases/{id}/durable-solution", put(durable_solution))
        .route("/cases/{id}/follow-ups", post(follow_up))
        .route("/cases/{id}/transfers", post(hand_over))
        .route("/transfers", get(transfer_inbox))
        .route(
            "/cases/{id}/transfers/{handover}/accept",
            post(accept_transfer),
        )
        .route(
            "/cases/{id}/transfers/{handover}/decline",
            post(decline_transfer),
        )
        .route("/cases/{id}/close", post(close))
}

fn uuid_in_path(raw: &str) -> Result<Uuid, Problem> {
    raw.parse().map_err(|_| Problem::not_found())
}

async fn create_service(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<ServiceInput>,
) -> Result<Response, Problem> {
    let created = s.harbour.create_service(&actor, body).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

async fn list_services(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut q = ServiceQuery::default();
    for (k, v) in &params {
        match k.as_str() {
            "kind" => q.kind = Some(v.parse::<ServiceKind>().map_err(|e| query_problem(k, e))?),
            "language" => q.language = Some(v.clone()),
            "accepts" => q.accepts = Some(v.parse::<Accepts>().map_err(|e| query_problem(k, e))?),
            other => {
                return Err(query_problem(
                    other,
                    "is not a filter of the directory; use kind, language or accepts".into(),
                ))
            }
        }
    }
    Ok(Json(s.harbour.list_services(&actor, &q).await?).into_response())
}

async fn services_for_need(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let need = params
        .get("need")
        .map(|n| {
            n.parse::<ServiceKind>()
                .map_err(|e| query_problem("need", e))
        })
        .transpose()?;
    Ok(Json(s.harbour.services_for_need(&actor, id, need).await?).into_response())
}

async fn assess_needs(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NeedsAssessment>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(s.harbour.assess_needs(&actor, id, body).await?).into_response())
}

async fn refer_to_service(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ServiceReferralInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let created = s.harbour.refer_to_service(&actor, id, body).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

async fn provider_inbox(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, Problem> {
    Ok(Json(s.harbour.provider_inbox(&actor).await?).into_response())
}

async fn provider_referral(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    Path((id, referral)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let referral = uuid_in_path(&referral)?;
    Ok(Json(
        s.harbour
            .provider_referral(&actor, id, referral, purpose(&headers).as_deref())
            .await?,
    )
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepBody {
    #[serde(default)]
    reason: Option<String>,
}

/// A provider's step; the body is optional (`{"reason"}`, required to decline).
async fn step(
    s: AppState,
    actor: harbour_service::Actor,
    (id, referral): (String, String),
    body: Bytes,
    to: ReferralStatus,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let referral = uuid_in_path(&referral)?;
    let reason = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        parse_json::<StepBody>(&body)?.reason
    };
    Ok(Json(
        s.harbour
            .provider_step(&actor, id, referral, to, reason)
            .await?,
    )
    .into_response())
}

async fn accept(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(p): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Problem> {
    step(s, actor, p, body, ReferralStatus::Accepted).await
}

async fn decline(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(p): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Problem> {
    step(s, actor, p, body, ReferralStatus::Declined).await
}

async fn start(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(p): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Problem> {
    step(s, actor, p, body, ReferralStatus::Started).await
}

async fn complete(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(p): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Problem> {
    step(s, actor, p, body, ReferralStatus::Completed).await
}

async fn case_rights(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(
        s.harbour
            .case_rights(&actor, id, purpose(&headers).as_deref())
            .await?,
    )
    .into_response())
}

async fn record_right(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, right)): Path<(String, String)>,
    JsonBody(body): JsonBody<RightInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(s.harbour.record_right(&actor, id, &right, body).await?).into_response())
}

async fn best_interests(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<BestInterests>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(s.harbour.record_best_interests(&actor, id, body).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TracingBody {
    requested: bool,
}

async fn family_tracing(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<TracingBody>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(
        s.harbour
            .request_family_tracing(&actor, id, body.requested)
            .await?,
    )
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanBody {
    plan: String,
}

async fn transition_plan(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PlanBody>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(
        s.harbour
            .record_transition_plan(&actor, id, body.plan)
            .await?,
    )
    .into_response())
}

async fn justice(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Justice>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(s.harbour.record_justice(&actor, id, body).await?).into_response())
}

async fn durable_solution(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DurableSolution>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(s.harbour.choose_durable_solution(&actor, id, body).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotesBody {
    notes: String,
}

async fn follow_up(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NotesBody>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    Ok(Json(s.harbour.record_follow_up(&actor, id, body.notes).await?).into_response())
}

async fn hand_over(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<HandoverInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let view = s.harbour.hand_over(&actor, id, body).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Transfers offered to the caller's organisation, waiting for its answer.
async fn transfer_inbox(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, Problem> {
    Ok(Json(s.harbour.transfer_inbox(&actor).await?).into_response())
}

async fn answer_transfer(
    s: AppState,
    actor: harbour_service::Actor,
    (id, handover): (String, String),
    accepted: bool,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let handover = uuid_in_path(&handover)?;
    match s
        .harbour
        .answer_transfer(&actor, id, handover, accepted)
        .await?
    {
        Some(view) => Ok(Json(view).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

async fn accept_transfer(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(p): Path<(String, String)>,
) -> Result<Response, Problem> {
    answer_transfer(s, actor, p, true).await
}

async fn decline_transfer(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(p): Path<(String, String)>,
) -> Result<Response, Problem> {
    answer_transfer(s, actor, p, false).await
}

async fn close(
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
