//! Break-glass on the pages: a case one cannot see answers "not found" (the same page whether
//! it exists or not) with a way to ask for emergency access, which needs a reason, is
//! time-limited and is reviewed by auditors. Also the purpose a case page read is logged with.

use super::{forbidden_form, forbidden_page, render, see_other, Ctx, Errors, FormData, Web};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use harbour_domain::CaseId;
use harbour_service::ServiceError;

#[derive(Template)]
#[template(path = "breakglass.html")]
struct BreakGlassPage {
    c: Ctx,
    /// The form (else: the "not found" answer with a link to it).
    form: bool,
    id: String,
    reason: String,
    errors: Errors,
}

/// The purpose a case page read is recorded with: the one the link states (`?purpose=`), else
/// what the route says the user came for.
pub fn purpose_of(web: &Web) -> String {
    let (path, query) = web.path.split_once('?').unwrap_or((&web.path, ""));
    let stated = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "purpose")
        .map(|(_, v)| v.chars().take(200).collect::<String>())
        .filter(|v| !v.trim().is_empty());
    if let Some(p) = stated {
        return p;
    }
    // /cases/{id} is the case page; /cases/{id}/<form> is the page again after that form.
    match path.split('/').nth(3) {
        Some(form) if !form.is_empty() => format!("case page ({form})"),
        _ => "case page".into(),
    }
}

/// "Not found" for a case id: identical whether the case is missing or hidden; roles that read
/// cases are offered emergency access.
pub fn not_found_case(web: &Web, id: CaseId) -> Response {
    if !harbour_domain::access::may_break_glass(web.actor.user.role) {
        return super::not_found(web);
    }
    render(
        StatusCode::NOT_FOUND,
        &BreakGlassPage {
            c: web.ctx(web.t("error-not-found-title")),
            form: false,
            id: id.to_string(),
            reason: String::new(),
            errors: Errors::default(),
        },
    )
}

fn form_page(
    web: &Web,
    id: CaseId,
    reason: String,
    errors: Errors,
    status: StatusCode,
) -> Response {
    render(
        status,
        &BreakGlassPage {
            c: web.ctx(web.t("break-glass-title")),
            form: true,
            id: id.to_string(),
            reason,
            errors,
        },
    )
}

/// `GET /cases/{id}/break-glass`
pub async fn show(web: Web, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<CaseId>() else {
        return super::not_found(&web);
    };
    if !harbour_domain::access::may_break_glass(web.actor.user.role) {
        return forbidden_page(&web);
    }
    form_page(&web, id, String::new(), Errors::default(), StatusCode::OK)
}

/// `POST /cases/{id}/break-glass`
pub async fn submit(
    State(s): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return forbidden_form(web.lang);
    }
    let Ok(id) = id.parse::<CaseId>() else {
        return super::not_found(&web);
    };
    let reason = form.get("reason").to_string();
    match s.harbour.break_glass(&web.actor, id, &reason).await {
        Ok(_) => see_other(&format!("/cases/{id}?purpose=emergency+access")),
        Err(ServiceError::Domain(harbour_domain::DomainError::Invalid(_))) => {
            let mut errors = Errors::default();
            errors.add("reason", web.t("break-glass-error-reason"));
            form_page(&web, id, reason, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        // Already visible: nothing to break.
        Err(ServiceError::Domain(harbour_domain::DomainError::IllegalTransition(_))) => {
            see_other(&format!("/cases/{id}"))
        }
        Err(ServiceError::Forbidden(_)) => forbidden_page(&web),
        Err(ServiceError::NotFound(_)) => super::not_found(&web),
        Err(e) => {
            tracing::error!(error = %e, "break-glass failed");
            let mut errors = Errors::default();
            errors.add("reason", web.t("error-internal"));
            form_page(&web, id, reason, errors, StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}
