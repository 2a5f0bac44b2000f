//! The case list (filters, keyset paging) and the case page (person, child safeguards, status,
//! deadlines, alerts, timeline, and the decisions this user may record).

use super::i18n::{self, t, Lang};
use super::{
    field_errors, not_found, render, see_other, service_message, Ctx, Errors, FormData, Web,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use harbour_domain::person::Birth;
use harbour_domain::{CaseId, DecisionOutcome, Event, Minority, OrgId, OrgKind, Role, Status};
use harbour_service::cases::{DecisionInput, DecisionKind, ListQuery};
use harbour_service::views::{CaseSummary, CaseView, EventView};
use harbour_service::Harbour;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// Alert codes the pages can show (domain `AlertCode::as_str`).
pub const ALERTS: &[&str] = &[
    "guardian_missing",
    "age_assessment_pending",
    "reasonable_grounds_overdue",
    "recovery_period_ending",
    "conclusive_grounds_due",
    "move_on_period_ending",
    "rights_overdue",
];

/// Journal event kinds (`Event::kind`).
pub const EVENTS: &[&str] = &[
    "referral_received",
    "reasonable_grounds_decided",
    "conclusive_grounds_decided",
    "age_assessed",
    "disqualified",
    "reconsideration_requested",
    "early_conclusive_decision_requested",
    "guardian_appointed",
    "case_closed",
    "screening_recorded",
    "referral_attached",
    "right_recorded",
    "needs_assessed",
    "service_referred",
    "service_referral_updated",
    "guardian_named",
    "best_interests_recorded",
    "family_tracing_requested",
    "transition_plan_recorded",
    "justice_recorded",
    "durable_solution_chosen",
    "follow_up_recorded",
    "handover_recorded",
    "transfer_answered",
    "family_tracing_consent_recorded",
];

/// One line of a case list (no personal data: lists are safe on a shared screen).
pub struct Row {
    pub href: String,
    pub reference: String,
    pub referred: String,
    pub status: String,
    pub minority: String,
    pub child: bool,
    pub overdue: bool,
    /// How many rights are late (counted from the list's projection).
    pub rights_overdue: usize,
    pub alerts: Vec<String>,
}

pub fn short_ref(id: CaseId) -> String {
    id.to_string()
        .chars()
        .take(8)
        .collect::<String>()
        .to_uppercase()
}

pub fn row(lang: Lang, c: &CaseSummary) -> Row {
    Row {
        href: format!("/cases/{}", c.id),
        reference: short_ref(c.id),
        referred: i18n::date(lang, c.referred_at.date()),
        status: t(lang, &format!("status-{}", c.status.as_str())),
        minority: t(lang, &format!("minority-{}", c.minority.as_str())),
        child: c.minority.is_child_or_presumed(),
        overdue: c.overdue,
        rights_overdue: c.rights_overdue,
        alerts: c
            .alerts
            .iter()
            .map(|a| t(lang, &format!("alert-{a}")))
            .collect(),
    }
}

// ---------- the list ----------

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    c: Ctx,
    rows: Vec<Row>,
    statuses: Vec<(String, String, bool)>,
    minorities: Vec<(String, String, bool)>,
    overdue: bool,
    rights_overdue: bool,
    next: Option<String>,
    error: String,
}

pub async fn list(
    State(s): State<AppState>,
    web: Web,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = web.lang;
    let status = q.get("status").and_then(|v| v.parse::<Status>().ok());
    let minority = q.get("minority").and_then(|v| v.parse::<Minority>().ok());
    let overdue = q.get("overdue").is_some_and(|v| v == "true");
    let rights_overdue = q.get("rights_overdue").is_some_and(|v| v == "true");
    let query = ListQuery {
        status,
        overdue,
        rights_overdue,
        minority,
        limit: Some(25),
        after: q.get("after").cloned().filter(|a| !a.is_empty()),
        oldest_first: false,
    };
    let (rows, next, error) = match s.harbour.list_cases(&web.actor, &query).await {
        Ok(list) => {
            let next = list.next.map(|n| {
                let mut params = vec![];
                if let Some(st) = status {
                    params.push(format!("status={}", st.as_str()));
                }
                if let Some(m) = minority {
                    params.push(format!("minority={}", m.as_str()));
                }
                if overdue {
                    params.push("overdue=true".into());
                }
                if rights_overdue {
                    params.push("rights_overdue=true".into());
                }
                params.push(format!("after={n}"));
                format!("/cases?{}", params.join("&"))
            });
            (
                list.cases.iter().map(|c| row(lang, c)).collect(),
                next,
                String::new(),
            )
        }
        Err(e) => (vec![], None, service_message(lang, &e)),
    };
    let statuses = Status::ALL
        .iter()
        .map(|st| {
            (
                st.as_str().to_string(),
                t(lang, &format!("status-{}", st.as_str())),
                Some(*st) == status,
            )
        })
        .collect();
    let minorities = [Minority::Child, Minority::PresumedChild, Minority::Adult]
        .iter()
        .map(|m| {
            (
                m.as_str().to_string(),
                t(lang, &format!("minority-{}", m.as_str())),
                Some(*m) == minority,
            )
        })
        .collect();
    let c = web.ctx(web.t("cases-title"));
    render(
        StatusCode::OK,
        &ListPage {
            c,
            rows,
            statuses,
            minorities,
            overdue,
            rights_overdue,
            next,
            error,
        },
    )
}

// ---------- the case page ----------

pub struct Deadline {
    pub label: String,
    pub date: String,
    pub left: String,
    pub overdue: bool,
}

pub struct AlertLine {
    pub text: String,
    pub due: String,
    pub overdue: bool,
}

pub struct TimelineItem {
    pub at: String,
    pub datetime: String,
    pub title: String,
    pub by: String,
    pub details: Vec<String>,
}

pub struct NameLine {
    pub name: String,
    pub script: String,
}

/// A decision form the user may submit.
pub struct DecisionForm {
    pub kind: &'static str,
    pub title: String,
    pub outcomes: Vec<(&'static str, String)>,
    pub method: bool,
    pub errors: Errors,
    pub outcome: String,
    pub reasons: String,
    pub method_value: String,
    pub hint: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Ctx,
    case_path: String,
    names: Vec<NameLine>,
    facts: Vec<(String, String)>,
    minority: String,
    minority_note: String,
    child: bool,
    safeguards: Vec<(String, String, bool)>,
    child_views: String,
    status: String,
    deadlines: Vec<Deadline>,
    alerts: Vec<AlertLine>,
    summary: String,
    timeline: Vec<TimelineItem>,
    forms: Vec<DecisionForm>,
    guardians: Vec<(String, String)>,
    guardian_form: bool,
    guardian_error: String,
    closure_form: bool,
    requests: Vec<(&'static str, String, String)>,
    request_error: String,
    closure_reasons: Vec<(String, String)>,
    closure_error: String,
    message: String,
    form_error: String,
    /// Family-tracing candidates (child-protection officers and the competent authority).
    tracing: Option<super::tracing_requests::CaseSection>,
    support: super::support::SupportSection,
}

fn days_left(lang: Lang, due: Date, today: Date) -> (String, bool) {
    let d = (due - today).whole_days();
    if d > 0 {
        (i18n::t_num(lang, "days-left", "days", d), false)
    } else if d == 0 {
        (t(lang, "due-today"), false)
    } else {
        (i18n::t_num(lang, "days-overdue", "days", -d), true)
    }
}

pub fn birth_text(lang: Lang, b: &Birth) -> String {
    match *b {
        Birth::Exact(d) => i18n::date(lang, d),
        Birth::Year(y) => i18n::t_num(lang, "birth-year", "year", y.into()),
        Birth::YearMonth(y, m) => format!("{} {}", t(lang, &format!("month-nom-{}", m as u8)), y),
        Birth::Estimated { min, max, on } => {
            let mut a = fluent_bundle::FluentArgs::new();
            a.set("min", i64::from(min));
            a.set("max", i64::from(max));
            a.set("on", on.map(|d| i18n::date(lang, d)).unwrap_or_default());
            i18n::tr(lang, "birth-estimated", Some(&a))
        }
        Birth::Unknown => t(lang, "birth-unknown"),
    }
}

async fn org_names(h: &Harbour) -> HashMap<OrgId, String> {
    h.store()
        .list_orgs()
        .await
        .map(|orgs| orgs.into_iter().map(|o| (o.id, o.name)).collect())
        .unwrap_or_default()
}

fn outcome_key(o: DecisionOutcome) -> &'static str {
    match o {
        DecisionOutcome::Positive => "outcome-positive",
        DecisionOutcome::Negative => "outcome-negative",
    }
}

fn timeline(lang: Lang, events: &[EventView], orgs: &HashMap<OrgId, String>) -> Vec<TimelineItem> {
    let reasons = |r: &str| i18n::t_str(lang, "timeline-reasons", "reasons", r);
    let mut items: Vec<TimelineItem> = events
        .iter()
        .map(|e| {
            let mut details = vec![];
            match &e.event {
                Event::ReferralReceived { referral, .. }
                | Event::ReferralAttached { referral, .. } => {
                    let forms: Vec<String> = referral
                        .exploitation_forms
                        .iter()
                        .map(|f| t(lang, &format!("form-{}", f.as_str())))
                        .collect();
                    details.push(i18n::t_str(
                        lang,
                        "timeline-forms",
                        "forms",
                        &forms.join(", "),
                    ));
                }
                Event::ReasonableGroundsDecided {
                    outcome,
                    reasons: r,
                    recovery_period,
                } => {
                    details.push(t(lang, outcome_key(*outcome)));
                    details.push(reasons(r));
                    if let Some(rp) = recovery_period {
                        let mut a = fluent_bundle::FluentArgs::new();
                        a.set("start", i18n::date(lang, rp.start));
                        a.set("end", i18n::date(lang, rp.end));
                        details.push(i18n::tr(lang, "timeline-recovery-period", Some(&a)));
                    }
                }
                Event::ConclusiveGroundsDecided {
                    outcome,
                    reasons: r,
                    ..
                } => {
                    details.push(t(lang, outcome_key(*outcome)));
                    details.push(reasons(r));
                }
                Event::AgeAssessed {
                    result,
                    method,
                    reasons: r,
                } => {
                    details.push(t(
                        lang,
                        match result {
                            harbour_domain::AgeAssessmentResult::Child => "outcome-child",
                            harbour_domain::AgeAssessmentResult::Adult => "outcome-adult",
                        },
                    ));
                    details.push(i18n::t_str(lang, "timeline-method", "method", method));
                    details.push(reasons(r));
                }
                Event::Disqualified { reasons: r, .. }
                | Event::ReconsiderationRequested { reasons: r, .. }
                | Event::EarlyConclusiveDecisionRequested { reasons: r } => {
                    details.push(reasons(r))
                }
                Event::CaseClosed { reason, notes, .. } => {
                    details.push(t(lang, &format!("closure-{}", reason.as_str())));
                    if let Some(n) = notes {
                        details.push(n.clone());
                    }
                }
                Event::ScreeningRecorded { screening } => details.push(t(
                    lang,
                    if screening.indicated {
                        "screening-indicated"
                    } else {
                        "screening-not-indicated"
                    },
                )),
                Event::GuardianAppointed { .. } => {}
                Event::FamilyTracingConsentRecorded { given } => details.push(t(
                    lang,
                    if *given {
                        "tracing-consent-given"
                    } else {
                        "tracing-consent-withdrawn"
                    },
                )),
                other => details.extend(super::support::timeline_details(lang, other)),
            }
            TimelineItem {
                at: i18n::datetime(lang, e.at),
                datetime: e
                    .at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                title: t(lang, &format!("event-{}", e.event.kind())),
                by: orgs.get(&e.actor_org).cloned().unwrap_or_default(),
                details,
            }
        })
        .collect();
    items.reverse();
    items
}

fn decision_forms(
    lang: Lang,
    actor: &harbour_service::Actor,
    view: &CaseView,
) -> Vec<DecisionForm> {
    let role = actor.user.role;
    let authority = role == Role::DecisionMaker && actor.org.kind == OrgKind::CompetentAuthority;
    let grounds = vec![
        ("positive", t(lang, "outcome-positive")),
        ("negative", t(lang, "outcome-negative")),
    ];
    let form = |kind, title: &str, outcomes, method, hint: &str| DecisionForm {
        kind,
        title: t(lang, title),
        outcomes,
        method,
        errors: Errors::default(),
        outcome: String::new(),
        reasons: String::new(),
        method_value: String::new(),
        hint: if hint.is_empty() {
            String::new()
        } else {
            t(lang, hint)
        },
    };
    let mut forms = vec![];
    if authority && view.status == Status::AwaitingReasonableGrounds {
        forms.push(form(
            "reasonable_grounds",
            "decide-rg-title",
            grounds.clone(),
            false,
            "decide-rg-hint",
        ));
    }
    // During the recovery period the conclusive decision waits (unless the person asked for an
    // early one, which makes the status "awaiting conclusive grounds").
    if authority && view.status == Status::AwaitingConclusiveGrounds {
        forms.push(form(
            "conclusive_grounds",
            "decide-cg-title",
            grounds,
            false,
            "decide-cg-hint",
        ));
    }
    // Disqualification (public order, bad faith) can end protection while identification runs.
    if authority
        && matches!(
            view.status,
            Status::AwaitingReasonableGrounds
                | Status::RecoveryPeriod
                | Status::AwaitingConclusiveGrounds
        )
    {
        forms.push(form(
            "disqualification",
            "decide-dq-title",
            vec![
                ("public_order", t(lang, "outcome-public-order")),
                ("bad_faith", t(lang, "outcome-bad-faith")),
            ],
            false,
            "decide-dq-hint",
        ));
    }
    let open = !matches!(view.status, Status::Closed | Status::Disqualified);
    if open
        && view.minority == Minority::PresumedChild
        && matches!(role, Role::DecisionMaker | Role::ChildProtectionOfficer)
    {
        forms.push(form(
            "age_assessment",
            "decide-age-title",
            vec![
                ("child", t(lang, "outcome-child")),
                ("adult", t(lang, "outcome-adult")),
            ],
            true,
            "decide-age-hint",
        ));
    }
    forms
}

pub(crate) async fn case_page(
    h: &Harbour,
    web: &Web,
    id: CaseId,
    failed: Option<(String, Errors, FormData, String)>,
    message: String,
) -> Response {
    let lang = web.lang;
    let support_error = match &failed {
        Some((form, _, _, general)) if form == "support" => general.clone(),
        _ => String::new(),
    };
    let purpose = super::breakglass::purpose_of(web);
    let (view, events) = match h.case_with_events(&web.actor, id, Some(&purpose)).await {
        Ok(v) => v,
        Err(harbour_service::ServiceError::NotFound(_)) => {
            return super::breakglass::not_found_case(web, id)
        }
        // Only someone who could see the case learns it was erased (the service checks first).
        Err(harbour_service::ServiceError::Gone { on, basis }) => {
            return erased_page(web, id, on, &basis)
        }
        Err(e) => {
            tracing::warn!(error = %e, "case page");
            return not_found(web);
        }
    };
    let orgs = org_names(h).await;
    let now: OffsetDateTime = h.now();
    let today = now.date();
    let p = &view.person;

    let names = p
        .names
        .iter()
        .map(|n| NameLine {
            name: [
                n.given.as_deref(),
                n.patronymic.as_deref(),
                n.family.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
            script: n.script.clone().unwrap_or_default(),
        })
        .collect();
    let mut facts = vec![
        (
            t(lang, "person-sex"),
            t(lang, &format!("sex-{}", p.sex.as_str())),
        ),
        (t(lang, "person-birth"), birth_text(lang, &p.birth)),
    ];
    if !p.nationalities.is_empty() {
        facts.push((t(lang, "person-nationality"), p.nationalities.join(", ")));
    }
    if p.stateless {
        facts.push((t(lang, "person-nationality"), t(lang, "person-stateless")));
    }
    if !p.languages.is_empty() {
        facts.push((t(lang, "person-languages"), p.languages.join(", ")));
    }
    let forms_text: Vec<String> = view
        .exploitation_forms
        .iter()
        .map(|f| t(lang, &format!("form-{}", f.as_str())))
        .collect();
    facts.push((t(lang, "case-exploitation"), forms_text.join(", ")));
    facts.push((
        t(lang, "case-referred"),
        format!(
            "{} · {}",
            i18n::datetime(lang, view.referred_at),
            orgs.get(&view.referring_org).cloned().unwrap_or_default()
        ),
    ));
    if let Some(consent) = &view.consent {
        facts.push((
            t(lang, "case-consent"),
            t(lang, if consent.nrm_referral { "yes" } else { "no" }),
        ));
    }

    let child = view.minority.is_child_or_presumed();
    let minority = t(lang, &format!("minority-{}", view.minority.as_str()));
    let minority_note = match view.minority {
        Minority::PresumedChild => t(lang, "minority-presumed-note"),
        Minority::Child => t(lang, "minority-child-note"),
        Minority::Adult => String::new(),
    };
    let mut safeguards = vec![];
    if child {
        // Appointed as a Harbour user, or named with their organisation.
        let has_guardian = view.guardian.is_some() || view.support.named_guardian.is_some();
        safeguards.push(if has_guardian {
            (
                t(lang, "safeguard-guardian"),
                t(lang, "safeguard-guardian-appointed"),
                false,
            )
        } else {
            let due = view
                .deadlines
                .guardian_due
                .map(|d| i18n::datetime(lang, d))
                .unwrap_or_default();
            (
                t(lang, "safeguard-guardian"),
                i18n::t_str(lang, "safeguard-guardian-missing", "due", &due),
                true,
            )
        });
        if view.minority == Minority::PresumedChild {
            safeguards.push((
                t(lang, "safeguard-age"),
                t(lang, "safeguard-age-pending"),
                true,
            ));
        }
        safeguards.push((
            t(lang, "safeguard-unaccompanied"),
            t(lang, if p.unaccompanied { "yes" } else { "no" }),
            p.unaccompanied,
        ));
        safeguards.push((
            t(lang, "safeguard-consent"),
            t(lang, "safeguard-consent-text"),
            false,
        ));
    }

    let mut deadlines = vec![];
    let d = &view.deadlines;
    for (key, date) in [
        ("deadline-rg", d.reasonable_grounds_due),
        ("deadline-recovery-end", d.recovery_period_end),
        ("deadline-move-on-end", d.move_on_period_end),
    ] {
        if let Some(date) = date {
            let (left, overdue) = days_left(lang, date, today);
            deadlines.push(Deadline {
                label: t(lang, key),
                date: i18n::date(lang, date),
                left,
                overdue,
            });
        }
    }
    if let Some(g) = d.guardian_due {
        let hours = (g - now).whole_hours();
        let (left, overdue) = if hours >= 0 {
            (i18n::t_num(lang, "hours-left", "hours", hours), false)
        } else {
            (i18n::t_num(lang, "hours-overdue", "hours", -hours), true)
        };
        deadlines.push(Deadline {
            label: t(lang, "deadline-guardian"),
            date: i18n::datetime(lang, g),
            left,
            overdue,
        });
    }
    let alerts = view
        .alerts
        .iter()
        .map(|a| AlertLine {
            text: t(lang, &format!("alert-{}", a.code.as_str())),
            due: match a.due {
                Some(harbour_domain::deadlines::Due::Day(d)) => i18n::date(lang, d),
                Some(harbour_domain::deadlines::Due::Instant(i)) => i18n::datetime(lang, i),
                None => String::new(),
            },
            overdue: a.overdue,
        })
        .collect();

    let failed_guardian = failed.as_ref().is_some_and(|f| f.0 == "guardian");
    let failed_closure = failed.as_ref().is_some_and(|f| f.0 == "closure");
    let failed_request = failed.as_ref().is_some_and(|f| f.0 == "request");
    let mut forms = decision_forms(lang, &web.actor, &view);
    let mut form_error = String::new();
    if let Some((kind, errors, form, general)) = failed {
        if let Some(f) = forms.iter_mut().find(|f| f.kind == kind) {
            f.errors = errors;
            f.outcome = form.get("outcome").to_string();
            f.reasons = form.get("reasons").to_string();
            f.method_value = form.get("method").to_string();
        }
        form_error = general;
    }
    let status = if failed_status(&form_error) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let guardian_form = child
        && view.guardian.is_none()
        && view.support.named_guardian.is_none()
        && !matches!(view.status, Status::Closed | Status::Disqualified)
        && matches!(
            web.actor.user.role,
            Role::ChildProtectionOfficer | Role::DecisionMaker
        );
    let mut guardians = vec![];
    if guardian_form {
        if let Ok(list) = h.guardian_candidates(&web.actor).await {
            guardians = list
                .into_iter()
                .map(|u| {
                    let org = orgs.get(&u.org_id).cloned().unwrap_or_default();
                    (u.id.to_string(), format!("{} · {org}", u.email))
                })
                .collect();
        }
    }
    let guardian_error = if failed_guardian {
        form_error.clone()
    } else {
        String::new()
    };
    let closure_form = !matches!(view.status, Status::Closed)
        && matches!(
            web.actor.user.role,
            Role::CaseWorker | Role::DecisionMaker | Role::ChildProtectionOfficer
        );
    let closure_reasons = harbour_domain::ClosureReason::ALL
        .iter()
        .map(|r| {
            (
                r.as_str().to_string(),
                t(lang, &format!("closure-{}", r.as_str())),
            )
        })
        .collect();
    let closure_error = if failed_closure {
        form_error.clone()
    } else {
        String::new()
    };
    // Requests anyone entitled to the case may record for the person: reconsideration of a
    // negative decision, or an early conclusive decision during the recovery period.
    let mut requests = vec![];
    if view.status == Status::NotIdentified {
        requests.push((
            "reconsideration",
            t(lang, "request-reconsideration-title"),
            t(lang, "request-reconsideration-hint"),
        ));
    }
    if view.status == Status::RecoveryPeriod {
        requests.push((
            "early_conclusive",
            t(lang, "request-early-title"),
            t(lang, "request-early-hint"),
        ));
    }
    let request_error = if failed_request {
        form_error.clone()
    } else {
        String::new()
    };
    let reference = super::cases::short_ref(id);
    let c = web.ctx(i18n::t_str(lang, "case-title", "reference", &reference));
    render(
        status,
        &CasePage {
            c,
            case_path: format!("/cases/{id}"),
            names,
            facts,
            minority,
            minority_note,
            child,
            safeguards,
            child_views: view.child_views.clone().unwrap_or_default(),
            status: t(lang, &format!("status-{}", view.status.as_str())),
            deadlines,
            alerts,
            summary: view.summary.clone().unwrap_or_default(),
            timeline: timeline(lang, &events, &orgs),
            forms: forms
                .into_iter()
                .filter(|f| !f.outcomes.is_empty())
                .collect(),
            guardians,
            guardian_form,
            guardian_error,
            closure_form,
            requests,
            request_error,
            closure_reasons,
            closure_error,
            message,
            form_error,
            tracing: super::tracing_requests::case_section(h, web, id).await,
            support: super::support::section(
                lang,
                &view,
                web.actor.user.role,
                support_error,
                super::support::offers(h, &web.actor, &view).await,
                super::support::handover_choices(h, &web.actor).await,
                &orgs,
            ),
        },
    )
}

fn failed_status(form_error: &str) -> bool {
    !form_error.is_empty()
}

#[derive(Template)]
#[template(path = "erased.html")]
struct ErasedPage {
    c: Ctx,
    reference: String,
    on: String,
    why: String,
}

/// An erased case: when and why, and what that means; its content is gone for good (`410`, as
/// the API answers).
fn erased_page(web: &Web, id: CaseId, on: Date, basis: &str) -> Response {
    let why = match basis {
        "person_request" => web.t("case-erased-basis-person-request"),
        "retention_expired" => web.t("case-erased-basis-retention"),
        other => other.to_string(),
    };
    render(
        StatusCode::GONE,
        &ErasedPage {
            c: web.ctx(web.t("case-erased-title")),
            reference: short_ref(id),
            on: i18n::date(web.lang, on),
            why,
        },
    )
}

pub async fn show(
    State(s): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(id) = id.parse::<CaseId>() else {
        return not_found(&web);
    };
    let message = if q.contains_key("requested") {
        web.t("request-recorded")
    } else if q.contains_key("closed") {
        web.t("closure-done")
    } else if q.contains_key("transferred") {
        web.t("transfers-accepted")
    } else if q.contains_key("guardian") {
        web.t("guardian-appointed")
    } else if q.contains_key("decided") {
        web.t("decision-recorded")
    } else if q.contains_key("support") {
        web.t("support-recorded")
    } else if q.contains_key("created") {
        web.t("referral-created")
    } else if q.contains_key("attached") {
        web.t("referral-attached")
    } else {
        String::new()
    };
    case_page(&s.harbour, &web, id, None, message).await
}

pub async fn decide(
    State(s): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let Ok(id) = id.parse::<CaseId>() else {
        return not_found(&web);
    };
    let lang = web.lang;
    let kind_s = form.get("kind").to_string();
    let kind = match kind_s.as_str() {
        "reasonable_grounds" => DecisionKind::ReasonableGrounds,
        "conclusive_grounds" => DecisionKind::ConclusiveGrounds,
        "age_assessment" => DecisionKind::AgeAssessment,
        "disqualification" => DecisionKind::Disqualification,
        _ => return not_found(&web),
    };
    let mut errors = Errors::default();
    if form.get("outcome").is_empty() {
        errors.add("outcome", t(lang, "decide-error-outcome"));
    }
    if form.get("reasons").trim().is_empty() {
        errors.add("reasons", t(lang, "decide-error-reasons"));
    }
    if kind == DecisionKind::AgeAssessment && form.get("method").trim().is_empty() {
        errors.add("method", t(lang, "decide-error-method"));
    }
    if !errors.is_empty() {
        let general = t(lang, "form-has-errors");
        return case_page(
            &s.harbour,
            &web,
            id,
            Some((kind_s, errors, form, general)),
            String::new(),
        )
        .await;
    }
    let method = form.get("method").trim();
    let input = DecisionInput {
        kind,
        outcome: form.get("outcome").to_string(),
        reasons: form.get("reasons").to_string(),
        method: (!method.is_empty()).then(|| method.to_string()),
    };
    match s.harbour.decide(&web.actor, id, input).await {
        Ok(_) => see_other(&format!("/cases/{id}?decided=1#timeline")),
        Err(harbour_service::ServiceError::NotFound(_)) => not_found(&web),
        Err(e) => {
            let mut errors = Errors::default();
            let general = match field_errors(&e) {
                Some(fields) => {
                    for f in fields {
                        let field = f.pointer.trim_start_matches('/').to_string();
                        let key = match field.as_str() {
                            "reasons" => "decide-error-reasons",
                            "method" => "decide-error-method",
                            _ => "decide-error-outcome",
                        };
                        errors.add(
                            if field.is_empty() { "outcome" } else { &field },
                            t(lang, key),
                        );
                    }
                    t(lang, "form-has-errors")
                }
                None => service_message(lang, &e),
            };
            case_page(
                &s.harbour,
                &web,
                id,
                Some((kind_s, errors, form, general)),
                String::new(),
            )
            .await
        }
    }
}

pub async fn appoint_guardian(
    State(s): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let Ok(id) = id.parse::<CaseId>() else {
        return not_found(&web);
    };
    let lang = web.lang;
    let fail = |general: String| {
        (
            String::from("guardian"),
            Errors::default(),
            FormData(vec![]),
            general,
        )
    };
    let Ok(guardian) = form.get("guardian").parse::<harbour_domain::UserId>() else {
        return case_page(
            &s.harbour,
            &web,
            id,
            Some(fail(t(lang, "guardian-error"))),
            String::new(),
        )
        .await;
    };
    match s.harbour.appoint_guardian(&web.actor, id, guardian).await {
        Ok(_) => see_other(&format!("/cases/{id}?guardian=1")),
        Err(harbour_service::ServiceError::NotFound(_)) => not_found(&web),
        Err(e) => {
            let general = if field_errors(&e).is_some() {
                t(lang, "guardian-error")
            } else {
                service_message(lang, &e)
            };
            case_page(&s.harbour, &web, id, Some(fail(general)), String::new()).await
        }
    }
}

pub async fn close(
    State(s): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let Ok(id) = id.parse::<CaseId>() else {
        return not_found(&web);
    };
    let lang = web.lang;
    let fail = |general: String| {
        (
            String::from("closure"),
            Errors::default(),
            FormData(vec![]),
            general,
        )
    };
    let Ok(reason) = form.get("reason").parse::<harbour_domain::ClosureReason>() else {
        return case_page(
            &s.harbour,
            &web,
            id,
            Some(fail(t(lang, "closure-error-reason"))),
            String::new(),
        )
        .await;
    };
    let notes = form.get("notes").trim();
    let notes = (!notes.is_empty()).then(|| notes.to_string());
    // Accepted service referrals still open: continue after closure, or withdraw them.
    let open_referrals = form.get("open_referrals").parse().ok();
    match s
        .harbour
        .close_case_settling(&web.actor, id, reason, notes, open_referrals)
        .await
    {
        Ok(_) => see_other(&format!("/cases/{id}?closed=1")),
        Err(harbour_service::ServiceError::NotFound(_)) => not_found(&web),
        Err(e) => {
            let general = if field_errors(&e).is_some() {
                t(lang, "consent-error-text")
            } else {
                service_message(lang, &e)
            };
            case_page(&s.harbour, &web, id, Some(fail(general)), String::new()).await
        }
    }
}

pub async fn request(
    State(s): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let Ok(id) = id.parse::<CaseId>() else {
        return not_found(&web);
    };
    let lang = web.lang;
    let fail = |general: String| {
        (
            String::from("request"),
            Errors::default(),
            FormData(vec![]),
            general,
        )
    };
    let reasons = form.get("reasons").trim().to_string();
    if reasons.is_empty() {
        return case_page(
            &s.harbour,
            &web,
            id,
            Some(fail(t(lang, "decide-error-reasons"))),
            String::new(),
        )
        .await;
    }
    let h = &s.harbour;
    let result = match form.get("kind") {
        "reconsideration" => h.request_reconsideration(&web.actor, id, reasons).await,
        "early_conclusive" => h.request_early_conclusive(&web.actor, id, reasons).await,
        _ => return not_found(&web),
    };
    match result {
        Ok(_) => see_other(&format!("/cases/{id}?requested=1")),
        Err(harbour_service::ServiceError::NotFound(_)) => not_found(&web),
        Err(e) => {
            let general = if field_errors(&e).is_some() {
                t(lang, "decide-error-reasons")
            } else {
                service_message(lang, &e)
            };
            case_page(h, &web, id, Some(fail(general)), String::new()).await
        }
    }
}
