//! Support, rights and justice on the pages: the timeline lines of support events, and (below)
//! the case page's support sections and the provider's referral page.

use super::i18n::{t, Lang};
use harbour_domain::support::{
    BestInterestsKind, Cooperation, DurableSolutionKind, HandoverKind, ReferralStatus, RightStatus,
    RightsCatalogue, ServiceKind,
};
use harbour_domain::Event;

/// What a timeline line says about a support event, in the reader's language.
pub fn timeline_details(lang: Lang, event: &Event) -> Vec<String> {
    match event {
        Event::RightRecorded {
            right,
            status,
            reason,
            ..
        } => {
            let mut d = vec![right_name(lang, right), t(lang, &status_key(*status))];
            d.extend(reason.clone());
            d
        }
        Event::NeedsAssessed { assessment } => assessment
            .needs
            .iter()
            .map(|n| t(lang, &kind_key(n.kind)))
            .collect(),
        Event::ServiceReferred { need, .. } => vec![t(lang, &kind_key(*need))],
        Event::ServiceReferralUpdated {
            service_kind,
            status,
            reason,
            ..
        } => {
            let mut d = vec![
                t(lang, &kind_key(*service_kind)),
                t(lang, &referral_status_key(*status)),
            ];
            d.extend(reason.clone());
            d
        }
        Event::GuardianNamed { name, organisation } => {
            vec![format!("{name} ({organisation})")]
        }
        Event::BestInterestsRecorded { best_interests } => vec![
            t(lang, &bi_key(best_interests.kind)),
            best_interests.conclusion.clone(),
        ],
        Event::JusticeRecorded { justice } => vec![t(lang, &cooperation_key(justice.cooperation))],
        Event::DurableSolutionChosen { solution } => {
            let mut d = vec![t(lang, &solution_key(solution.kind))];
            d.extend(solution.country.clone());
            d
        }
        Event::FollowUpRecorded { notes } => vec![notes.clone()],
        Event::HandoverRecorded { kind, purpose, .. } => {
            vec![t(lang, &handover_key(*kind)), purpose.clone()]
        }
        _ => vec![],
    }
}

/// A right's name: the translation of a shipped right, or the catalogue's own name for one a
/// national file added.
pub fn right_name(lang: Lang, code: &str) -> String {
    let key = format!("right-{code}");
    if shipped_right_codes().iter().any(|c| c == code) {
        t(lang, &key)
    } else {
        RightsCatalogue::shipped()
            .get(code)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| code.to_string())
    }
}

fn shipped_right_codes() -> Vec<String> {
    RightsCatalogue::shipped()
        .rights
        .into_iter()
        .map(|r| r.code)
        .collect()
}

pub fn status_key(s: RightStatus) -> String {
    format!("right-status-{}", s.as_str())
}
pub fn kind_key(k: ServiceKind) -> String {
    format!("service-kind-{}", k.as_str())
}
pub fn referral_status_key(s: ReferralStatus) -> String {
    format!("referral-status-{}", s.as_str())
}
pub fn cooperation_key(c: Cooperation) -> String {
    format!("cooperation-{}", c.as_str())
}
pub fn solution_key(k: DurableSolutionKind) -> String {
    format!("solution-{}", k.as_str())
}
pub fn bi_key(k: BestInterestsKind) -> String {
    format!("bi-kind-{}", k.as_str())
}
pub fn handover_key(k: HandoverKind) -> String {
    format!("handover-kind-{}", k.as_str())
}

/// Keys built from enums and the shipped rights (for the locale test).
pub fn keys() -> Vec<String> {
    let mut k: Vec<String> = shipped_right_codes()
        .iter()
        .map(|c| format!("right-{c}"))
        .collect();
    k.extend(RightStatus::ALL.iter().map(|s| status_key(*s)));
    k.extend(ServiceKind::ALL.iter().map(|s| kind_key(*s)));
    k.extend(ReferralStatus::ALL.iter().map(|s| referral_status_key(*s)));
    k.extend(Cooperation::ALL.iter().map(|s| cooperation_key(*s)));
    k.extend(DurableSolutionKind::ALL.iter().map(|s| solution_key(*s)));
    k.extend(BestInterestsKind::ALL.iter().map(|s| bi_key(*s)));
    k.extend(HandoverKind::ALL.iter().map(|s| handover_key(*s)));
    k.extend(
        ["offered", "accepted", "declined", "done"]
            .iter()
            .map(|st| format!("handover-status-{st}")),
    );
    k.extend(
        ["requested", "not_requested"]
            .iter()
            .map(|n| format!("support-np-{n}")),
    );
    k.extend(
        ["accept", "start", "complete"]
            .iter()
            .map(|a| format!("provider-step-{a}")),
    );
    k
}

// ---------------------------------------------------------------------------------------------
// The case page's support sections

use super::cases::case_page;
use super::i18n::{self};
use super::{
    field_errors, not_found, render, see_other, service_message, Ctx, Errors, FormData, Web,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use harbour_domain::support::{BestInterests, Justice};
use harbour_domain::{CaseId, Role};
use harbour_service::support::RightInput;
use harbour_service::views::CaseView;
use harbour_service::ServiceError;
use std::collections::HashMap;

pub struct RightRow {
    pub name: String,
    pub basis: String,
    pub status: String,
    pub due: String,
    pub overdue: bool,
}

pub struct ReferralRow {
    pub kind: String,
    pub status: String,
    pub referred: String,
    pub accepted: String,
}

/// What the case page shows of support, rights and justice.
pub struct SupportSection {
    pub rights: Vec<RightRow>,
    pub overdue_count: usize,
    pub right_options: Vec<(String, String)>,
    pub status_options: Vec<(String, String)>,
    pub needs: Vec<String>,
    pub referrals: Vec<ReferralRow>,
    pub child: bool,
    pub best_interests: Vec<(String, String, String)>,
    pub bi_options: Vec<(String, String)>,
    pub cooperation: String,
    pub cooperation_options: Vec<(String, String)>,
    pub durable_solution: String,
    /// May record rights (anyone who reads the case records what they did).
    pub may_record: bool,
    /// May do support case work (best interests, cooperation).
    pub may_support: bool,
    /// May record needs and refer to services (caseworkers and child-protection officers).
    pub may_refer: bool,
    /// Service kinds for the needs form.
    pub kind_options: Vec<(String, String)>,
    /// Ranked services that fit an assessed need: (need|service id, label).
    pub offers: Vec<(String, String)>,
    pub error: String,
    /// The guardian named as person and organisation, if any.
    pub named_guardian: String,
    /// May name the child's guardian (no guardian yet, child-protection officer or decision maker).
    pub may_name_guardian: bool,
    pub family_tracing: bool,
    /// A child at referral turned 18 during the case and has no plan into adulthood yet.
    pub transition_needed: bool,
    pub transition_plan: String,
    /// Justice and redress as recorded (the form starts from these values).
    pub justice: JusticeRows,
    /// May record justice and redress (caseworkers, child-protection officers, law enforcement).
    pub may_justice: bool,
    pub solution_options: Vec<(String, String)>,
    pub risk_assessment: String,
    pub follow_ups: Vec<(String, String)>,
    pub handovers: Vec<String>,
    pub handover_kinds: Vec<(String, String)>,
    /// Other organisations a case can be transferred or referred to: (id, name).
    pub handover_orgs: Vec<(String, String)>,
    /// Colleagues of one's own organisation who work on cases: (id, label).
    pub handover_users: Vec<(String, String)>,
}

/// Justice and redress as the page shows and edits them.
#[derive(Default)]
pub struct JusticeRows {
    pub cooperation: String,
    pub legal_representative: String,
    /// (kind, stage)
    pub proceedings: Vec<(String, String)>,
    pub protection_measures: String,
    /// (basis, outcome, applied on)
    pub permits: Vec<(String, String, String)>,
    /// (from, claimed, awarded, paid, currency) with amounts in major units.
    pub compensation: Vec<(String, String, String, String, String)>,
    /// `requested`, `not_requested` or empty (not recorded).
    pub non_punishment: String,
    pub non_punishment_outcome: String,
}

/// Choices for the handover form: other organisations and colleagues.
#[derive(Default)]
pub struct HandoverChoices {
    pub orgs: Vec<(String, String)>,
    pub users: Vec<(String, String)>,
}

/// What the handover form offers, for those who may hand a case over.
pub async fn handover_choices(
    h: &harbour_service::Harbour,
    actor: &harbour_service::Actor,
) -> HandoverChoices {
    if !matches!(
        actor.user.role,
        Role::CaseWorker | Role::ChildProtectionOfficer
    ) {
        return HandoverChoices::default();
    }
    let orgs = h
        .store()
        .list_orgs()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| o.id != actor.org.id)
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let users = h
        .store()
        .list_users()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.active && u.org_id == actor.org.id && u.role.may_read_cases())
        .map(|u| (u.id.to_string(), format!("{} ({})", u.email, u.role)))
        .collect();
    HandoverChoices { orgs, users }
}

/// Money in major units with two decimals, as a person reads it.
fn money_text(m: &Option<harbour_domain::support::Money>) -> String {
    m.as_ref()
        .map(|m| format!("{}.{:02}", m.amount_minor / 100, m.amount_minor % 100))
        .unwrap_or_default()
}

/// An amount typed in major units ("1500", "1500.5", "1 500,50") in minor units; `Err` when it
/// is not an amount.
fn parse_amount(raw: &str) -> Result<Option<u64>, ()> {
    let t: String = raw.trim().chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return Ok(None);
    }
    let t = t.replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(());
    }
    let whole: u64 = whole.parse().map_err(|_| ())?;
    let frac: u64 = format!("{frac:0<2}").parse().map_err(|_| ())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .map(Some)
        .ok_or(())
}

fn justice_rows(j: &Justice) -> JusticeRows {
    JusticeRows {
        cooperation: j.cooperation.as_str().to_string(),
        legal_representative: j.legal_representative.clone().unwrap_or_default(),
        proceedings: j
            .proceedings
            .iter()
            .map(|p| (p.kind.clone(), p.stage.clone()))
            .collect(),
        protection_measures: j.protection_measures.join("\n"),
        permits: j
            .residence_permits
            .iter()
            .map(|r| {
                (
                    r.basis.clone(),
                    r.outcome.clone(),
                    r.applied_on.clone().unwrap_or_default(),
                )
            })
            .collect(),
        compensation: j
            .compensation
            .iter()
            .map(|c| {
                let currency = [&c.claimed, &c.awarded, &c.paid]
                    .iter()
                    .find_map(|m| m.as_ref().map(|m| m.currency.clone()))
                    .unwrap_or_default();
                (
                    c.from.clone(),
                    money_text(&c.claimed),
                    money_text(&c.awarded),
                    money_text(&c.paid),
                    currency,
                )
            })
            .collect(),
        non_punishment: match &j.non_punishment {
            Some(n) if n.requested => "requested".into(),
            Some(_) => "not_requested".into(),
            None => String::new(),
        },
        non_punishment_outcome: j
            .non_punishment
            .as_ref()
            .and_then(|n| n.outcome.clone())
            .unwrap_or_default(),
    }
}

/// Justice and redress from the page's form; the lists come as repeated fields, one group per
/// item, and a group left empty is no item.
fn justice_from_form(form: &FormData, cooperation: Cooperation) -> Result<Justice, ServiceError> {
    use harbour_domain::support::{
        CompensationClaim, Money, NonPunishment, Proceeding, ResidencePermit,
    };
    let text = |v: &str| {
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    let kinds = form.all("proceeding_kind");
    let stages = form.all("proceeding_stage");
    let mut proceedings = vec![];
    for (i, kind) in kinds.iter().enumerate() {
        let stage = stages.get(i).map(|s| s.trim()).unwrap_or("");
        match (kind.trim(), stage) {
            ("", "") => {}
            ("", _) | (_, "") => {
                return Err(ServiceError::invalid(
                    &format!("/proceedings/{i}"),
                    "a proceeding has a kind and a stage",
                ))
            }
            (k, st) => proceedings.push(Proceeding {
                kind: k.to_string(),
                stage: st.to_string(),
            }),
        }
    }
    let bases = form.all("permit_basis");
    let outcomes = form.all("permit_outcome");
    let applied = form.all("permit_applied_on");
    let mut residence_permits = vec![];
    for (i, basis) in bases.iter().enumerate() {
        let outcome = outcomes.get(i).map(|s| s.trim()).unwrap_or("");
        let on = applied.get(i).map(|s| s.trim()).unwrap_or("");
        if basis.trim().is_empty() && outcome.is_empty() && on.is_empty() {
            continue;
        }
        if basis.trim().is_empty() || outcome.is_empty() {
            return Err(ServiceError::invalid(
                &format!("/residence_permits/{i}"),
                "a residence permit application has a basis and an outcome",
            ));
        }
        residence_permits.push(ResidencePermit {
            basis: basis.trim().to_string(),
            outcome: outcome.to_string(),
            applied_on: text(on),
        });
    }
    let from = form.all("comp_from");
    let claimed = form.all("comp_claimed");
    let awarded = form.all("comp_awarded");
    let paid = form.all("comp_paid");
    let currency = form.all("comp_currency");
    let mut compensation = vec![];
    for (i, who) in from.iter().enumerate() {
        let cell = |v: &Vec<String>| v.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
        let (c, a, p, cur) = (
            cell(&claimed),
            cell(&awarded),
            cell(&paid),
            cell(&currency).to_uppercase(),
        );
        if who.trim().is_empty() && c.is_empty() && a.is_empty() && p.is_empty() {
            continue;
        }
        let bad = |what: &str| {
            ServiceError::invalid(
                &format!("/compensation/{i}/{what}"),
                "an amount such as 1500 or 1500.50",
            )
        };
        let money = |raw: &str, what: &str| -> Result<Option<Money>, ServiceError> {
            Ok(parse_amount(raw)
                .map_err(|_| bad(what))?
                .map(|amount_minor| Money {
                    amount_minor,
                    currency: cur.clone(),
                }))
        };
        compensation.push(CompensationClaim {
            from: who.trim().to_string(),
            claimed: money(&c, "claimed")?,
            awarded: money(&a, "awarded")?,
            paid: money(&p, "paid")?,
        });
    }
    let non_punishment = match form.get("non_punishment") {
        "requested" | "not_requested" => Some(NonPunishment {
            requested: form.get("non_punishment") == "requested",
            outcome: text(form.get("non_punishment_outcome")),
        }),
        _ => None,
    };
    Ok(Justice {
        cooperation,
        legal_representative: text(form.get("legal_representative")),
        proceedings,
        protection_measures: form
            .get("protection_measures")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        residence_permits,
        compensation,
        non_punishment,
    })
}

/// Services that fit the person's assessed needs, best first, for the referral form (only for
/// those who may refer; the service records the look-up like any read).
pub async fn offers(
    h: &harbour_service::Harbour,
    actor: &harbour_service::Actor,
    view: &CaseView,
) -> Vec<harbour_service::support::ServiceView> {
    if !matches!(
        actor.user.role,
        Role::CaseWorker | Role::ChildProtectionOfficer
    ) || view.support.needs.is_none()
    {
        return vec![];
    }
    h.services_for_need(actor, view.id, None)
        .await
        .unwrap_or_default()
}

pub fn section(
    lang: Lang,
    view: &CaseView,
    role: Role,
    error: String,
    offers: Vec<harbour_service::support::ServiceView>,
    choices: HandoverChoices,
    orgs: &HashMap<harbour_domain::OrgId, String>,
) -> SupportSection {
    let sv = &view.support;
    let open = !matches!(
        view.status,
        harbour_domain::Status::Closed | harbour_domain::Status::Disqualified
    );
    let rights: Vec<RightRow> = sv
        .rights
        .iter()
        .map(|r| RightRow {
            name: right_name(lang, &r.right),
            basis: r.legal_basis.clone(),
            status: t(lang, &status_key(r.status)),
            due: r.due.map(|d| i18n::date(lang, d)).unwrap_or_default(),
            overdue: r.overdue,
        })
        .collect();
    SupportSection {
        overdue_count: rights.iter().filter(|r| r.overdue).count(),
        right_options: sv
            .rights
            .iter()
            .map(|r| (r.right.clone(), right_name(lang, &r.right)))
            .collect(),
        rights,
        status_options: RightStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), t(lang, &status_key(*s))))
            .collect(),
        needs: sv
            .needs
            .iter()
            .flat_map(|n| n.needs.iter())
            .map(|n| t(lang, &kind_key(n.kind)))
            .collect(),
        referrals: sv
            .service_referrals
            .iter()
            .map(|r| ReferralRow {
                kind: t(lang, &kind_key(r.service_kind)),
                status: t(lang, &referral_status_key(r.status)),
                referred: i18n::datetime(lang, r.referred_at),
                accepted: r
                    .accepted_at
                    .map(|a| i18n::datetime(lang, a))
                    .unwrap_or_default(),
            })
            .collect(),
        child: view.minority.is_child_or_presumed(),
        best_interests: sv
            .best_interests
            .iter()
            .map(|b| {
                (
                    t(lang, &bi_key(b.kind)),
                    b.child_views.clone(),
                    b.conclusion.clone(),
                )
            })
            .collect(),
        bi_options: BestInterestsKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), t(lang, &bi_key(*k))))
            .collect(),
        cooperation: sv
            .justice
            .as_ref()
            .map(|j| t(lang, &cooperation_key(j.cooperation)))
            .unwrap_or_else(|| t(lang, "support-not-recorded")),
        cooperation_options: Cooperation::ALL
            .iter()
            .map(|c| (c.as_str().to_string(), t(lang, &cooperation_key(*c))))
            .collect(),
        durable_solution: sv
            .durable_solution
            .as_ref()
            .map(|d| {
                let mut s = t(lang, &solution_key(d.kind));
                if let Some(c) = &d.country {
                    s.push_str(&format!(" ({c})"));
                }
                s
            })
            .unwrap_or_else(|| t(lang, "support-not-recorded")),
        may_record: role.may_read_cases(),
        may_support: matches!(
            role,
            Role::CaseWorker | Role::ChildProtectionOfficer | Role::DecisionMaker
        ),
        may_refer: matches!(role, Role::CaseWorker | Role::ChildProtectionOfficer),
        kind_options: ServiceKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), t(lang, &kind_key(*k))))
            .collect(),
        offers: offers
            .iter()
            .map(|o| {
                (
                    format!("{}|{}", o.kind.as_str(), o.id),
                    i18n::tr(
                        lang,
                        "support-offer",
                        Some(&{
                            let mut a = fluent_bundle::FluentArgs::new();
                            a.set("kind", t(lang, &kind_key(o.kind)));
                            a.set("name", o.name.clone());
                            a.set("free", i64::from(o.free));
                            a
                        }),
                    ),
                )
            })
            .collect(),
        error,
        named_guardian: sv
            .named_guardian
            .as_ref()
            .map(|g| format!("{} ({})", g.name, g.organisation))
            .unwrap_or_default(),
        may_name_guardian: view.minority.is_child_or_presumed()
            && open
            && view.guardian.is_none()
            && sv.named_guardian.is_none()
            && matches!(role, Role::ChildProtectionOfficer | Role::DecisionMaker),
        family_tracing: sv.family_tracing_requested,
        transition_needed: sv.transition_plan_needed,
        transition_plan: sv.transition_plan.clone().unwrap_or_default(),
        justice: sv.justice.as_ref().map(justice_rows).unwrap_or_default(),
        may_justice: matches!(
            role,
            Role::CaseWorker | Role::ChildProtectionOfficer | Role::LawEnforcement
        ),
        solution_options: DurableSolutionKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), t(lang, &solution_key(*k))))
            .collect(),
        risk_assessment: sv
            .durable_solution
            .as_ref()
            .and_then(|d| d.risk_assessment.clone())
            .unwrap_or_default(),
        follow_ups: sv
            .follow_ups
            .iter()
            .map(|f| (f.on.clone(), f.notes.clone()))
            .collect(),
        handovers: sv
            .handovers
            .iter()
            .map(|h| {
                let to = orgs.get(&h.to_org).cloned().unwrap_or_default();
                let status = t(lang, &format!("handover-status-{}", h.status));
                format!(
                    "{} → {to}: {} ({status})",
                    t(lang, &handover_key(h.kind)),
                    h.purpose
                )
            })
            .collect(),
        handover_kinds: HandoverKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), t(lang, &handover_key(*k))))
            .collect(),
        handover_orgs: choices.orgs,
        handover_users: choices.users,
    }
}

/// The case page's support forms: a right's status, a best-interests record, the person's
/// choice about cooperation.
pub async fn record(
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
    let h = &s.harbour;
    let text = |name: &str| {
        let v = form.get(name).trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    let result = match form.get("form") {
        "right" => match form.get("status").parse::<RightStatus>() {
            Ok(status) => h
                .record_right(
                    &web.actor,
                    id,
                    form.get("right"),
                    RightInput {
                        status,
                        reason: text("reason"),
                    },
                )
                .await
                .map(|_| ()),
            Err(_) => Err(ServiceError::invalid("/status", "choose a status")),
        },
        "best_interests" => match form.get("kind").parse::<BestInterestsKind>() {
            Ok(kind) => h
                .record_best_interests(
                    &web.actor,
                    id,
                    BestInterests {
                        kind,
                        child_views: form.get("child_views").to_string(),
                        conclusion: form.get("conclusion").to_string(),
                        return_in_best_interests: None,
                        recommended_solution: None,
                    },
                )
                .await
                .map(|_| ()),
            Err(_) => Err(ServiceError::invalid(
                "/kind",
                "choose assessment or determination",
            )),
        },
        "cooperation" => match form.get("cooperation").parse::<Cooperation>() {
            Ok(cooperation) => {
                // Only the choice changes here; the rest of justice and redress is kept.
                match h.get_case(&web.actor, id, Some("case page")).await {
                    Ok(view) => {
                        let justice = match view.support.justice {
                            Some(j) => Justice { cooperation, ..j },
                            None => Justice {
                                cooperation,
                                legal_representative: None,
                                proceedings: vec![],
                                protection_measures: vec![],
                                residence_permits: vec![],
                                compensation: vec![],
                                non_punishment: None,
                            },
                        };
                        h.record_justice(&web.actor, id, justice).await.map(|_| ())
                    }
                    Err(e) => Err(e),
                }
            }
            Err(_) => Err(ServiceError::invalid("/cooperation", "choose one")),
        },
        "needs" => {
            let kinds: Vec<ServiceKind> = form
                .all("need")
                .iter()
                .filter_map(|k| k.parse().ok())
                .collect();
            h.assess_needs(
                &web.actor,
                id,
                harbour_domain::support::NeedsAssessment {
                    needs: kinds
                        .into_iter()
                        .enumerate()
                        .map(|(i, kind)| harbour_domain::support::Need {
                            kind,
                            priority: u8::try_from(i + 1).ok(),
                            notes: None,
                        })
                        .collect(),
                    region: None,
                    priorities: text("priorities"),
                    child_views: text("child_views"),
                },
            )
            .await
            .map(|_| ())
        }
        "service_referral" => {
            let (need, service) = form.get("offer").split_once('|').unwrap_or(("", ""));
            match (need.parse::<ServiceKind>(), service.parse::<uuid::Uuid>()) {
                (Ok(need), Ok(service_id)) => h
                    .refer_to_service(
                        &web.actor,
                        id,
                        harbour_service::support::ServiceReferralInput {
                            service_id,
                            need,
                            consent: harbour_domain::support::ServiceConsent {
                                informed_consent: form.has("informed_consent"),
                                guardian_consent: form.has("guardian_consent").then_some(true),
                                child_views: text("child_views"),
                            },
                        },
                    )
                    .await
                    .map(|_| ()),
                _ => Err(ServiceError::invalid("/service_id", "choose a service")),
            }
        }
        "guardian" => h
            .name_guardian(
                &web.actor,
                id,
                form.get("name").trim().to_string(),
                form.get("organisation").trim().to_string(),
            )
            .await
            .map(|_| ()),
        "family_tracing" => h
            .request_family_tracing(&web.actor, id, form.get("requested") == "yes")
            .await
            .map(|_| ()),
        "transition_plan" => h
            .record_transition_plan(&web.actor, id, form.get("plan").trim().to_string())
            .await
            .map(|_| ()),
        "justice" => match form.get("cooperation").parse::<Cooperation>() {
            Ok(cooperation) => match justice_from_form(&form, cooperation) {
                Ok(justice) => h.record_justice(&web.actor, id, justice).await.map(|_| ()),
                Err(e) => Err(e),
            },
            Err(_) => Err(ServiceError::invalid("/cooperation", "choose one")),
        },
        "durable_solution" => match form.get("kind").parse::<DurableSolutionKind>() {
            Ok(kind) => h
                .choose_durable_solution(
                    &web.actor,
                    id,
                    harbour_domain::support::DurableSolution {
                        kind,
                        country: text("country"),
                        risk_assessment: text("risk_assessment"),
                    },
                )
                .await
                .map(|_| ()),
            Err(_) => Err(ServiceError::invalid("/kind", "choose a durable solution")),
        },
        "follow_up" => h
            .record_follow_up(&web.actor, id, form.get("notes").trim().to_string())
            .await
            .map(|_| ()),
        "handover" => match form.get("kind").parse::<HandoverKind>() {
            Ok(kind) => {
                let to_org = match kind {
                    HandoverKind::Assign => None,
                    _ => form.get("to_org").parse().ok().map(harbour_domain::OrgId),
                };
                let to_user = match kind {
                    HandoverKind::Assign => {
                        form.get("to_user").parse().ok().map(harbour_domain::UserId)
                    }
                    _ => None,
                };
                h.hand_over(
                    &web.actor,
                    id,
                    harbour_service::support::HandoverInput {
                        kind,
                        to_org,
                        to_user,
                        purpose: form.get("purpose").trim().to_string(),
                        person_consents: form.get("person_consents") == "yes",
                        child_views: text("handover_child_views"),
                    },
                )
                .await
                .map(|_| ())
            }
            Err(_) => Err(ServiceError::invalid(
                "/kind",
                "choose assign, transfer or refer",
            )),
        },
        _ => return not_found(&web),
    };
    match result {
        Ok(()) => see_other(&format!("/cases/{id}?support=1#support-h")),
        Err(ServiceError::NotFound(_)) => not_found(&web),
        Err(e) => {
            let general = match field_errors(&e) {
                Some(f) if f.iter().any(|x| x.pointer == "/reason") => {
                    t(lang, "support-error-reason")
                }
                Some(f) if f.iter().any(|x| x.pointer.contains("child_views")) => {
                    t(lang, "support-error-child-views")
                }
                Some(f) if f.iter().any(|x| x.pointer.starts_with("/consent")) => {
                    t(lang, "support-error-consent")
                }
                Some(f) if f.iter().any(|x| x.pointer == "/needs") => {
                    t(lang, "support-error-needs")
                }
                Some(f) if f.iter().any(|x| x.pointer == "/risk_assessment") => {
                    t(lang, "support-error-risk-assessment")
                }
                Some(f) if f.iter().any(|x| x.pointer == "/country") => {
                    t(lang, "support-error-country")
                }
                Some(f) if f.iter().any(|x| x.pointer == "/person_consents") => {
                    t(lang, "support-error-handover-consent")
                }
                Some(f)
                    if f.iter()
                        .any(|x| x.pointer == "/to_user" || x.pointer == "/to_org") =>
                {
                    t(lang, "support-error-handover-to")
                }
                Some(f)
                    if f.iter()
                        .any(|x| x.pointer == "/name" || x.pointer == "/organisation") =>
                {
                    t(lang, "support-error-guardian")
                }
                Some(f) if f.iter().any(|x| x.pointer.starts_with("/compensation")) => {
                    t(lang, "support-error-amount")
                }
                Some(f)
                    if f.iter().any(|x| {
                        x.pointer.starts_with("/proceedings")
                            || x.pointer.starts_with("/residence_permits")
                    }) =>
                {
                    t(lang, "support-error-justice-item")
                }
                Some(f)
                    if f.iter().any(|x| {
                        x.pointer == "/plan" || x.pointer == "/purpose" || x.pointer == "/notes"
                    }) =>
                {
                    t(lang, "support-error-text")
                }
                Some(_) => t(lang, "support-error-invalid"),
                None => service_message(lang, &e),
            };
            case_page(
                h,
                &web,
                id,
                Some((
                    "support".to_string(),
                    Errors::default(),
                    FormData(vec![]),
                    general,
                )),
                String::new(),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The provider's pages: its inbox and one referral (never the case file)

#[derive(Template)]
#[template(path = "service_referrals.html")]
struct InboxPage {
    c: Ctx,
    rows: Vec<InboxRow>,
}

struct InboxRow {
    href: String,
    reference: String,
    status: String,
    referred: String,
}

pub async fn inbox(State(s): State<AppState>, web: Web) -> Response {
    let lang = web.lang;
    let lines = match s.harbour.provider_inbox(&web.actor).await {
        Ok(l) => l,
        Err(ServiceError::Forbidden(_)) => return super::forbidden_page(&web),
        Err(e) => {
            tracing::warn!(error = %e, "provider inbox");
            return not_found(&web);
        }
    };
    let rows = lines
        .iter()
        .map(|l| InboxRow {
            href: format!("/cases/{}/service-referrals/{}", l.case_id, l.id),
            reference: super::cases::short_ref(l.case_id),
            status: t(lang, &referral_status_key(l.status)),
            referred: i18n::datetime(lang, l.referred_at),
        })
        .collect();
    render(
        StatusCode::OK,
        &InboxPage {
            c: web.ctx(web.t("provider-inbox-title")),
            rows,
        },
    )
}

#[derive(Template)]
#[template(path = "service_referral.html")]
struct ReferralPage {
    c: Ctx,
    action: String,
    facts: Vec<(String, String)>,
    status: String,
    steps: Vec<(String, String)>,
    may_decline: bool,
    message: String,
    error: String,
}

async fn referral_view(
    s: &AppState,
    web: &Web,
    id: CaseId,
    referral: uuid::Uuid,
    message: String,
    error: String,
) -> Response {
    let lang = web.lang;
    let r = match s
        .harbour
        .provider_referral(&web.actor, id, referral, Some("provider page"))
        .await
    {
        Ok(r) => r,
        Err(_) => return not_found(web),
    };
    let yes_no = |b: bool| t(lang, if b { "yes" } else { "no" });
    let mut facts = vec![
        (t(lang, "provider-need"), t(lang, &kind_key(r.need))),
        (
            t(lang, "provider-minority"),
            t(lang, &format!("minority-{}", r.minority.as_str())),
        ),
        (
            t(lang, "person-sex"),
            t(lang, &format!("sex-{}", r.sex.as_str())),
        ),
        (t(lang, "provider-languages"), r.languages.join(", ")),
        (
            t(lang, "provider-consent"),
            yes_no(r.consent.informed_consent || r.consent.guardian_consent == Some(true)),
        ),
        (
            t(lang, "provider-referred"),
            i18n::datetime(lang, r.referred_at),
        ),
    ];
    if let Some(n) = &r.need_notes {
        facts.push((t(lang, "provider-need-notes"), n.clone()));
    }
    if let Some(p) = r.need_priority {
        facts.push((t(lang, "provider-priority"), p.to_string()));
    }
    if let Some(v) = &r.consent.child_views {
        facts.push((t(lang, "safeguard-views"), v.clone()));
    }
    if let Some(a) = r.accepted_at {
        facts.push((t(lang, "provider-accepted"), i18n::datetime(lang, a)));
    }
    if let Some(d) = &r.decline_reason {
        facts.push((t(lang, "provider-decline-reason"), d.clone()));
    }
    let next: &[&str] = match r.status {
        ReferralStatus::Referred => &["accept"],
        ReferralStatus::Accepted => &["start", "complete"],
        ReferralStatus::Started => &["complete"],
        _ => &[],
    };
    render(
        StatusCode::OK,
        &ReferralPage {
            c: web.ctx(i18n::t_str(
                lang,
                "provider-referral-title",
                "reference",
                &super::cases::short_ref(id),
            )),
            action: format!("/cases/{id}/service-referrals/{referral}"),
            facts,
            status: t(lang, &referral_status_key(r.status)),
            steps: next
                .iter()
                .map(|a| (a.to_string(), t(lang, &format!("provider-step-{a}"))))
                .collect(),
            may_decline: r.status == ReferralStatus::Referred,
            message,
            error,
        },
    )
}

pub async fn referral_page(
    State(s): State<AppState>,
    web: Web,
    Path((id, referral)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Ok(id), Ok(referral)) = (id.parse::<CaseId>(), referral.parse::<uuid::Uuid>()) else {
        return not_found(&web);
    };
    let message = if q.contains_key("done") {
        web.t("provider-step-done")
    } else {
        String::new()
    };
    referral_view(&s, &web, id, referral, message, String::new()).await
}

pub async fn referral_step(
    State(s): State<AppState>,
    web: Web,
    Path((id, referral)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let (Ok(id), Ok(referral)) = (id.parse::<CaseId>(), referral.parse::<uuid::Uuid>()) else {
        return not_found(&web);
    };
    let to = match form.get("action") {
        "accept" => ReferralStatus::Accepted,
        "decline" => ReferralStatus::Declined,
        "start" => ReferralStatus::Started,
        "complete" => ReferralStatus::Completed,
        _ => return not_found(&web),
    };
    let reason = {
        let r = form.get("reason").trim();
        (!r.is_empty()).then(|| r.to_string())
    };
    match s
        .harbour
        .provider_step(&web.actor, id, referral, to, reason)
        .await
    {
        Ok(_) => see_other(&format!("/cases/{id}/service-referrals/{referral}?done=1")),
        Err(ServiceError::NotFound(_)) => not_found(&web),
        Err(e) => {
            let error = if field_errors(&e).is_some() {
                web.t("provider-error-reason")
            } else {
                service_message(web.lang, &e)
            };
            referral_view(&s, &web, id, referral, String::new(), error).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The receiving organisation's transfer inbox: accept (it becomes the owner) or decline

#[derive(Template)]
#[template(path = "transfers.html")]
struct TransfersPage {
    c: Ctx,
    rows: Vec<TransferRow>,
    message: String,
    error: String,
}

struct TransferRow {
    action: String,
    reference: String,
    from: String,
    offered: String,
}

async fn transfers_view(s: &AppState, web: &Web, message: String, error: String) -> Response {
    let lang = web.lang;
    let lines = match s.harbour.transfer_inbox(&web.actor).await {
        Ok(l) => l,
        Err(ServiceError::Forbidden(_)) => return super::forbidden_page(web),
        Err(e) => {
            tracing::warn!(error = %e, "transfer inbox");
            return not_found(web);
        }
    };
    let rows = lines
        .iter()
        .map(|l| TransferRow {
            action: format!("/cases/{}/transfers/{}", l.case_id, l.id),
            reference: super::cases::short_ref(l.case_id),
            from: l.from_org_name.clone(),
            offered: i18n::datetime(lang, l.offered_at),
        })
        .collect();
    render(
        StatusCode::OK,
        &TransfersPage {
            c: web.ctx(web.t("transfers-title")),
            rows,
            message,
            error,
        },
    )
}

pub async fn transfers(
    State(s): State<AppState>,
    web: Web,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let message = if q.contains_key("declined") {
        web.t("transfers-declined")
    } else {
        String::new()
    };
    transfers_view(&s, &web, message, String::new()).await
}

/// Accept or decline a transfer offered to one's organisation.
pub async fn answer_transfer(
    State(s): State<AppState>,
    web: Web,
    Path((id, handover)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if !web.csrf_ok(&form) {
        return super::forbidden_form(web.lang);
    }
    let (Ok(id), Ok(handover)) = (id.parse::<CaseId>(), handover.parse::<uuid::Uuid>()) else {
        return not_found(&web);
    };
    let accepted = match form.get("action") {
        "accept" => true,
        "decline" => false,
        _ => return not_found(&web),
    };
    match s
        .harbour
        .answer_transfer(&web.actor, id, handover, accepted)
        .await
    {
        Ok(_) if accepted => see_other(&format!("/cases/{id}?transferred=1")),
        Ok(_) => see_other("/transfers?declined=1"),
        Err(ServiceError::NotFound(_)) => not_found(&web),
        Err(e) => {
            let error = service_message(web.lang, &e);
            transfers_view(&s, &web, String::new(), error).await
        }
    }
}
