//! The user's own account: the account page with their security notices (ASVS 6.3.7, 6.3.5),
//! their sessions, which they can end (7.5.2), and new recovery codes after a step-up (the
//! password and a fresh code from the authenticator or the user's security key; the session id
//! rotates, so that page sets a new cookie, and every other session of the user ends, 7.4.3).

use super::i18n::{self, Lang};
use super::{render, set_cookie, Ctx, Errors, FormData, Web, SESSION};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use harbour_service::auth::StepUpProof;
use harbour_service::ServiceError;

#[derive(Template)]
#[template(path = "account_recovery.html")]
struct StepUpPage {
    c: Ctx,
    left: i64,
    errors: Errors,
    /// Options for `navigator.credentials.get` (a step-up challenge) as JSON; empty when the
    /// user has no security key.
    key_options: String,
    /// The policy makes this user step up with their key: no code form.
    key_only: bool,
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
    let user = &web.actor.user;
    let has_key = s.harbour.has_security_key(user).await.unwrap_or(false);
    // Each showing carries a fresh step-up challenge (the previous answer spent its own).
    let key_options = if has_key {
        match s.harbour.begin_security_key_step_up(&web.actor).await {
            Ok(o) => serde_json::json!({ "publicKey": o }).to_string(),
            Err(e) => {
                tracing::warn!(error = %e, "could not issue a step-up challenge");
                String::new()
            }
        }
    } else {
        String::new()
    };
    render(
        status,
        &StepUpPage {
            c: web.ctx(web.t("account-recovery-title")),
            left,
            errors,
            key_options,
            key_only: has_key && s.harbour.security_key_required(user),
        },
    )
}

fn key_field(form: &FormData, name: &str) -> Option<Vec<u8>> {
    harbour_service::webauthn::b64url_decode(form.get(name)).filter(|b| !b.is_empty())
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
    // Two forms post here: the code form, and the security key form the script filled.
    let with_key = form.get("method") == "security-key";
    let (password_field, factor_field) = if with_key {
        ("key-password", "security-key")
    } else {
        ("password", "code")
    };
    if form.get("password").is_empty() {
        errors.add(password_field, web.t("account-recovery-error-password"));
    }
    let assertion = (|| {
        Some(harbour_service::webauthn::Assertion {
            credential_id: key_field(&form, "credential_id")?,
            client_data_json: key_field(&form, "client_data_json")?,
            authenticator_data: key_field(&form, "authenticator_data")?,
            signature: key_field(&form, "signature")?,
        })
    })();
    if with_key && assertion.is_none() {
        errors.add(
            "security-key",
            web.t("account-recovery-key-needs-javascript"),
        );
    }
    if !with_key && form.get("code").trim().is_empty() {
        errors.add("code", web.t("mfa-error-code-missing"));
    }
    if !errors.is_empty() {
        return step_up_page(&s, &web, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let proof = match (&assertion, with_key) {
        (Some(a), true) => StepUpProof::SecurityKey(a),
        _ => StepUpProof::Code(form.get("code")),
    };
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
            proof,
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
            errors.add(password_field, web.t("account-recovery-error-password"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ServiceError::BadSecondFactor) if with_key => {
            errors.add("security-key", web.t("account-recovery-error-key"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ServiceError::BadSecondFactor) => {
            errors.add("code", web.t("mfa-error-code-wrong"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ServiceError::SecurityKeyRequired) => {
            errors.add("code", web.t("account-recovery-key-required"));
            StatusCode::FORBIDDEN
        }
        Err(ServiceError::LoginThrottled { .. }) => {
            errors.add(factor_field, web.t("error-login-throttled"));
            StatusCode::TOO_MANY_REQUESTS
        }
        Err(ServiceError::Unauthenticated) => return super::see_other("/login"),
        Err(e) => {
            tracing::error!(error = %e, "recovery code renewal failed");
            errors.add(factor_field, web.t("error-internal"));
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    step_up_page(&s, &web, errors, status).await
}

/// A security notice as a page shows it: what happened, when, and whether it is new.
pub struct NoticeLine {
    pub text: String,
    pub when: String,
    pub new: bool,
}

fn notice_text(lang: Lang, n: &harbour_store::SecurityNotice) -> String {
    use harbour_store::SecurityNoticeKind as K;
    match n.kind {
        K::SecondFactorReset => i18n::t(lang, "notice-second-factor-reset"),
        K::RecoveryCodesRenewed => i18n::t(lang, "notice-recovery-codes-renewed"),
        K::FailedSignIns => {
            i18n::t_num(lang, "notice-failed-sign-ins", "count", i64::from(n.count))
        }
        K::SecurityKeyAdded => i18n::t(lang, "notice-security-key-added"),
        K::SecurityKeyRemoved => i18n::t(lang, "notice-security-key-removed"),
    }
}

/// The user's notices for a page; a failure to read them is logged and shows none (the page
/// itself still works).
pub async fn notice_lines(s: &AppState, web: &Web) -> Vec<NoticeLine> {
    match s.harbour.my_security_notices(&web.actor).await {
        Ok(list) => list
            .iter()
            .map(|n| NoticeLine {
                text: notice_text(web.lang, n),
                when: i18n::datetime(web.lang, n.at),
                new: n.acknowledged_at.is_none(),
            })
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "security notices could not be read");
            vec![]
        }
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Ctx,
    notices: Vec<NoticeLine>,
    unread: bool,
    second_factor: bool,
}

/// `GET /account`: links to the user's sessions and recovery codes, and every notice about
/// their account, newest first.
pub async fn overview(State(s): State<AppState>, web: Web) -> Response {
    let notices = notice_lines(&s, &web).await;
    render(
        StatusCode::OK,
        &AccountPage {
            c: web.ctx(web.t("account-title")),
            unread: notices.iter().any(|n| n.new),
            notices,
            second_factor: harbour_domain::access::second_factor_required(web.actor.user.role),
        },
    )
}

/// `POST /account/security-notices/acknowledge`: the notices were read; back to the page the
/// form was on (home or the account page only, never an address from the form).
pub async fn acknowledge(State(s): State<AppState>, web: Web, form: FormData) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    if let Err(e) = s.harbour.acknowledge_security_notices(&web.actor).await {
        tracing::error!(error = %e, "acknowledging security notices failed");
        return super::error_page(&web, &e);
    }
    super::see_other(if form.get("back") == "/" {
        "/"
    } else {
        "/account"
    })
}

struct SessionLine {
    id: String,
    kind: String,
    started: String,
    last_used: String,
    ends: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "account_sessions.html")]
struct SessionsPage {
    c: Ctx,
    sessions: Vec<SessionLine>,
    others: bool,
}

/// `GET /account/sessions`: the user's live sessions, each with a button to end it.
pub async fn sessions(State(s): State<AppState>, web: Web) -> Response {
    let list = match s.harbour.my_sessions(&web.actor, &web.token).await {
        Ok(l) => l,
        Err(e) => return super::error_page(&web, &e),
    };
    let lang = web.lang;
    let sessions: Vec<SessionLine> = list
        .into_iter()
        .map(|v| SessionLine {
            id: v.id.to_string(),
            kind: i18n::t(
                lang,
                if v.kind == "api" {
                    "sessions-kind-api"
                } else {
                    "sessions-kind-web"
                },
            ),
            started: i18n::datetime(lang, v.created_at),
            last_used: i18n::datetime(lang, v.last_seen_at),
            ends: i18n::datetime(lang, v.expires_at),
            current: v.current,
        })
        .collect();
    render(
        StatusCode::OK,
        &SessionsPage {
            c: web.ctx(web.t("sessions-title")),
            others: sessions.iter().any(|l| !l.current),
            sessions,
        },
    )
}

/// `POST /account/sessions/{id}/end`: end one of one's own sessions. Someone else's, an unknown
/// and a malformed id all get the same "not found" page. Ending the current one signs out here.
pub async fn end_session(
    State(s): State<AppState>,
    headers: HeaderMap,
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
    match s.harbour.end_my_session(&web.actor, id).await {
        Ok(()) => {}
        Err(ServiceError::NotFound(_)) => return super::not_found(&web),
        Err(e) => return super::error_page(&web, &e),
    }
    if s.harbour.authenticate_for_account(&web.token).await.is_ok() {
        return super::see_other("/account/sessions");
    }
    // That was this browser's session: it is signed out like at logout.
    let mut res = super::see_other("/login?out=1");
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&headers, SESSION, "", Some(0)),
    );
    res
}

/// `POST /account/sessions/end-others`: every other session of the user ends.
pub async fn end_other_sessions(State(s): State<AppState>, web: Web, form: FormData) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    match s
        .harbour
        .end_my_other_sessions(&web.actor, &web.token)
        .await
    {
        Ok(_) => super::see_other("/account/sessions"),
        Err(e) => super::error_page(&web, &e),
    }
}
