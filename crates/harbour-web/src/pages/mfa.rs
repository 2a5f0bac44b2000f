//! The second login step for roles that read cases: answer a code from the authenticator (or a
//! recovery code), or, at first login, set the authenticator up from a QR code. The cookie
//! holds only the short-lived challenge until then; answering it opens a new session under a
//! new token.

use super::i18n::{t, Lang};
use super::{
    anonymous_lang, cookie, csrf_for, render, same, see_other, set_cookie, Ctx, Errors, FormData,
    LANG, SESSION,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use harbour_service::ServiceError;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "mfa.html")]
struct MfaPage {
    c: Ctx,
    /// Setting up: show the QR code and the secret.
    enrol: bool,
    qr_svg: String,
    secret: String,
    /// Options to sign in with a security key (JSON), when the user has one.
    key_options: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "recovery.html")]
struct RecoveryPage {
    c: Ctx,
    codes: Vec<String>,
}

fn ctx(lang: Lang, challenge: &str, title: &str, here: &str) -> Ctx {
    Ctx {
        lang,
        title: t(lang, title),
        csrf: csrf_for(challenge),
        here: here.into(),
        user: None,
        nav: vec![],
    }
}

/// The language of these pages: the one just chosen with the switch (remembered in the cookie),
/// else the one chosen at the password step.
fn page_lang(headers: &HeaderMap, q: &HashMap<String, String>) -> (Lang, bool) {
    match q.get("lang").and_then(|l| Lang::parse(l)) {
        Some(l) => (l, true),
        None => (anonymous_lang(headers), false),
    }
}

fn remember_lang(mut res: Response, headers: &HeaderMap, lang: Lang, chosen: bool) -> Response {
    if chosen {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(headers, LANG, lang.code(), Some(365 * 86400)),
        );
    }
    res
}

fn back_to_login() -> Response {
    Redirect::to("/login").into_response()
}

/// `GET /login/mfa`: the code form.
pub async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (lang, chosen) = page_lang(&headers, &q);
    let Some(challenge) = cookie(&headers, SESSION) else {
        return back_to_login();
    };
    let res = match s.harbour.challenge_enrolled(&challenge).await {
        Ok(true) => code_form(&s, lang, &challenge, Errors::default()).await,
        Ok(false) => see_other("/login/enrol"),
        Err(_) => back_to_login(),
    };
    remember_lang(res, &headers, lang, chosen)
}

/// `GET /login/enrol`: a new secret as a QR code and as text, and the code form.
pub async fn enrol(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (lang, chosen) = page_lang(&headers, &q);
    let Some(challenge) = cookie(&headers, SESSION) else {
        return back_to_login();
    };
    let res = enrol_page(&s, lang, &challenge, Errors::default(), StatusCode::OK).await;
    remember_lang(res, &headers, lang, chosen)
}

async fn enrol_page(
    s: &AppState,
    lang: Lang,
    challenge: &str,
    errors: Errors,
    status: StatusCode,
) -> Response {
    match s.harbour.begin_enrolment(challenge).await {
        Ok(e) => {
            let qr_svg = match crate::api_security::qr_svg(&e.otpauth_uri, &t(lang, "mfa-qr-label"))
            {
                Ok(svg) => svg,
                Err(p) => return p.into_response(),
            };
            // Group the secret in fours, as authenticator apps show it.
            let secret = e
                .secret
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            render(
                status,
                &MfaPage {
                    c: ctx(lang, challenge, "mfa-enrol-title", "/login/enrol"),
                    enrol: true,
                    qr_svg,
                    secret,
                    key_options: String::new(),
                    errors,
                },
            )
        }
        Err(ServiceError::Forbidden(_)) => see_other("/login/mfa"),
        Err(_) => back_to_login(),
    }
}

/// `POST /login/mfa`: check the code; on success a new session (new token) and the home page,
/// or, when this completed enrolment, the recovery codes once.
pub async fn submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    form: FormData,
) -> Response {
    let lang = anonymous_lang(&headers);
    let Some(challenge) = cookie(&headers, SESSION) else {
        return back_to_login();
    };
    if !same(form.get("csrf"), &csrf_for(&challenge)) {
        return super::forbidden_form(lang);
    }
    let enrolling = form.get("enrol") == "1";
    let code = form.get("code").trim().to_string();
    let mut errors = Errors::default();
    if code.is_empty() {
        errors.add("code", t(lang, "mfa-error-code-missing"));
    } else {
        let address = crate::api_security::client_address(
            &s.trusted_proxies,
            &headers,
            crate::api_security::peer(&ext),
        );
        match s.harbour.complete_login(&challenge, &code, &address).await {
            Ok((token, actor, recovery)) => {
                // The language chosen (or kept) at the password step, now the login is complete.
                let chosen = cookie(&headers, LANG).and_then(|c| Lang::parse(&c));
                if let Some(l) = chosen.filter(|l| actor.user.locale != l.code()) {
                    if let Err(e) = s
                        .harbour
                        .store()
                        .set_user_locale(actor.user.id, l.code())
                        .await
                    {
                        tracing::warn!(error = %e, "could not remember the language");
                    }
                }
                let mut res = match recovery {
                    Some(codes) => render(
                        StatusCode::OK,
                        &RecoveryPage {
                            c: ctx(lang, &token, "mfa-recovery-title", "/login/mfa"),
                            codes,
                        },
                    ),
                    None => see_other("/"),
                };
                res.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(&headers, SESSION, &token, None),
                );
                return res;
            }
            Err(ServiceError::Unauthenticated) => return back_to_login(),
            Err(ServiceError::LoginThrottled { retry_after }) => {
                errors.add("code", t(lang, "error-login-throttled"));
                let mut res = code_page(&s, lang, &challenge, enrolling, errors).await;
                *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return res;
            }
            Err(ServiceError::BadSecondFactor) => {
                errors.add("code", t(lang, "mfa-error-code-wrong"));
            }
            Err(ServiceError::SecurityKeyRequired) => {
                errors.add("code", t(lang, "keys-use-your-key"));
            }
            Err(e) => {
                tracing::error!(error = %e, "second factor failed");
                errors.add("code", t(lang, "error-internal"));
            }
        }
    }
    let mut res = code_page(&s, lang, &challenge, enrolling, errors).await;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

async fn code_page(
    s: &AppState,
    lang: Lang,
    challenge: &str,
    enrolling: bool,
    errors: Errors,
) -> Response {
    if enrolling {
        // A new secret: the one the user failed to confirm is replaced, so scanning again is safe.
        return enrol_page(s, lang, challenge, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let mut res = code_form(s, lang, challenge, errors).await;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

/// The code form (status 200), with the security-key button when the user has a key.
pub(crate) async fn code_form(
    s: &AppState,
    lang: Lang,
    challenge: &str,
    errors: Errors,
) -> Response {
    render(
        StatusCode::OK,
        &MfaPage {
            c: ctx(lang, challenge, "mfa-title", "/login/mfa"),
            enrol: false,
            qr_svg: String::new(),
            secret: String::new(),
            key_options: super::security_keys::login_options(s, challenge).await,
            errors,
        },
    )
}
