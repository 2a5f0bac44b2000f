//! Logging in and out, and choosing the language.

use super::i18n::{t, Lang};
use super::{
    anonymous_lang, cookie, render, same, see_other, set_cookie, Ctx, Errors, FormData, Web, LANG,
    LOGIN_CSRF, SESSION,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Ctx,
    /// The language was chosen on this page (else the form keeps the user's stored language).
    chosen: bool,
    email: String,
    errors: Errors,
    notice: String,
}

fn anonymous_ctx(lang: Lang, csrf: String) -> Ctx {
    Ctx {
        lang,
        title: t(lang, "login-title"),
        csrf,
        here: "/login".into(),
        user: None,
        nav: vec![],
    }
}

fn login_response(
    headers: &HeaderMap,
    lang: Lang,
    chosen: bool,
    status: StatusCode,
    email: String,
    errors: Errors,
    notice: String,
) -> Response {
    // A fresh double-submit token for the login form (there is no session to derive one from).
    let csrf = harbour_crypto::random_token();
    let mut res = render(
        status,
        &LoginPage {
            c: anonymous_ctx(lang, csrf.clone()),
            chosen,
            email,
            errors,
            notice,
        },
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(headers, LOGIN_CSRF, &csrf, Some(3600)),
    );
    res
}

/// `GET /login[?lang=uk]`: the language switch here is a plain GET form (it changes only a
/// preference cookie).
pub async fn login_page(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let chosen = q.get("lang").and_then(|l| Lang::parse(l));
    let lang = chosen.unwrap_or_else(|| anonymous_lang(&headers));
    let notice = if q.contains_key("out") {
        t(lang, "login-logged-out")
    } else {
        String::new()
    };
    let mut res = login_response(
        &headers,
        lang,
        chosen.is_some(),
        StatusCode::OK,
        String::new(),
        Errors::default(),
        notice,
    );
    if let Some(l) = chosen {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&headers, LANG, l.code(), Some(365 * 86400)),
        );
    }
    res
}

pub async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    form: FormData,
) -> Response {
    // An empty choice keeps the language stored for the user.
    let chosen = Lang::parse(form.get("lang"));
    let lang = chosen.unwrap_or_else(|| anonymous_lang(&headers));
    let email = form.get("email").trim().to_string();
    let password = form.get("password");
    let csrf_ok = cookie(&headers, LOGIN_CSRF).is_some_and(|c| same(&c, form.get("csrf")));
    let mut errors = Errors::default();
    if !csrf_ok {
        errors.add("form", t(lang, "error-login-expired"));
    }
    if email.is_empty() {
        errors.add("email", t(lang, "login-error-email-missing"));
    }
    if password.is_empty() {
        errors.add("password", t(lang, "login-error-password-missing"));
    }
    if !errors.is_empty() {
        return login_response(
            &headers,
            lang,
            chosen.is_some(),
            StatusCode::UNPROCESSABLE_ENTITY,
            email,
            errors,
            String::new(),
        );
    }
    let address = crate::api_security::client_address(
        &s.trusted_proxies,
        &headers,
        crate::api_security::peer(&ext),
    );
    match s.harbour.login(&email, password, "web", &address).await {
        Ok(outcome) => {
            let (token, next, user_id, locale, full) = match outcome {
                harbour_service::auth::LoginOutcome::Session { token, actor } => {
                    (token, "/", actor.user.id, actor.user.locale, true)
                }
                // The cookie holds the challenge until the second factor is answered; it
                // authenticates nothing else.
                harbour_service::auth::LoginOutcome::SecondFactor {
                    challenge,
                    enrolled,
                    user_id,
                    locale,
                } => (
                    challenge,
                    if enrolled {
                        "/login/mfa"
                    } else {
                        "/login/enrol"
                    },
                    user_id,
                    locale,
                    false,
                ),
            };
            let lang = chosen.or_else(|| Lang::parse(&locale)).unwrap_or(lang);
            // Nothing is stored for the user before the login is complete: with a second
            // factor, the language is stored at the second step.
            if full && locale != lang.code() {
                if let Err(e) = s
                    .harbour
                    .store()
                    .set_user_locale(user_id, lang.code())
                    .await
                {
                    tracing::warn!(error = %e, "could not remember the language");
                }
            }
            let mut res = see_other(next);
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(&headers, SESSION, &token, None),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&headers, LOGIN_CSRF, "", Some(0)),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&headers, LANG, lang.code(), Some(365 * 86400)),
            );
            res
        }
        Err(e) => {
            let (status, key, retry) = match e {
                harbour_service::ServiceError::BadCredentials => {
                    (StatusCode::UNAUTHORIZED, "error-bad-credentials", None)
                }
                harbour_service::ServiceError::LoginThrottled { retry_after } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "error-login-throttled",
                    Some(retry_after),
                ),
                _ => (StatusCode::INTERNAL_SERVER_ERROR, "error-internal", None),
            };
            errors.add("form", t(lang, key));
            let mut res = login_response(
                &headers,
                lang,
                chosen.is_some(),
                status,
                email,
                errors,
                String::new(),
            );
            if let Some(secs) = retry {
                if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            res
        }
    }
}

pub async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    web: Web,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    if let Err(e) = s.harbour.logout(&web.token).await {
        tracing::warn!(error = %e, "logout failed");
    }
    let mut res = see_other("/login?out=1");
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&headers, SESSION, "", Some(0)),
    );
    res
}

/// `POST /lang`: remember the user's language and go back to the page they were on.
pub async fn switch_language(
    State(s): State<AppState>,
    headers: HeaderMap,
    web: Web,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let Some(lang) = Lang::parse(form.get("lang")) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "unknown language").into_response();
    };
    if let Err(e) = s
        .harbour
        .store()
        .set_user_locale(web.actor.user.id, lang.code())
        .await
    {
        tracing::error!(error = %e, "could not store the language");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    // Only a local path: never send the user elsewhere.
    let back = form.get("back");
    let back = if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/"
    };
    let mut res = see_other(back);
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&headers, LANG, lang.code(), Some(365 * 86400)),
    );
    res
}
