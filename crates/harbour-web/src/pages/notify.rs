//! Counting an adult who does not consent to a referral: nothing that identifies the person.

use super::i18n::t;
use super::{field_errors, render, see_other, service_message, Ctx, Errors, FormData, Web};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use harbour_domain::{ExploitationForm, Sex};
use harbour_service::cases::AnonymousNotificationInput;
use std::collections::HashMap;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "notify.html")]
struct NotifyPage {
    c: Ctx,
    sexes: Vec<Choice>,
    forms: Vec<Choice>,
    age_group: String,
    nationality: String,
    region: String,
    errors: Errors,
    general: String,
    message: String,
}

fn page(web: &Web, form: &FormData, errors: Errors, general: String, message: String) -> Response {
    let lang = web.lang;
    if !web.actor.user.role.may_refer() {
        return super::forbidden_page(web);
    }
    let sex = form.get("sex");
    let chosen = form.all("forms");
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &NotifyPage {
            c: web.ctx(t(lang, "notify-title")),
            sexes: Sex::ALL
                .iter()
                .map(|s| Choice {
                    value: s.as_str().into(),
                    label: t(lang, &format!("sex-{}", s.as_str())),
                    checked: sex == s.as_str() || (sex.is_empty() && *s == Sex::Unknown),
                })
                .collect(),
            forms: ExploitationForm::ALL
                .iter()
                .map(|f| Choice {
                    value: f.as_str().into(),
                    label: t(lang, &format!("form-{}", f.as_str())),
                    checked: chosen.iter().any(|c| c == f.as_str()),
                })
                .collect(),
            age_group: form.get("age_group").to_string(),
            nationality: form.get("nationality").to_string(),
            region: form.get("region").to_string(),
            errors,
            general,
            message,
        },
    )
}

pub async fn show(web: Web, Query(q): Query<HashMap<String, String>>) -> Response {
    let message = if q.contains_key("counted") {
        web.t("notify-done")
    } else {
        String::new()
    };
    page(
        &web,
        &FormData(vec![]),
        Errors::default(),
        String::new(),
        message,
    )
}

pub async fn submit(State(s): State<AppState>, web: Web, form: FormData) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let lang = web.lang;
    let opt = |name: &str| {
        let v = form.get(name).trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    let input = AnonymousNotificationInput {
        sex: form.get("sex").parse().unwrap_or(Sex::Unknown),
        age_group: match form.get("age_group") {
            "" => "unknown".into(),
            other => other.to_string(),
        },
        nationality: opt("nationality"),
        exploitation_forms: form
            .all("forms")
            .iter()
            .filter_map(|f| f.parse().ok())
            .collect(),
        region: opt("region"),
    };
    match s.harbour.anonymous_notification(&web.actor, input).await {
        Ok(_) => see_other("/notifications/new?counted=1"),
        Err(e) => {
            let mut errors = Errors::default();
            let general = match field_errors(&e) {
                Some(fields) => {
                    for f in fields {
                        let (field, key) = match f.pointer.as_str() {
                            "/nationality" => ("nationality", "person-error-nationality"),
                            "/region" => ("region", "notify-error-region"),
                            _ => ("age_group", "notify-error-age"),
                        };
                        errors.add(field, t(lang, key));
                    }
                    String::new()
                }
                None => service_message(lang, &e),
            };
            page(&web, &form, errors, general, String::new())
        }
    }
}
