//! Family tracing pages: the organisation's tracing requests, filing one, one request with its
//! ranked candidates, and the candidate section of a child's case page.

use super::i18n::{self, t, Lang};
use super::{field_errors, render, see_other, service_message, Ctx, Errors, FormData, Web};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use harbour_domain::person::{Birth, PersonName};
use harbour_domain::tracing::{Requester, SoughtPerson};
use harbour_domain::{CaseId, LegalBasis, OrgKind, Relationship, Role, Sex, TracingRequest};
use harbour_service::family_tracing::MatchScore;
use harbour_service::{Harbour, ServiceError};
use std::collections::HashMap;
use uuid::Uuid;

/// One reason of a match, in the reader's language.
pub struct ReasonLine {
    pub field: String,
    pub level: String,
    pub weight: String,
    pub positive: bool,
}

/// A candidate as a page shows it.
pub struct CandidateLine {
    pub href: String,
    pub title: String,
    pub meta: String,
    pub probability: String,
    pub reasons: Vec<ReasonLine>,
}

/// The candidate section of a case page (child-protection officers, the competent authority).
pub struct CaseSection {
    pub basis: String,
    pub items: Vec<CandidateLine>,
}

fn may_file(role: Role) -> bool {
    matches!(
        role,
        Role::CaseWorker | Role::ChildProtectionOfficer | Role::DecisionMaker
    )
}

/// Same rule as the service's (which enforces it): only these readers get candidate lists, so
/// the page asks only for them.
fn sees_candidates(web: &Web) -> bool {
    web.actor.user.role == Role::ChildProtectionOfficer
        || (web.actor.user.role == Role::DecisionMaker
            && web.actor.org.kind == OrgKind::CompetentAuthority)
}

fn level_key(level: &str) -> &'static str {
    match level {
        "same" => "tracing-level-same",
        "same name in the lexicon" => "tracing-level-lexicon",
        "same up to the sex form" => "tracing-level-sex-form",
        "JW>=0.92" | "JW>=0.88" | "JW>=0.90" => "tracing-level-similar",
        "similar" => "tracing-level-similar",
        "JW>=0.70" => "tracing-level-somewhat",
        "exact" => "tracing-level-exact",
        "one digit off or day/month swapped" => "tracing-level-typo",
        "year and month match, day unknown" => "tracing-level-year-month",
        "year matches, month unknown" => "tracing-level-year",
        "within a year or within the age estimate" => "tracing-level-estimate",
        _ => "tracing-level-different",
    }
}

fn field_key(field: &str) -> &'static str {
    match field {
        "given_name" => "tracing-field-given-name",
        "surname" => "tracing-field-surname",
        "birth" => "tracing-field-birth",
        "sex" => "tracing-field-sex",
        "birth_place" => "tracing-field-place",
        _ => "tracing-field-parents",
    }
}

/// The per-field reasons of a score, translated; the weight in bits with its sign.
pub fn reason_lines(lang: Lang, score: &MatchScore) -> Vec<ReasonLine> {
    score
        .reasons
        .iter()
        .map(|r| ReasonLine {
            field: t(lang, field_key(&r.field)),
            level: t(lang, level_key(&r.level)),
            weight: format!("{:+.1}", r.weight),
            positive: r.weight > 0.0,
        })
        .collect()
}

pub fn percent(lang: Lang, p: f64) -> String {
    i18n::t_num(
        lang,
        "tracing-probability",
        "percent",
        (p * 100.0).round() as i64,
    )
}

fn basis_key(b: LegalBasis) -> String {
    format!("tracing-basis-{}", b.as_str().replace('_', "-"))
}

/// The candidate section for a case page, or None when the reader gets no candidate lists.
pub async fn case_section(h: &Harbour, web: &Web, id: CaseId) -> Option<CaseSection> {
    if !sees_candidates(web) {
        return None;
    }
    let lang = web.lang;
    let found = h.case_tracing_candidates(&web.actor, id).await.ok()?;
    Some(CaseSection {
        basis: t(
            lang,
            match found.basis {
                Some(harbour_domain::tracing::CaseTracingBasis::ChildProtectionMandate) => {
                    "tracing-case-basis-mandate"
                }
                Some(harbour_domain::tracing::CaseTracingBasis::ConsentOfPerson) => {
                    "tracing-case-basis-consent"
                }
                None => "tracing-case-not-searched",
            },
        ),
        items: found
            .candidates
            .iter()
            .map(|c| CandidateLine {
                href: format!("/tracing/{}", c.request_id),
                title: i18n::t_str(lang, "tracing-request-by", "org", &c.filing_org_name),
                meta: i18n::t_str(
                    lang,
                    "tracing-filed-on",
                    "date",
                    &i18n::date(lang, c.filed_at.date()),
                ),
                probability: percent(lang, c.score.probability),
                reasons: reason_lines(lang, &c.score),
            })
            .collect(),
    })
}

pub fn register_keys() -> Vec<String> {
    let mut k: Vec<String> = LegalBasis::ALL.iter().map(|b| basis_key(*b)).collect();
    k.extend(
        harbour_domain::TracingStatus::ALL
            .iter()
            .map(|s| format!("tracing-status-{}", s.as_str())),
    );
    k.extend(
        Relationship::ALL
            .iter()
            .map(|r| format!("tracing-relationship-{}", r.as_str().replace('_', "-"))),
    );
    k
}

// ---------- the list and the form ----------

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct RequestRow {
    pub href: String,
    pub filed: String,
    pub status: String,
    pub basis: String,
}

#[derive(Template)]
#[template(path = "tracing_list.html")]
struct ListPage {
    c: Ctx,
    rows: Vec<RequestRow>,
    error: String,
}

pub async fn list(State(s): State<AppState>, web: Web) -> Response {
    if !may_file(web.actor.user.role) {
        return super::forbidden_page(&web);
    }
    let lang = web.lang;
    let (rows, error) = match s.harbour.list_tracing_requests(&web.actor).await {
        Ok(list) => (
            list.iter()
                .map(|r| RequestRow {
                    href: format!("/tracing/{}", r.id),
                    filed: i18n::date(lang, r.filed_at.date()),
                    status: t(lang, &format!("tracing-status-{}", r.status.as_str())),
                    basis: t(lang, &basis_key(r.legal_basis)),
                })
                .collect(),
            String::new(),
        ),
        Err(e) => (vec![], service_message(lang, &e)),
    };
    render(
        StatusCode::OK,
        &ListPage {
            c: web.ctx(t(lang, "tracing-title")),
            rows,
            error,
        },
    )
}

#[derive(Template)]
#[template(path = "tracing_new.html")]
struct NewPage {
    c: Ctx,
    f: HashMap<String, String>,
    sexes: Vec<Choice>,
    relationships: Vec<Choice>,
    bases: Vec<Choice>,
    errors: Errors,
}

impl NewPage {
    fn v(&self, name: &str) -> String {
        self.f.get(name).cloned().unwrap_or_default()
    }
}

fn new_page(web: &Web, form: &FormData, errors: Errors) -> Response {
    let lang = web.lang;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let sex = form.get("sex");
    let rel = form.get("relationship");
    let basis = form.get("legal_basis");
    render(
        status,
        &NewPage {
            c: web.ctx(t(lang, "tracing-new-title")),
            f: form.0.iter().cloned().collect(),
            sexes: Sex::ALL
                .iter()
                .map(|s| Choice {
                    value: s.as_str().into(),
                    label: t(lang, &format!("sex-{}", s.as_str())),
                    checked: sex == s.as_str() || (sex.is_empty() && *s == Sex::Unknown),
                })
                .collect(),
            relationships: Relationship::ALL
                .iter()
                .map(|r| Choice {
                    value: r.as_str().into(),
                    label: t(
                        lang,
                        &format!("tracing-relationship-{}", r.as_str().replace('_', "-")),
                    ),
                    checked: rel == r.as_str(),
                })
                .collect(),
            bases: LegalBasis::ALL
                .iter()
                .map(|b| Choice {
                    value: b.as_str().into(),
                    label: t(lang, &basis_key(*b)),
                    checked: basis == b.as_str(),
                })
                .collect(),
            errors,
        },
    )
}

pub async fn new_form(web: Web) -> Response {
    if !may_file(web.actor.user.role) {
        return super::forbidden_page(&web);
    }
    new_page(&web, &FormData(vec![]), Errors::default())
}

fn opt(form: &FormData, name: &str) -> Option<String> {
    let v = form.get(name).trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// Read the form into a request; what cannot be read becomes a field error.
fn read_form(lang: Lang, form: &FormData) -> (Option<TracingRequest>, Errors) {
    let mut errors = Errors::default();
    let mut names = vec![];
    for (g, f) in [("given", "family"), ("given2", "family2")] {
        let (given, family) = (opt(form, g), opt(form, f));
        if given.is_some() || family.is_some() {
            names.push(PersonName {
                given,
                family,
                patronymic: None,
                script: None,
                transliterations: vec![],
            });
        }
    }
    let birth = match (opt(form, "birth_year"), opt(form, "age")) {
        (Some(y), _) => match y.parse::<i32>() {
            Ok(y) if (1900..=9999).contains(&y) => Birth::Year(y),
            _ => {
                errors.add("birth_year", t(lang, "tracing-error-year"));
                Birth::Unknown
            }
        },
        (None, Some(a)) => match a.parse::<u8>() {
            Ok(a) if a <= 120 => Birth::Estimated {
                min: a,
                max: a,
                on: None,
            },
            _ => {
                errors.add("age", t(lang, "tracing-error-age"));
                Birth::Unknown
            }
        },
        (None, None) => Birth::Unknown,
    };
    let relationship = form.get("relationship").parse::<Relationship>();
    if relationship.is_err() {
        errors.add("relationship", t(lang, "tracing-error-relationship"));
    }
    let legal_basis = form.get("legal_basis").parse::<LegalBasis>();
    if legal_basis.is_err() {
        errors.add("legal_basis", t(lang, "tracing-error-basis"));
    }
    let (Ok(relationship), Ok(legal_basis)) = (relationship, legal_basis) else {
        return (None, errors);
    };
    if !errors.is_empty() {
        return (None, errors);
    }
    let request = TracingRequest {
        sought: SoughtPerson {
            names,
            sex: form.get("sex").parse().unwrap_or(Sex::Unknown),
            birth,
            place: opt(form, "place"),
            mother_name: opt(form, "mother_name"),
            father_name: opt(form, "father_name"),
        },
        requester: Requester {
            name: opt(form, "requester_name"),
            relationship,
            contact: form.get("contact").trim().to_string(),
        },
        legal_basis,
        notes: opt(form, "notes"),
    };
    (Some(request), errors)
}

pub async fn file(State(s): State<AppState>, web: Web, form: FormData) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    // Refused before the form is read, as on `GET /tracing/new` (found by the page matrix).
    if !may_file(web.actor.user.role) {
        return super::forbidden_page(&web);
    }
    let lang = web.lang;
    let (request, errors) = read_form(lang, &form);
    let Some(request) = request else {
        return new_page(&web, &form, errors);
    };
    match s.harbour.file_tracing_request(&web.actor, request).await {
        Ok(view) => see_other(&format!("/tracing/{}?filed=1", view.id)),
        Err(e) => {
            let mut errors = Errors::default();
            match field_errors(&e) {
                Some(fields) => {
                    for f in fields {
                        let p = f.pointer.as_str();
                        let (field, key) = if p.starts_with("/sought/names") {
                            ("given", "tracing-error-names")
                        } else if p.starts_with("/sought/birth") {
                            ("birth_year", "tracing-error-birth")
                        } else if p.starts_with("/legal_basis") {
                            ("legal_basis", "tracing-error-mandate")
                        } else if p.starts_with("/requester/contact") {
                            ("contact", "tracing-error-contact")
                        } else {
                            ("form", "tracing-error-text")
                        };
                        if !errors.has(field) {
                            errors.add(field, t(lang, key));
                        }
                    }
                }
                None => errors.add("form", service_message(lang, &e)),
            }
            new_page(&web, &form, errors)
        }
    }
}

// ---------- one request ----------

#[derive(Template)]
#[template(path = "tracing_request.html")]
struct RequestPage {
    c: Ctx,
    id: String,
    names: Vec<String>,
    facts: Vec<(String, String)>,
    requester: Vec<(String, String)>,
    status: String,
    withdraw: bool,
    candidates: Option<Vec<CandidateLine>>,
    message: String,
    error: String,
}

pub async fn show(
    State(s): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return super::not_found(&web);
    };
    let message = if q.contains_key("filed") {
        web.t("tracing-filed")
    } else if q.contains_key("withdrawn") {
        web.t("tracing-withdrawn")
    } else {
        String::new()
    };
    request_page(&s.harbour, &web, id, message, String::new()).await
}

async fn request_page(
    h: &Harbour,
    web: &Web,
    id: Uuid,
    message: String,
    error: String,
) -> Response {
    let lang = web.lang;
    let view = match h.get_tracing_request(&web.actor, id).await {
        Ok(v) => v,
        Err(ServiceError::NotFound(_)) => return super::not_found(web),
        Err(e) => {
            tracing::warn!(error = %e, "tracing request page");
            return super::forbidden_page(web);
        }
    };
    let names = view
        .sought
        .names
        .iter()
        .map(|n| {
            [n.given.as_deref(), n.family.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut facts = vec![
        (
            t(lang, "person-sex"),
            t(lang, &format!("sex-{}", view.sought.sex.as_str())),
        ),
        (
            t(lang, "tracing-birth"),
            super::cases::birth_text(lang, &view.sought.birth),
        ),
    ];
    for (key, v) in [
        ("tracing-place", &view.sought.place),
        ("tracing-mother", &view.sought.mother_name),
        ("tracing-father", &view.sought.father_name),
    ] {
        if let Some(v) = v {
            facts.push((t(lang, key), v.clone()));
        }
    }
    facts.push((
        t(lang, "tracing-basis"),
        t(lang, &basis_key(view.legal_basis)),
    ));
    facts.push((
        t(lang, "tracing-filed-label"),
        i18n::date(lang, view.filed_at.date()),
    ));
    let requester = view
        .requester
        .as_ref()
        .map(|r| {
            let mut v = vec![(
                t(lang, "tracing-relationship"),
                t(
                    lang,
                    &format!(
                        "tracing-relationship-{}",
                        r.relationship.as_str().replace('_', "-")
                    ),
                ),
            )];
            if let Some(n) = &r.name {
                v.push((t(lang, "tracing-requester-name"), n.clone()));
            }
            v.push((t(lang, "tracing-contact"), r.contact.clone()));
            v
        })
        .unwrap_or_default();
    let candidates = if sees_candidates(web) {
        match h.tracing_request_candidates(&web.actor, id).await {
            Ok(list) => Some(
                list.iter()
                    .map(|c| CandidateLine {
                        href: format!("/cases/{}", c.case_id),
                        title: c.name.clone(),
                        meta: format!(
                            "{} · {}",
                            t(lang, &format!("status-{}", c.status.as_str())),
                            t(lang, &format!("minority-{}", c.minority.as_str()))
                        ),
                        probability: percent(lang, c.score.probability),
                        reasons: reason_lines(lang, &c.score),
                    })
                    .collect(),
            ),
            Err(_) => None,
        }
    } else {
        None
    };
    render(
        StatusCode::OK,
        &RequestPage {
            c: web.ctx(t(lang, "tracing-request-title")),
            id: id.to_string(),
            names,
            facts,
            withdraw: view.org_id == web.actor.org.id
                && may_file(web.actor.user.role)
                && view.status.may_withdraw(),
            requester,
            status: t(lang, &format!("tracing-status-{}", view.status.as_str())),
            candidates,
            message,
            error,
        },
    )
}

pub async fn withdraw(
    State(s): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return super::not_found(&web);
    };
    match s.harbour.withdraw_tracing_request(&web.actor, id).await {
        Ok(_) => see_other(&format!("/tracing/{id}?withdrawn=1")),
        Err(ServiceError::NotFound(_)) => super::not_found(&web),
        Err(e) => {
            let msg = service_message(web.lang, &e);
            request_page(&s.harbour, &web, id, String::new(), msg).await
        }
    }
}
