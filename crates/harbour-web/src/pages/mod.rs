//! Server-rendered HTML pages for every role (issue 4). Handlers parse a form, call the same
//! service functions as the JSON API, and render an askama template; they decide nothing about
//! who may see what. Sessions live in a cookie holding the session token (`__Host-` prefixed and
//! `Secure` when served over TLS); every POST form carries a CSRF token.

pub mod account;
pub mod admin;
pub mod auth;
pub mod breakglass;
pub mod cases;
pub mod home;
pub mod i18n;
pub mod mfa;
pub mod notify;
pub mod referral;
pub mod security_keys;
pub mod statistics;
pub mod support;
pub mod tracing_requests;

use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use harbour_domain::{FieldError, Role};
use harbour_service::{Actor, ServiceError};
use i18n::{t, Lang};

pub const CSS: &str = include_str!("../../static/harbour.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/static/harbour.css", get(css))
        .route("/static/webauthn.js", get(security_keys::script))
        .route("/login/security-key", post(security_keys::login))
        .route(
            "/account/security-keys",
            get(security_keys::show).post(security_keys::add),
        )
        .route(
            "/account/security-keys/{id}/remove",
            post(security_keys::remove),
        )
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/login/mfa", get(mfa::show).post(mfa::submit))
        .route("/login/enrol", get(mfa::enrol))
        .route("/logout", post(auth::logout))
        .route("/lang", post(auth::switch_language))
        .route("/cases", get(cases::list))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/decisions", post(cases::decide))
        .route("/cases/{id}/guardian", post(cases::appoint_guardian))
        .route("/cases/{id}/closure", post(cases::close))
        .route("/cases/{id}/requests", post(cases::request))
        .route(
            "/cases/{id}/break-glass",
            get(breakglass::show).post(breakglass::submit),
        )
        .route("/referrals/new", get(referral::start).post(referral::step))
        .route("/notifications/new", get(notify::show))
        .route("/notifications", post(notify::submit))
        .route("/admin", get(admin::show))
        .route("/admin/organisations", post(admin::add_org))
        .route("/admin/users", post(admin::add_user))
        .route("/audit", get(admin::audit))
        .route(
            "/tracing",
            get(tracing_requests::list).post(tracing_requests::file),
        )
        .route("/tracing/new", get(tracing_requests::new_form))
        .route("/tracing/{id}", get(tracing_requests::show))
        .route("/tracing/{id}/withdraw", post(tracing_requests::withdraw))
        .route("/cases/{id}/support", post(support::record))
        .route("/service-referrals", get(support::inbox))
        .route("/transfers", get(support::transfers))
        .route(
            "/cases/{id}/transfers/{handover}",
            post(support::answer_transfer),
        )
        .route(
            "/cases/{id}/service-referrals/{ref}",
            get(support::referral_page).post(support::referral_step),
        )
        .route("/statistics", get(statistics::dashboard))
        .route(
            "/admin/users/{id}/second-factor",
            post(admin::reset_second_factor),
        )
        .route(
            "/account/recovery-codes",
            get(account::show).post(account::renew),
        )
        .route("/account", get(account::overview))
        .route("/account/sessions", get(account::sessions))
        .route(
            "/account/sessions/end-others",
            post(account::end_other_sessions),
        )
        .route("/account/sessions/{id}/end", post(account::end_session))
        .route(
            "/account/security-notices/acknowledge",
            post(account::acknowledge),
        )
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

// ---------- cookies ----------

const SESSION: &str = "harbour_session";
const LOGIN_CSRF: &str = "harbour_login";
const LANG: &str = "harbour_lang";

/// Served over TLS, as a trusted proxy says: cookies get `Secure` and `__Host-`. The headers of
/// an untrusted peer were already dropped by the router's first layer (`drop_untrusted_scheme`).
pub fn is_https(headers: &HeaderMap) -> bool {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    h("x-forwarded-proto") == "https" || h("forwarded").contains("proto=https")
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let host = format!("__Host-{name}");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == host || *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/; `__Host-` and Secure over TLS.
pub fn set_cookie(
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    let https = is_https(headers);
    let mut c = format!(
        "{}{name}={value}; Path=/; HttpOnly; SameSite=Strict",
        if https { "__Host-" } else { "" }
    );
    if https {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("x=; Max-Age=0"))
}

/// The CSRF token of a session: a keyed digest of the session token, which only the browser
/// holding the (HttpOnly) cookie can know.
pub fn csrf_for(token: &str) -> String {
    let d = harbour_crypto::sha256(format!("harbour-csrf-v1\u{1f}{token}").as_bytes());
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Constant-time comparison of two tokens.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The language for someone not logged in: their choice (cookie), else the browser's.
pub fn anonymous_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG)
        .and_then(|c| Lang::parse(&c))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(i18n::from_accept_language)
        })
        .unwrap_or(Lang::Uk)
}

// ---------- the logged-in user of a page ----------

/// A logged-in user of the pages. Without a live session the request goes to the login page.
pub struct Web {
    pub actor: Actor,
    pub token: String,
    pub lang: Lang,
    pub path: String,
}

impl FromRequestParts<AppState> for Web {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = cookie(&parts.headers, SESSION)
            .ok_or_else(|| Redirect::to("/login").into_response())?;
        let actor = match state.harbour.authenticate(&token).await {
            Ok(actor) => actor,
            // The policy requires a security key and the user has none: only their account
            // pages open (to add one); everything else sends them there.
            Err(ServiceError::SecurityKeyRequired) => {
                let p = parts.uri.path();
                if p == "/account" || p.starts_with("/account/") || p == "/logout" || p == "/lang" {
                    state
                        .harbour
                        .authenticate_for_account(&token)
                        .await
                        .map_err(|_| Redirect::to("/login").into_response())?
                } else {
                    return Err(Redirect::to("/account/security-keys").into_response());
                }
            }
            Err(_) => return Err(Redirect::to("/login").into_response()),
        };
        let lang = Lang::parse(&actor.user.locale).unwrap_or(Lang::En);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Ok(Web {
            actor,
            token,
            lang,
            path,
        })
    }
}

impl Web {
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }

    pub fn ctx(&self, title: String) -> Ctx {
        let role = self.actor.user.role;
        let mut nav = vec![("/", "nav-home")];
        if role.may_read_cases() {
            nav.push(("/cases", "nav-cases"));
        }
        if role.may_refer() {
            nav.push(("/referrals/new", "nav-new-referral"));
        }
        if role == Role::Admin {
            nav.push(("/admin", "nav-admin"));
        }
        if role == Role::Auditor {
            nav.push(("/audit", "nav-audit"));
        }
        if matches!(
            role,
            Role::CaseWorker | Role::ChildProtectionOfficer | Role::DecisionMaker
        ) {
            nav.push(("/tracing", "nav-tracing"));
        }
        if matches!(role, Role::ServiceProvider | Role::CaseWorker) {
            nav.push(("/service-referrals", "nav-service-referrals"));
        }
        if matches!(role, Role::CaseWorker | Role::ChildProtectionOfficer) {
            nav.push(("/transfers", "nav-transfers"));
        }
        if harbour_service::statistics::may_read_statistics(&self.actor) {
            nav.push(("/statistics", "nav-statistics"));
        }
        if harbour_domain::access::second_factor_required(role) {
            nav.push(("/account/recovery-codes", "nav-recovery-codes"));
        }
        nav.push(("/account", "nav-account"));
        let current = self.path.split('?').next().unwrap_or("/");
        Ctx {
            lang: self.lang,
            title,
            csrf: csrf_for(&self.token),
            here: self.path.clone(),
            user: Some(UserLine {
                email: self.actor.user.email.clone(),
                role: t(self.lang, &format!("role-{}", role.as_str())),
                org: self.actor.org.name.clone(),
            }),
            nav: nav
                .into_iter()
                .map(|(href, key)| Nav {
                    href,
                    label: t(self.lang, key),
                    current: current == href,
                })
                .collect(),
        }
    }

    /// Refuse a form whose CSRF token is not this session's.
    pub fn csrf_ok(&self, form: &FormData) -> bool {
        same(form.get("csrf"), &csrf_for(&self.token))
    }
}

/// A page saying the user's role does not allow this.
pub fn forbidden_page(web: &Web) -> Response {
    #[derive(Template)]
    #[template(path = "message.html")]
    struct Message {
        c: Ctx,
        text: String,
    }
    render(
        StatusCode::FORBIDDEN,
        &Message {
            c: web.ctx(web.t("error-forbidden")),
            text: web.t("error-forbidden"),
        },
    )
}

pub fn forbidden_form(lang: Lang) -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(format!(
            "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>Harbour</title><link rel=\"stylesheet\" href=\"/static/harbour.css\"><main id=\"main\"><h1>{}</h1><p><a href=\"/\">{}</a></p></main></html>",
            lang.code(),
            t(lang, "error-csrf"),
            t(lang, "nav-home")
        )),
    )
        .into_response()
}

// ---------- what every page template gets ----------

pub struct UserLine {
    pub email: String,
    pub role: String,
    pub org: String,
}

pub struct Nav {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

pub struct LangOption {
    pub code: &'static str,
    pub name: &'static str,
    pub current: bool,
}

/// The page frame: language, title, the user, navigation, CSRF token.
pub struct Ctx {
    pub lang: Lang,
    pub title: String,
    pub csrf: String,
    pub here: String,
    pub user: Option<UserLine>,
    pub nav: Vec<Nav>,
}

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }
    pub fn ts(&self, key: &str, name: &str, value: &str) -> String {
        i18n::t_str(self.lang, key, name, value)
    }
    pub fn tn(&self, key: &str, name: &str, n: impl AsI64) -> String {
        i18n::t_num(self.lang, key, name, n.as_i64())
    }
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
    pub fn langs(&self) -> Vec<LangOption> {
        Lang::ALL
            .iter()
            .map(|l| LangOption {
                code: l.code(),
                name: l.endonym(),
                current: *l == self.lang,
            })
            .collect()
    }
}

/// Numbers templates pass to plural messages, by value or by reference.
pub trait AsI64 {
    fn as_i64(&self) -> i64;
}
impl AsI64 for i64 {
    fn as_i64(&self) -> i64 {
        *self
    }
}
impl AsI64 for usize {
    fn as_i64(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}
impl<T: AsI64> AsI64 for &T {
    fn as_i64(&self) -> i64 {
        (**self).as_i64()
    }
}

pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ---------- forms ----------

/// An `application/x-www-form-urlencoded` body as ordered pairs (checkboxes repeat a name).
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| e.into_response())?;
        Ok(FormData(
            form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

/// Errors of a form, by field name, already translated.
#[derive(Default)]
pub struct Errors(pub Vec<(String, String)>);

impl Errors {
    pub fn add(&mut self, field: &str, message: String) {
        self.0.push((field.to_string(), message));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The message for a field, or empty.
    pub fn of(&self, field: &str) -> String {
        self.0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }
    pub fn list(&self) -> &[(String, String)] {
        &self.0
    }
}

/// A service error that is not about a field: the message to show above the form.
pub fn service_message(lang: Lang, e: &ServiceError) -> String {
    match e {
        ServiceError::Forbidden(_) => t(lang, "error-forbidden"),
        ServiceError::NotFound(_) => t(lang, "error-not-found"),
        ServiceError::Conflict => t(lang, "error-conflict"),
        ServiceError::Gone { .. } => t(lang, "error-erased"),
        ServiceError::Unavailable(_) => t(lang, "error-unavailable"),
        ServiceError::Domain(harbour_domain::DomainError::IllegalTransition(_)) => {
            t(lang, "error-illegal-transition")
        }
        ServiceError::Domain(harbour_domain::DomainError::ConsentRequired) => {
            t(lang, "error-consent-required")
        }
        ServiceError::Domain(harbour_domain::DomainError::RecoveryPeriodNotOver { ends }) => {
            i18n::t_str(
                lang,
                "error-recovery-not-over",
                "date",
                &i18n::date(lang, *ends),
            )
        }
        ServiceError::Unauthenticated | ServiceError::BadCredentials => {
            t(lang, "error-bad-credentials")
        }
        ServiceError::Domain(harbour_domain::DomainError::ServiceUnsuitable(_)) => {
            t(lang, "error-service-unsuitable")
        }
        ServiceError::Domain(harbour_domain::DomainError::BestInterestsDeterminationRequired(
            _,
        )) => t(lang, "error-best-interests-determination"),
        ServiceError::Domain(harbour_domain::DomainError::OpenServiceReferrals(n)) => {
            i18n::t_num(lang, "error-open-service-referrals", "count", *n as i64)
        }
        _ => t(lang, "error-internal"),
    }
}

/// The field errors of a service answer, if it is one.
pub fn field_errors(e: &ServiceError) -> Option<&[FieldError]> {
    match e {
        ServiceError::Domain(harbour_domain::DomainError::Invalid(f)) => Some(f),
        _ => None,
    }
}

/// A page for a service error that is not about a form: the message, with the status the API
/// would answer (503 when the database is unavailable, 500 otherwise).
pub fn error_page(web: &Web, e: &ServiceError) -> Response {
    #[derive(Template)]
    #[template(path = "message.html")]
    struct Message {
        c: Ctx,
        text: String,
    }
    let status = match e {
        ServiceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::NotFound(_) => return not_found(web),
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    render(
        status,
        &Message {
            c: web.ctx(web.t("error-title")),
            text: service_message(web.lang, e),
        },
    )
}

/// A page for "not found" (also for a case one may not see: the same answer).
pub fn not_found(web: &Web) -> Response {
    #[derive(Template)]
    #[template(path = "message.html")]
    struct Message {
        c: Ctx,
        text: String,
    }
    let c = web.ctx(web.t("error-not-found-title"));
    render(
        StatusCode::NOT_FOUND,
        &Message {
            text: web.t("error-not-found"),
            c,
        },
    )
}

pub fn role_key(r: Role) -> String {
    format!("role-{}", r.as_str())
}

/// Keys that pages build at run time (from enums): the locale test checks each exists and
/// counts them as used.
pub fn dynamic_keys() -> Vec<String> {
    use harbour_domain::{ExploitationForm, OrgKind, Sex, Status};
    let mut k = Vec::new();
    k.extend(Role::ALL.iter().map(|r| role_key(*r)));
    k.extend(Status::ALL.iter().map(|s| format!("status-{}", s.as_str())));
    k.extend(
        OrgKind::ALL
            .iter()
            .map(|s| format!("org-kind-{}", s.as_str())),
    );
    k.extend(
        ExploitationForm::ALL
            .iter()
            .map(|s| format!("form-{}", s.as_str())),
    );
    k.extend(Sex::ALL.iter().map(|s| format!("sex-{}", s.as_str())));
    k.extend(
        ["child", "adult", "presumed_child"]
            .iter()
            .map(|m| format!("minority-{m}")),
    );
    k.extend(
        harbour_domain::ClosureReason::ALL
            .iter()
            .map(|r| format!("closure-{}", r.as_str())),
    );
    k.extend(cases::ALERTS.iter().map(|a| format!("alert-{a}")));
    k.extend(cases::EVENTS.iter().map(|a| format!("event-{a}")));
    k.extend((1..=12).map(|m| format!("month-{m}")));
    k.extend((1..=12).map(|m| format!("month-nom-{m}")));
    k.extend(referral::STEPS.iter().map(|s| format!("step-{s}")));
    k.extend(support::keys());
    k.extend(tracing_requests::register_keys());
    k.extend(statistics::dynamic_keys());
    k
}
