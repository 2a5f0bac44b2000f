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
    k
}
