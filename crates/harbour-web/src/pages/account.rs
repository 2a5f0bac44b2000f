//! The user's own second factor: new recovery codes after a step-up (the password and a fresh
//! code from the authenticator). The session id rotates, so the page sets a new cookie.

use super::{render, set_cookie, Ctx, Errors, FormData, Web, SESSION};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use harbour_service::ServiceError;

#[derive(Template)]
#[template(path = "account_recovery.html")]
struct StepUpPage {
    c: Ctx,
    left: i64,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "recovery.html")]
struct CodesPage {
    c: Ctx,
    codes: Vec<String>,
}

async fn step_up_page(s: &AppState, web: &Web, errors: Errors, status: StatusCode) -> Response {
    let left = s
        .harbour
        .recovery_codes_left(web.actor.user.id)
        .await
        .map(i64::from)
        .unwrap_or(0);
    render(
        status,
        &StepUpPage {
            c: web.ctx(web.t("account-recovery-title")),
            left,
            errors,
        },
    )
}

/// `GET /account/recovery-codes`
pub async fn show(State(s): State<AppState>, web: Web) -> Response {
    if !harbour_domain::access::second_factor_required(web.actor.user.role) {
        return super::forbidden_page(&web);
    }
    step_up_page(&s, &web, Errors::default(), StatusCode::OK).await
}

/// `POST /account/recovery-codes`
pub async fn renew(
    State(s): State<AppState>,
    web: Web,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    if !harbour_domain::access::second_factor_required(web.actor.user.role) {
        return super::forbidden_page(&web);
    }
    let mut errors = Errors::default();
    if form.get("password").is_empty() {
        errors.add("password", web.t("account-recovery-error-password"));
    }
    if form.get("code").trim().is_empty() {
        errors.add("code", web.t("mfa-error-code-missing"));
    }
    if !errors.is_empty() {
        return step_up_page(&s, &web, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let address = crate::api_security::client_address(
        &s.trusted_proxies,
        &headers,
        crate::api_security::peer(&ext),
    );
    let answer = s
        .harbour
        .renew_recovery_codes(
            &web.actor,
            &web.token,
            form.get("password"),
            form.get("code"),
            &address,
        )
        .await;
    let status = match answer {
        Ok((token, codes)) => {
            // The new session's CSRF token, for the page's own forms.
            let mut c = web.ctx(web.t("mfa-recovery-title"));
            c.csrf = super::csrf_for(&token);
            let mut res = render(StatusCode::OK, &CodesPage { c, codes });
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&headers, SESSION, &token, None),
            );
            return res;
        }
        Err(ServiceError::BadCredentials) => {
            errors.add("password", web.t("account-recovery-error-password"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ServiceError::BadSecondFactor) => {
            errors.add("code", web.t("mfa-error-code-wrong"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ServiceError::LoginThrottled { .. }) => {
            errors.add("code", web.t("error-login-throttled"));
            StatusCode::TOO_MANY_REQUESTS
        }
        Err(ServiceError::Unauthenticated) => return super::see_other("/login"),
        Err(e) => {
            tracing::error!(error = %e, "recovery code renewal failed");
            errors.add("code", web.t("error-internal"));
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    step_up_page(&s, &web, errors, status).await
}
