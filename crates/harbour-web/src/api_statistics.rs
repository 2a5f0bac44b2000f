//! `/api/v1/statistics/*`: controlled statistics for the national coordinator and the competent
//! authority. Handlers parse the period and the breakdown and call one service function.

use crate::extract::Authenticated;
use crate::problem::Problem;
use crate::{query_problem, AppState};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use harbour_service::statistics::StatisticsRequest;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/statistics/referrals", get(referrals))
        .route("/statistics/notifications", get(notifications))
        .route("/statistics/timeliness", get(timeliness))
        .route("/statistics/rights", get(rights))
}

/// `from`, `to` (YYYY-MM-DD, inclusive) and `by` (comma-separated dimensions).
pub fn statistics_request(params: &HashMap<String, String>) -> Result<StatisticsRequest, Problem> {
    let mut req = StatisticsRequest::default();
    for (k, v) in params {
        match k.as_str() {
            "from" | "to" => {
                let day = harbour_domain::person::parse_date(v.trim())
                    .map_err(|e| query_problem(k, e))?;
                if k == "from" {
                    req.from = Some(day);
                } else {
                    req.to = Some(day);
                }
            }
            "by" => {
                req.by = v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            other => {
                return Err(query_problem(
                    other,
                    "is not a parameter of statistics; use from, to or by".into(),
                ))
            }
        }
    }
    Ok(req)
}

async fn referrals(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let req = statistics_request(&params)?;
    let table = s.harbour.referral_statistics(&actor, &req).await?;
    Ok(Json(table).into_response())
}

async fn notifications(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let req = statistics_request(&params)?;
    let table = s.harbour.notification_statistics(&actor, &req).await?;
    Ok(Json(table).into_response())
}

async fn timeliness(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let req = statistics_request(&params)?;
    let report = s.harbour.timeliness_statistics(&actor, &req).await?;
    Ok(Json(report).into_response())
}

async fn rights(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let req = statistics_request(&params)?;
    let report = s.harbour.rights_statistics(&actor, &req).await?;
    Ok(Json(report).into_response())
}
