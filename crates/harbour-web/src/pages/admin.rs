//! Administration (organisations and users, for administrators) and the access log of a case
//! (for auditors). Who may do this is decided by the service.

use super::i18n::{self, t};
use super::{field_errors, render, see_other, service_message, Ctx, Errors, FormData, Web};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use harbour_domain::{CaseId, OrgId, OrgKind, Role};
use harbour_service::ServiceError;
use std::collections::HashMap;

pub struct OrgLine {
    pub name: String,
    pub kind: String,
    pub users: usize,
}

pub struct UserLine {
    pub id: String,
    pub email: String,
    pub role: String,
    pub org: String,
    pub active: bool,
    /// Another user's second factor can be reset here (never one's own).
    pub resettable: bool,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    c: Ctx,
    orgs: Vec<OrgLine>,
    users: Vec<UserLine>,
    kinds: Vec<Opt>,
    org_options: Vec<Opt>,
    roles: Vec<Opt>,
    errors: Errors,
    general: String,
    message: String,
    form: FormData,
}

async fn admin_page(
    s: &AppState,
    web: &Web,
    form: FormData,
    errors: Errors,
    general: String,
    message: String,
) -> Response {
    let lang = web.lang;
    let h = &s.harbour;
    let (orgs, users) = match (
        h.admin_organisations(&web.actor).await,
        h.admin_users(&web.actor).await,
    ) {
        (Ok(o), Ok(u)) => (o, u),
        (Err(e), _) | (_, Err(e)) => {
            #[derive(Template)]
            #[template(path = "message.html")]
            struct Message {
                c: Ctx,
                text: String,
            }
            let status = if matches!(e, ServiceError::Forbidden(_)) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            return render(
                status,
                &Message {
                    c: web.ctx(web.t("admin-title")),
                    text: service_message(lang, &e),
                },
            );
        }
    };
    let names: HashMap<OrgId, String> = orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    let org_lines = orgs
        .iter()
        .map(|o| OrgLine {
            name: o.name.clone(),
            kind: t(lang, &format!("org-kind-{}", o.kind.as_str())),
            users: users.iter().filter(|u| u.org_id == o.id).count(),
        })
        .collect();
    let user_lines = users
        .iter()
        .map(|u| UserLine {
            id: u.id.to_string(),
            email: u.email.clone(),
            role: t(lang, &format!("role-{}", u.role.as_str())),
            org: names.get(&u.org_id).cloned().unwrap_or_default(),
            active: u.active,
            resettable: u.id != web.actor.user.id,
        })
        .collect();
    let kinds = OrgKind::ALL
        .iter()
        .map(|k| Opt {
            value: k.as_str().into(),
            label: t(lang, &format!("org-kind-{}", k.as_str())),
            selected: form.get("kind") == k.as_str(),
        })
        .collect();
    let org_options = orgs
        .iter()
        .map(|o| Opt {
            value: o.id.to_string(),
            label: o.name.clone(),
            selected: form.get("org") == o.id.to_string(),
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| Opt {
            value: r.as_str().into(),
            label: t(lang, &format!("role-{}", r.as_str())),
            selected: form.get("role") == r.as_str(),
        })
        .collect();
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &AdminPage {
            c: web.ctx(web.t("admin-title")),
            orgs: org_lines,
            users: user_lines,
            kinds,
            org_options,
            roles,
            errors,
            general,
            message,
            form,
        },
    )
}

pub async fn show(
    State(s): State<AppState>,
    web: Web,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let message = if q.contains_key("added") {
        web.t("admin-added")
    } else if q.contains_key("reset") {
        web.t("admin-second-factor-reset-done")
    } else {
        String::new()
    };
    admin_page(
        &s,
        &web,
        FormData(vec![]),
        Errors::default(),
        String::new(),
        message,
    )
    .await
}

fn errors_of(lang: i18n::Lang, e: &ServiceError) -> (Errors, String) {
    let mut errors = Errors::default();
    match (e, field_errors(e)) {
        (_, Some(fields)) => {
            for f in fields {
                let field = f.pointer.trim_start_matches('/');
                let key = match field {
                    "name" => "admin-error-name",
                    "email" => "admin-error-email",
                    "password" => "admin-error-password",
                    "role" => "admin-error-role",
                    _ => "admin-error-org",
                };
                errors.add(if field.is_empty() { "org" } else { field }, t(lang, key));
            }
            (errors, String::new())
        }
        (ServiceError::Duplicate(_), _) => {
            errors.add("email", t(lang, "admin-error-exists"));
            (errors, String::new())
        }
        _ => (errors, service_message(lang, e)),
    }
}

pub async fn add_org(State(s): State<AppState>, web: Web, form: FormData) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let lang = web.lang;
    let Ok(kind) = form.get("kind").parse::<OrgKind>() else {
        let mut errors = Errors::default();
        errors.add("kind", t(lang, "admin-error-kind"));
        return admin_page(&s, &web, form, errors, String::new(), String::new()).await;
    };
    match s
        .harbour
        .admin_create_org(&web.actor, form.get("name"), kind)
        .await
    {
        Ok(_) => see_other("/admin?added=1"),
        Err(e) => {
            let (errors, general) = errors_of(lang, &e);
            admin_page(&s, &web, form, errors, general, String::new()).await
        }
    }
}

pub async fn add_user(State(s): State<AppState>, web: Web, form: FormData) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let lang = web.lang;
    let mut errors = Errors::default();
    let org = form.get("org").parse::<OrgId>().ok();
    let role = form.get("role").parse::<Role>().ok();
    if org.is_none() {
        errors.add("org", t(lang, "admin-error-org"));
    }
    if role.is_none() {
        errors.add("role", t(lang, "admin-error-role"));
    }
    let (Some(org), Some(role)) = (org, role) else {
        return admin_page(&s, &web, form, errors, String::new(), String::new()).await;
    };
    match s
        .harbour
        .admin_create_user(
            &web.actor,
            form.get("email"),
            org,
            role,
            form.get("password"),
        )
        .await
    {
        Ok(_) => see_other("/admin?added=1"),
        Err(e) => {
            let (errors, general) = errors_of(lang, &e);
            admin_page(&s, &web, form, errors, general, String::new()).await
        }
    }
}

/// `POST /admin/users/{id}/second-factor`: reset a user's lost second factor.
pub async fn reset_second_factor(
    State(s): State<AppState>,
    web: Web,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let Ok(id) = id.parse::<harbour_domain::UserId>() else {
        return super::not_found(&web);
    };
    match s.harbour.admin_reset_second_factor(&web.actor, id).await {
        Ok(()) => see_other("/admin?reset=1"),
        Err(ServiceError::Forbidden(_)) => super::forbidden_page(&web),
        Err(ServiceError::NotFound(_)) => super::not_found(&web),
        Err(e) => {
            let general = service_message(web.lang, &e);
            admin_page(
                &s,
                &web,
                FormData(vec![]),
                Errors::default(),
                general,
                String::new(),
            )
            .await
        }
    }
}

pub struct GrantRow {
    pub at: String,
    pub until: String,
    pub user: String,
    pub org: String,
    pub case: String,
    pub reason: String,
}

pub struct AccessRow {
    pub at: String,
    pub user: String,
    pub org: String,
    pub action: String,
    pub purpose: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Ctx,
    /// Emergency access of the last 30 days, for review.
    grants: Vec<GrantRow>,
    case: String,
    rows: Vec<AccessRow>,
    searched: bool,
    error: String,
}

/// `GET /audit?case=ID`: the access log of a case, for auditors.
pub async fn audit(
    State(s): State<AppState>,
    web: Web,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = web.lang;
    let case = q
        .get("case")
        .map(|c| c.trim().to_string())
        .unwrap_or_default();
    let mut rows = vec![];
    let mut error = String::new();
    let searched = !case.is_empty();
    let mut status = StatusCode::OK;
    if searched {
        match case.parse::<CaseId>() {
            Err(_) => {
                error = t(lang, "error-not-found");
                status = StatusCode::NOT_FOUND;
            }
            Ok(id) => match s.harbour.access_log_named(&web.actor, id).await {
                Ok(lines) => {
                    rows = lines
                        .into_iter()
                        .rev()
                        .map(|l| AccessRow {
                            at: i18n::datetime(lang, l.at),
                            user: l.user,
                            org: l.organisation,
                            action: l.action,
                            purpose: l.purpose.unwrap_or_default(),
                        })
                        .collect()
                }
                Err(e) => {
                    status = match e {
                        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
                        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
                        _ => StatusCode::INTERNAL_SERVER_ERROR,
                    };
                    error = service_message(lang, &e);
                }
            },
        }
    }
    let grants = match s.harbour.break_glass_review(&web.actor, 30).await {
        Ok(lines) => lines
            .into_iter()
            .map(|g| GrantRow {
                at: i18n::datetime(lang, g.granted_at),
                until: i18n::datetime(lang, g.expires_at),
                user: g.user,
                org: g.organisation,
                case: g.case.to_string(),
                reason: g.reason,
            })
            .collect(),
        Err(ServiceError::Forbidden(_)) => return super::forbidden_page(&web),
        Err(e) => {
            tracing::error!(error = %e, "break-glass review");
            vec![]
        }
    };
    render(
        status,
        &AuditPage {
            grants,
            c: web.ctx(web.t("audit-title")),
            case,
            rows,
            searched,
            error,
        },
    )
}
