//! A new referral as a short stepwise flow that works without JavaScript: person, screening
//! (quick screen or full indicator screening, with the result explained), consent or the child's
//! views, summary. The draft travels in a hidden field between steps; nothing is stored until the
//! last step, where a possible duplicate is shown before any case is created.

use super::i18n::{self, t, Lang};
use super::{field_errors, render, see_other, service_message, Ctx, Errors, FormData, Web};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use harbour_domain::person::{Birth, PersonName};
use harbour_domain::{
    minority_at, CaseId, Consent, ExploitationForm, Minority, Person, Referral, Sex, Vulnerability,
};
use harbour_service::cases::ReferralOptions;
use harbour_service::screening::{QuickScreenInput, ScreeningInput};
use harbour_service::{Harbour, ServiceError};
use serde::{Deserialize, Serialize};

pub const STEPS: [&str; 4] = ["person", "screen", "consent", "review"];

/// Everything entered so far, as typed (parsed only when it is used).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub given: String,
    pub family: String,
    pub patronymic: String,
    pub sex: String,
    pub birth_kind: String,
    pub birth_date: String,
    pub birth_year: String,
    pub age_min: String,
    pub age_max: String,
    pub nationality: String,
    pub language: String,
    pub unaccompanied: bool,
    pub separated: bool,
    pub screen_mode: String,
    pub quick_flags: Vec<String>,
    pub quick_done: bool,
    pub list: String,
    pub observed: Vec<String>,
    pub full_done: bool,
    pub consent: bool,
    /// The adult also agrees to family tracing (relatives looking for them may be told).
    #[serde(default)]
    pub family_tracing: bool,
    pub informed_in: String,
    pub child_views: String,
    pub forms: Vec<String>,
    pub summary: String,
}

/// The script a name is written in (ISO 15924), from its letters.
fn script_of(s: &str) -> Option<String> {
    let c = s.chars().find(|c| c.is_alphabetic())?;
    let code = match c as u32 {
        0x0400..=0x052F => "Cyrl",
        0x0600..=0x06FF => "Arab",
        0x0370..=0x03FF => "Grek",
        0x0530..=0x058F => "Armn",
        0x10A0..=0x10FF => "Geor",
        0x0590..=0x05FF => "Hebr",
        _ if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) => "Latn",
        _ => return None,
    };
    Some(code.into())
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl Draft {
    fn birth(&self, lang: Lang, errors: &mut Errors) -> Birth {
        match self.birth_kind.as_str() {
            "date" => match harbour_domain::person::parse_date(self.birth_date.trim()) {
                Ok(d) => Birth::Exact(d),
                Err(_) => {
                    errors.add("birth_date", t(lang, "person-error-date"));
                    Birth::Unknown
                }
            },
            "year" => match self.birth_year.trim().parse::<i32>() {
                Ok(y) if (1900..=9999).contains(&y) => Birth::Year(y),
                _ => {
                    errors.add("birth_year", t(lang, "person-error-year"));
                    Birth::Unknown
                }
            },
            "uncertain" => {
                let min = self.age_min.trim().parse::<u8>().ok().filter(|n| *n <= 120);
                let max = self.age_max.trim().parse::<u8>().ok().filter(|n| *n <= 120);
                match (min, max) {
                    (Some(a), Some(b)) if a <= b => Birth::Estimated {
                        min: a,
                        max: b,
                        on: None,
                    },
                    _ => {
                        errors.add("age_min", t(lang, "person-error-age"));
                        Birth::Unknown
                    }
                }
            }
            _ => Birth::Unknown,
        }
    }

    fn person(&self, lang: Lang, errors: &mut Errors) -> Person {
        let given = opt(&self.given);
        let family = opt(&self.family);
        if given.is_none() && family.is_none() {
            errors.add("given", t(lang, "person-error-name"));
        }
        let script = script_of(&format!("{}{}", self.given, self.family));
        let nationality = self.nationality.trim().to_ascii_uppercase();
        if !nationality.is_empty()
            && (nationality.len() != 2 || !nationality.chars().all(|c| c.is_ascii_alphabetic()))
        {
            errors.add("nationality", t(lang, "person-error-nationality"));
        }
        let language = self.language.trim().to_ascii_lowercase();
        if !language.is_empty()
            && (!(2..=3).contains(&language.len())
                || !language.chars().all(|c| c.is_ascii_alphabetic()))
        {
            errors.add("language", t(lang, "person-error-language"));
        }
        let mut vulnerabilities = vec![];
        if self.unaccompanied {
            vulnerabilities.push(Vulnerability::Unaccompanied);
        }
        if self.separated {
            vulnerabilities.push(Vulnerability::Separated);
        }
        Person {
            names: vec![PersonName {
                given,
                family,
                patronymic: opt(&self.patronymic),
                script,
                transliterations: vec![],
            }],
            sex: self.sex.parse::<Sex>().unwrap_or(Sex::Unknown),
            birth: self.birth(lang, errors),
            nationalities: if nationality.is_empty() {
                vec![]
            } else {
                vec![nationality]
            },
            stateless: false,
            languages: if language.is_empty() {
                vec![]
            } else {
                vec![language]
            },
            vulnerabilities,
            unaccompanied: self.unaccompanied,
            separated: self.separated,
        }
    }

    fn minority(&self, h: &Harbour) -> Minority {
        let mut ignore = Errors::default();
        minority_at(&self.birth(Lang::En, &mut ignore), None, h.now().date())
    }

    fn referral(&self, lang: Lang, minority: Minority) -> (Referral, Errors) {
        let mut errors = Errors::default();
        let person = self.person(lang, &mut errors);
        let child = minority.is_child_or_presumed();
        let referral = Referral {
            exploitation_forms: self
                .forms
                .iter()
                .filter_map(|f| f.parse::<ExploitationForm>().ok())
                .collect(),
            consent: (!child).then(|| Consent {
                nrm_referral: self.consent,
                family_tracing: self.family_tracing,
                scope: None,
                informed_in: opt(&self.informed_in),
            }),
            child_views: if child { opt(&self.child_views) } else { None },
            summary: opt(&self.summary),
            ..Referral::new(person)
        };
        (referral, errors)
    }

    fn screenings(&self) -> Vec<ScreeningInput> {
        if self.full_done && !self.list.is_empty() {
            vec![ScreeningInput {
                list: self.list.clone(),
                observed: self.observed.clone(),
                notes: None,
                minority: None,
            }]
        } else {
            vec![]
        }
    }

    /// Take the fields of `step` from a submitted form.
    fn merge(&mut self, step: &str, f: &FormData) {
        match step {
            "person" => {
                self.given = f.get("given").into();
                self.family = f.get("family").into();
                self.patronymic = f.get("patronymic").into();
                self.sex = f.get("sex").into();
                self.birth_kind = f.get("birth_kind").into();
                self.birth_date = f.get("birth_date").into();
                self.birth_year = f.get("birth_year").into();
                self.age_min = f.get("age_min").into();
                self.age_max = f.get("age_max").into();
                self.nationality = f.get("nationality").into();
                self.language = f.get("language").into();
                self.unaccompanied = f.has("unaccompanied");
                self.separated = f.has("separated");
            }
            "screen" => {
                if f.has("screen_mode") {
                    self.screen_mode = f.get("screen_mode").into();
                }
                if self.screen_mode == "full" {
                    if f.has("list") {
                        let list = f.get("list").to_string();
                        if list != self.list {
                            self.full_done = false;
                        }
                        self.list = list;
                    }
                    self.observed = f.all("observed");
                } else {
                    self.quick_flags = f.all("flag");
                }
            }
            "consent" => {
                self.consent = f.has("consent");
                self.family_tracing = f.has("family_tracing");
                self.informed_in = f.get("informed_in").into();
                self.child_views = f.get("child_views").into();
                self.forms = f.all("forms");
                self.summary = f.get("summary").into();
            }
            _ => {}
        }
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct DimensionBox {
    pub label: String,
    pub indicators: Vec<Choice>,
}

pub struct Candidate {
    pub id: String,
    pub name: String,
    pub status: String,
    pub minority: String,
    pub referred: String,
    /// The matcher's probability, and its reasons field by field.
    pub probability: String,
    pub reasons: Vec<super::tracing_requests::ReasonLine>,
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    c: Ctx,
    step: &'static str,
    step_no: usize,
    step_title: String,
    draft_json: String,
    d: Draft,
    errors: Errors,
    general: String,
    child: bool,
    minority: String,
    sexes: Vec<Choice>,
    quick_items: Vec<Choice>,
    quick_result: Vec<String>,
    lists: Vec<Choice>,
    dimensions: Vec<DimensionBox>,
    full_result: Vec<String>,
    full_indicated: bool,
    forms: Vec<Choice>,
    review: Vec<(String, String)>,
    candidates: Vec<Candidate>,
}

fn page(
    h: &Harbour,
    web: &Web,
    step: &'static str,
    d: Draft,
    errors: Errors,
    general: String,
    candidates: Vec<Candidate>,
) -> Response {
    let lang = web.lang;
    let il = lang.indicators();
    let minority = d.minority(h);
    let child = minority.is_child_or_presumed();
    let step_no = STEPS.iter().position(|s| *s == step).unwrap_or(0) + 1;
    let sexes = Sex::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: t(lang, &format!("sex-{}", s.as_str())),
            checked: d.sex == s.as_str() || (d.sex.is_empty() && *s == Sex::Unknown),
        })
        .collect();
    let qs = h.quick_screen_checklist();
    let quick_items = qs
        .items()
        .iter()
        .filter(|i| child || !i.child)
        .map(|i| Choice {
            value: i.id.clone(),
            label: i.label.get(il).to_string(),
            checked: d.quick_flags.contains(&i.id),
        })
        .collect();
    let mut quick_result = vec![];
    if d.quick_done {
        if let Ok(r) = h.quick_screen(&QuickScreenInput {
            flagged: d.quick_flags.clone(),
            minority: Some(minority),
        }) {
            quick_result.push(r.recommendation.label().get(il).to_string());
            for id in &r.because {
                if let Some(item) = qs.items().iter().find(|i| &i.id == id) {
                    quick_result.push(format!("• {}", item.label.get(il)));
                }
            }
        }
    }
    let population = if child {
        harbour_indicators::Population::Child
    } else {
        harbour_indicators::Population::Adult
    };
    let fitting: Vec<&harbour_indicators::IndicatorList> = h
        .indicator_lists()
        .iter()
        .filter(|l| l.population() == population)
        .collect();
    let current = fitting
        .iter()
        .find(|l| l.id() == d.list)
        .or(fitting.first())
        .copied();
    let lists = fitting
        .iter()
        .map(|l| Choice {
            value: l.id().into(),
            label: l.title().get(il).into(),
            checked: Some(l.id()) == current.map(|c| c.id()),
        })
        .collect();
    let dimensions = current
        .map(|l| {
            l.dimensions()
                .iter()
                .map(|dim| DimensionBox {
                    label: dim.label.get(il).into(),
                    indicators: l
                        .indicators()
                        .iter()
                        .filter(|i| i.dimension == dim.id)
                        .map(|i| Choice {
                            value: i.id.clone(),
                            label: i.label.get(il).into(),
                            checked: d.observed.contains(&i.id),
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut full_result = vec![];
    let mut full_indicated = false;
    if d.full_done {
        if let Some(l) = h.indicator_lists().iter().find(|l| l.id() == d.list) {
            if let Ok(r) = h.evaluate_screening(
                &ScreeningInput {
                    list: d.list.clone(),
                    observed: d.observed.clone(),
                    notes: None,
                    minority: None,
                },
                minority,
                "",
            ) {
                full_indicated = r.indicated;
                full_result = r.explain(l, il).lines().map(str::to_string).collect();
            }
        }
    }
    let forms = ExploitationForm::ALL
        .iter()
        .map(|f| Choice {
            value: f.as_str().into(),
            label: t(lang, &format!("form-{}", f.as_str())),
            checked: d.forms.iter().any(|x| x == f.as_str()),
        })
        .collect();
    let mut review = vec![];
    if step == "review" {
        let mut ignore = Errors::default();
        let p = d.person(lang, &mut ignore);
        review.push((t(lang, "person-name"), p.display_name()));
        if let Some(pn) = opt(&d.patronymic) {
            review.push((t(lang, "person-patronymic"), pn));
        }
        review.push((
            t(lang, "person-sex"),
            t(lang, &format!("sex-{}", p.sex.as_str())),
        ));
        review.push((
            t(lang, "person-birth"),
            super::cases::birth_text(lang, &p.birth.dated(h.now().date())),
        ));
        review.push((
            t(lang, "review-minority"),
            t(lang, &format!("minority-{}", minority.as_str())),
        ));
        if !p.nationalities.is_empty() {
            review.push((t(lang, "person-nationality"), p.nationalities.join(", ")));
        }
        if !p.languages.is_empty() {
            review.push((t(lang, "person-languages"), p.languages.join(", ")));
        }
        review.push((
            t(lang, "person-unaccompanied"),
            t(lang, if d.unaccompanied { "yes" } else { "no" }),
        ));
        let forms: Vec<String> = d
            .forms
            .iter()
            .map(|f| t(lang, &format!("form-{f}")))
            .collect();
        review.push((
            t(lang, "case-exploitation"),
            if forms.is_empty() {
                t(lang, "form-unknown")
            } else {
                forms.join(", ")
            },
        ));
        if child {
            review.push((t(lang, "safeguard-views"), d.child_views.clone()));
        } else {
            review.push((
                t(lang, "case-consent"),
                t(lang, if d.consent { "yes" } else { "no" }),
            ));
        }
        if !d.summary.trim().is_empty() {
            review.push((t(lang, "case-summary"), d.summary.clone()));
        }
    }
    review.retain(|(_, v)| !v.trim().is_empty());
    let c = web.ctx(t(lang, "referral-title"));
    let status = if errors.is_empty() && general.is_empty() && candidates.is_empty() {
        StatusCode::OK
    } else if !candidates.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ReferralPage {
            c,
            step,
            step_no,
            step_title: t(lang, &format!("step-{step}")),
            draft_json: serde_json::to_string(&d).unwrap_or_default(),
            d,
            errors,
            general,
            child,
            minority: t(lang, &format!("minority-{}", minority.as_str())),
            sexes,
            quick_items,
            quick_result,
            lists,
            dimensions,
            full_result,
            full_indicated,
            forms,
            review,
            candidates,
        },
    )
}

fn not_a_referrer(web: &Web) -> Option<Response> {
    (!web.actor.user.role.may_refer()).then(|| {
        #[derive(Template)]
        #[template(path = "message.html")]
        struct Message {
            c: Ctx,
            text: String,
        }
        render(
            StatusCode::FORBIDDEN,
            &Message {
                c: web.ctx(web.t("referral-title")),
                text: web.t("error-forbidden"),
            },
        )
    })
}

pub async fn start(State(s): State<AppState>, web: Web) -> Response {
    if let Some(r) = not_a_referrer(&web) {
        return r;
    }
    page(
        &s.harbour,
        &web,
        "person",
        Draft::default(),
        Errors::default(),
        String::new(),
        vec![],
    )
}

fn step_of(name: &str) -> &'static str {
    STEPS
        .iter()
        .find(|s| **s == name)
        .copied()
        .unwrap_or("person")
}

/// Which step and field a service error's JSON pointer belongs to.
fn place_of(pointer: &str) -> (&'static str, &'static str, &'static str) {
    let p = pointer;
    if p.starts_with("/person/names") {
        ("person", "given", "person-error-name")
    } else if p.starts_with("/person/birth") {
        ("person", "birth_kind", "person-error-birth")
    } else if p.starts_with("/person/nationalities") || p.starts_with("/person/stateless") {
        ("person", "nationality", "person-error-nationality")
    } else if p.starts_with("/person/languages") {
        ("person", "language", "person-error-language")
    } else if p.starts_with("/screenings") {
        ("screen", "list", "screen-error")
    } else if p.starts_with("/child_views") {
        ("consent", "child_views", "consent-error-text")
    } else if p.starts_with("/summary") {
        ("consent", "summary", "consent-error-text")
    } else if p.starts_with("/consent") {
        ("consent", "informed_in", "person-error-language")
    } else {
        ("review", "form", "error-internal")
    }
}

pub async fn step(State(s): State<AppState>, web: Web, form: FormData) -> Response {
    if let Some(r) = not_a_referrer(&web) {
        return r;
    }
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let h = &s.harbour;
    let lang = web.lang;
    let mut d: Draft = serde_json::from_str(form.get("draft")).unwrap_or_default();
    let current = step_of(form.get("step"));
    d.merge(current, &form);
    let go = form.get("go").to_string();
    let idx = STEPS.iter().position(|x| *x == current).unwrap_or(0);
    let empty = Errors::default;
    if go == "back" {
        return page(
            h,
            &web,
            STEPS[idx.saturating_sub(1)],
            d,
            empty(),
            String::new(),
            vec![],
        );
    }
    match (current, go.as_str()) {
        ("person", _) => {
            let mut errors = Errors::default();
            let _ = d.person(lang, &mut errors);
            if !errors.is_empty() {
                return page(h, &web, "person", d, errors, String::new(), vec![]);
            }
            page(h, &web, "screen", d, empty(), String::new(), vec![])
        }
        ("screen", "mode-full") => {
            d.screen_mode = "full".into();
            page(h, &web, "screen", d, empty(), String::new(), vec![])
        }
        ("screen", "mode-quick") => {
            d.screen_mode = "quick".into();
            page(h, &web, "screen", d, empty(), String::new(), vec![])
        }
        ("screen", "quick") => {
            d.quick_done = true;
            page(h, &web, "screen", d, empty(), String::new(), vec![])
        }
        ("screen", "list") => {
            d.full_done = false;
            d.observed.clear();
            page(h, &web, "screen", d, empty(), String::new(), vec![])
        }
        ("screen", "full") => {
            if d.list.is_empty() {
                let minority = d.minority(h);
                d.list = h
                    .indicator_lists()
                    .iter()
                    .find(|l| {
                        (l.population() == harbour_indicators::Population::Child)
                            == minority.is_child_or_presumed()
                    })
                    .map(|l| l.id().to_string())
                    .unwrap_or_default();
            }
            d.full_done = true;
            page(h, &web, "screen", d, empty(), String::new(), vec![])
        }
        ("screen", _) => page(h, &web, "consent", d, empty(), String::new(), vec![]),
        ("consent", _) => {
            let mut errors = Errors::default();
            let minority = d.minority(h);
            if !minority.is_child_or_presumed() && !d.consent {
                errors.add("consent", t(lang, "error-consent-required"));
            }
            if !errors.is_empty() {
                return page(h, &web, "consent", d, errors, String::new(), vec![]);
            }
            page(h, &web, "review", d, empty(), String::new(), vec![])
        }
        ("review", go) => submit(h, &web, d, go).await,
        _ => page(h, &web, "person", d, empty(), String::new(), vec![]),
    }
}

async fn submit(h: &Harbour, web: &Web, d: Draft, go: &str) -> Response {
    let lang = web.lang;
    let minority = d.minority(h);
    let (referral, errors) = d.referral(lang, minority);
    if !errors.is_empty() {
        return page(h, web, "person", d, errors, String::new(), vec![]);
    }
    let mut options = ReferralOptions {
        screenings: d.screenings(),
        ..Default::default()
    };
    let attaching = go
        .strip_prefix("attach:")
        .and_then(|id| id.parse::<CaseId>().ok());
    options.attach_to = attaching;
    options.confirm_new_person = go == "confirm";
    match h.refer(&web.actor, referral, options).await {
        Ok(view) => {
            let flag = if attaching.is_some() {
                "attached"
            } else {
                "created"
            };
            see_other(&format!("/cases/{}?{flag}=1", view.id))
        }
        Err(ServiceError::PossibleDuplicate(cands)) => {
            let candidates = cands
                .iter()
                .map(|c| Candidate {
                    id: c.id.to_string(),
                    name: c.name.clone(),
                    status: t(lang, &format!("status-{}", c.status.as_str())),
                    minority: t(lang, &format!("minority-{}", c.minority.as_str())),
                    referred: i18n::date(lang, c.referred_at.date()),
                    probability: c
                        .score
                        .as_ref()
                        .map(|s| super::tracing_requests::percent(lang, s.probability))
                        .unwrap_or_default(),
                    reasons: c
                        .score
                        .as_ref()
                        .map(|s| super::tracing_requests::reason_lines(lang, s))
                        .unwrap_or_default(),
                })
                .collect();
            page(
                h,
                web,
                "review",
                d,
                Errors::default(),
                String::new(),
                candidates,
            )
        }
        Err(e) => match field_errors(&e) {
            Some(fields) => {
                let mut errors = Errors::default();
                let mut first = None;
                for f in fields {
                    let (step, field, key) = place_of(&f.pointer);
                    first.get_or_insert(step);
                    errors.add(field, t(lang, key));
                }
                page(
                    h,
                    web,
                    first.unwrap_or("review"),
                    d,
                    errors,
                    String::new(),
                    vec![],
                )
            }
            None => {
                let general = service_message(lang, &e);
                let step = if matches!(
                    e,
                    ServiceError::Domain(harbour_domain::DomainError::ConsentRequired)
                ) {
                    "consent"
                } else {
                    "review"
                };
                page(h, web, step, d, Errors::default(), general, vec![])
            }
        },
    }
}
