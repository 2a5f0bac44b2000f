//! Security keys in the pages: the account page that lists, adds and removes them, and the
//! second login step answered with a key. The browser part is `static/webauthn.js` (a
//! same-origin file; the CSP allows no other script): it reads the options the page carries in
//! `data-options`, asks the authenticator, puts the answer (base64url) in the form's hidden
//! fields and submits it. Without JavaScript the pages say so, and TOTP works as before.

use super::i18n::{self, t, Lang};
use super::{
    cookie, csrf_for, render, same, see_other, set_cookie, Ctx, Errors, FormData, Web, LANG,
    SESSION,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use harbour_service::webauthn::{b64url_decode, Assertion};
use harbour_service::ServiceError;

/// The browser half of WebAuthn, served from this origin.
pub const SCRIPT: &str = include_str!("../../static/webauthn.js");

/// `GET /static/webauthn.js`
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
}

struct KeyLine {
    id: String,
    name: String,
    added: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "account_keys.html")]
struct KeysPage {
    c: Ctx,
    keys: Vec<KeyLine>,
    /// Options for `navigator.credentials.create`, as JSON; empty when keys cannot be added.
    options: String,
    /// The policy requires a key and the user has none yet.
    required: bool,
    errors: Errors,
}

async fn keys_page(s: &AppState, web: &Web, errors: Errors, status: StatusCode) -> Response {
    let list = match s.harbour.my_security_keys(&web.actor).await {
        Ok(l) => l,
        Err(e) => return super::error_page(web, &e),
    };
    let lang = web.lang;
    let keys: Vec<KeyLine> = list
        .iter()
        .map(|k| KeyLine {
            id: k.id.to_string(),
            name: k.name.clone(),
            added: i18n::datetime(lang, k.created_at),
            last_used: k
                .last_used_at
                .map(|t| i18n::datetime(lang, t))
                .unwrap_or_else(|| t(lang, "keys-never-used")),
        })
        .collect();
    let options = match s.harbour.begin_security_key_registration(&web.actor).await {
        Ok(o) => serde_json::json!({ "publicKey": o }).to_string(),
        // No public origin configured: keys cannot be added here.
        Err(ServiceError::Forbidden(_)) => String::new(),
        Err(e) => return super::error_page(web, &e),
    };
    render(
        status,
        &KeysPage {
            c: web.ctx(web.t("keys-title")),
            required: keys.is_empty() && s.harbour.security_key_required(&web.actor.user),
            keys,
            options,
            errors,
        },
    )
}

/// `GET /account/security-keys`
pub async fn show(State(s): State<AppState>, web: Web) -> Response {
    keys_page(&s, &web, Errors::default(), StatusCode::OK).await
}

fn field(form: &FormData, name: &str) -> Option<Vec<u8>> {
    b64url_decode(form.get(name)).filter(|b| !b.is_empty())
}

/// `POST /account/security-keys`: the form the script filled with the authenticator's answer.
pub async fn add(State(s): State<AppState>, web: Web, form: FormData) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let mut errors = Errors::default();
    let name = form.get("name").trim();
    if name.is_empty() {
        errors.add("name", web.t("keys-error-name"));
    }
    let answer = field(&form, "client_data_json").zip(field(&form, "attestation_object"));
    if answer.is_none() {
        errors.add("name", web.t("keys-needs-javascript"));
    }
    if let (true, Some((client_data, attestation))) = (errors.is_empty(), answer) {
        match s
            .harbour
            .finish_security_key_registration(&web.actor, name, &client_data, &attestation)
            .await
        {
            Ok(_) => return see_other("/account/security-keys"),
            Err(ServiceError::Domain(_)) => errors.add("name", web.t("keys-error-rejected")),
            Err(ServiceError::Duplicate(_)) => errors.add("name", web.t("keys-error-duplicate")),
            Err(e) => return super::error_page(&web, &e),
        }
    }
    keys_page(&s, &web, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /account/security-keys/{id}/remove`: someone else's key, an unknown and a malformed id
/// all get the same "not found" page.
pub async fn remove(
    State(s): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let Ok(id) = id.parse() else {
        return super::not_found(&web);
    };
    match s.harbour.remove_my_security_key(&web.actor, id).await {
        Ok(()) => see_other("/account/security-keys"),
        Err(ServiceError::NotFound(_)) => super::not_found(&web),
        Err(ServiceError::Forbidden(_)) => {
            let mut errors = Errors::default();
            errors.add("name", web.t("keys-error-last"));
            keys_page(&s, &web, errors, StatusCode::CONFLICT).await
        }
        Err(e) => super::error_page(&web, &e),
    }
}

/// Options for `navigator.credentials.get` for the user behind a login challenge, as JSON;
/// empty when they have no key (or keys are not set up): the page then offers TOTP only.
pub async fn login_options(s: &AppState, challenge: &str) -> String {
    match s.harbour.challenge_has_security_key(challenge).await {
        Ok(true) => match s.harbour.begin_security_key_login(challenge).await {
            Ok(o) => serde_json::json!({ "publicKey": o }).to_string(),
            Err(_) => String::new(),
        },
        _ => String::new(),
    }
}

/// `POST /login/security-key`: the second login step answered with a key.
pub async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    form: FormData,
) -> Response {
    let lang = super::anonymous_lang(&headers);
    let Some(challenge) = cookie(&headers, SESSION) else {
        return Redirect::to("/login").into_response();
    };
    if !same(form.get("csrf"), &csrf_for(&challenge)) {
        return super::forbidden_form(lang);
    }
    let assertion = (|| {
        Some(Assertion {
            credential_id: field(&form, "credential_id")?,
            client_data_json: field(&form, "client_data_json")?,
            authenticator_data: field(&form, "authenticator_data")?,
            signature: field(&form, "signature")?,
        })
    })();
    let mut errors = Errors::default();
    let address = crate::api_security::client_address(
        &s.trusted_proxies,
        &headers,
        crate::api_security::peer(&ext),
    );
    let status = match assertion {
        None => {
            errors.add("security-key", t(lang, "keys-needs-javascript"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(a) => match s
            .harbour
            .complete_login_with_security_key(&challenge, &a, &address)
            .await
        {
            Ok((token, actor)) => {
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
                let mut res = see_other("/");
                res.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(&headers, SESSION, &token, None),
                );
                return res;
            }
            Err(ServiceError::Unauthenticated) => return Redirect::to("/login").into_response(),
            Err(ServiceError::LoginThrottled { .. }) => {
                errors.add("security-key", t(lang, "error-login-throttled"));
                StatusCode::TOO_MANY_REQUESTS
            }
            Err(ServiceError::BadSecondFactor) => {
                errors.add("security-key", t(lang, "keys-error-sign-in"));
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(e) => {
                tracing::error!(error = %e, "security key sign-in failed");
                errors.add("security-key", t(lang, "error-internal"));
                StatusCode::INTERNAL_SERVER_ERROR
            }
        },
    };
    let mut res = super::mfa::code_form(&s, lang, &challenge, errors).await;
    *res.status_mut() = status;
    res
}
