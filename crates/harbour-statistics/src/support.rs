//! Rights access, redress and service facts of one case, as statistics see them (issue 7,
//! "Rights access"): no names, no reasons, no free text; right codes, statuses, days, amounts.
//!
//! Derived from the journal alone by folding it event by event, so "when did the right become
//! met" and "what was held when cooperation was declined" are facts of the journal, not of the
//! moment a report runs. Lateness depends on the day a report is about, so what is kept is the
//! due day, the day the right was met and the day the case closed; the count of late rights is
//! taken as at the end of the period asked for.

use harbour_domain::support::{
    rights_tracker, Cooperation, ReferralStatus, RightStatus, RightsCatalogue,
};
use harbour_domain::{apply, minority_at, CaseId, CaseState, Event, RecordedEvent, Status};
use serde::Serialize;
use time::Date;

/// One eligible right of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RightFact {
    pub right: String,
    /// As the rights tracker shows it at the end of the journal (a right met by the case's own
    /// events, such as the recovery period, shows as granted).
    pub status: RightStatus,
    /// Due this day (referral day plus the catalogue's days), if the right has a deadline.
    pub due_on: Option<Date>,
    /// The first day the right was met (settled, or informed where being informed is the right).
    pub met_on: Option<Date>,
}

/// How far compensation went on a case: the furthest stage any claim reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompensationStage {
    NotClaimed,
    Claimed,
    Awarded,
    Paid,
}

impl CompensationStage {
    pub const ALL: [&'static str; 4] = ["not_claimed", "claimed", "awarded", "paid"];
    pub fn as_str(self) -> &'static str {
        match self {
            CompensationStage::NotClaimed => "not_claimed",
            CompensationStage::Claimed => "claimed",
            CompensationStage::Awarded => "awarded",
            CompensationStage::Paid => "paid",
        }
    }
    pub fn parse(s: &str) -> Option<CompensationStage> {
        match s {
            "not_claimed" => Some(CompensationStage::NotClaimed),
            "claimed" => Some(CompensationStage::Claimed),
            "awarded" => Some(CompensationStage::Awarded),
            "paid" => Some(CompensationStage::Paid),
            _ => None,
        }
    }
}

/// A sum of compensation of one case at one stage in one currency (minor units).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompensationAmount {
    /// `claimed`, `awarded` or `paid`.
    pub stage: CompensationStage,
    pub currency: String,
    pub amount_minor: u64,
}

/// The person's choice about cooperation and whether support went on after a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CooperationOutcome {
    NotRecorded,
    Cooperating,
    Undecided,
    /// Declined, and a service or right was still held, accepted or granted afterwards.
    DeclinedSupportContinuing,
    DeclinedNoSupportAfter,
}

impl CooperationOutcome {
    pub const ALL: [&'static str; 5] = [
        "not_recorded",
        "cooperating",
        "undecided",
        "declined_support_continuing",
        "declined_no_support_after",
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CooperationOutcome::NotRecorded => "not_recorded",
            CooperationOutcome::Cooperating => "cooperating",
            CooperationOutcome::Undecided => "undecided",
            CooperationOutcome::DeclinedSupportContinuing => "declined_support_continuing",
            CooperationOutcome::DeclinedNoSupportAfter => "declined_no_support_after",
        }
    }
    pub fn parse(s: &str) -> Option<CooperationOutcome> {
        CooperationOutcome::ALL
            .iter()
            .position(|x| *x == s)
            .map(|i| match i {
                0 => CooperationOutcome::NotRecorded,
                1 => CooperationOutcome::Cooperating,
                2 => CooperationOutcome::Undecided,
                3 => CooperationOutcome::DeclinedSupportContinuing,
                _ => CooperationOutcome::DeclinedNoSupportAfter,
            })
    }
}

/// One service referral: its kind, where it ended, and days from referral to acceptance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceFact {
    pub service_kind: String,
    pub status: ReferralStatus,
    pub accepted_days: Option<i64>,
}

/// The rights, redress and service facts of one case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SupportStatistics {
    pub rights: Vec<RightFact>,
    /// The day the case closed (or the person was disqualified): no right is late after it.
    pub closed_on: Option<Date>,
    pub cooperation: Option<CooperationOutcome>,
    pub compensation: Option<CompensationStage>,
    pub amounts: Vec<CompensationAmount>,
    pub services: Vec<ServiceFact>,
}

impl SupportStatistics {
    /// The cooperation outcome as published (`not_recorded` when no justice record exists).
    pub fn cooperation_outcome(&self) -> CooperationOutcome {
        self.cooperation.unwrap_or(CooperationOutcome::NotRecorded)
    }
    pub fn compensation_stage(&self) -> CompensationStage {
        self.compensation.unwrap_or(CompensationStage::NotClaimed)
    }

    /// Derive the facts from a case's journal with the deployment's rights catalogue.
    /// Eligibility is decided by the person's age group at referral (as the case knows it now,
    /// an age assessment included), so a right counts once per eligible person.
    pub fn from_journal(
        id: CaseId,
        events: &[RecordedEvent],
        catalogue: &RightsCatalogue,
    ) -> SupportStatistics {
        let mut out = SupportStatistics::default();
        let final_state = CaseState::from_events(id, events.iter());
        let (Some(referral), Some(referred_at)) = (&final_state.referral, final_state.referred_at)
        else {
            return out;
        };
        let referred_on = referred_at.date();
        let minority = minority_at(
            &referral.person.birth,
            final_state.assessed_child,
            referred_on,
        );
        let eligible: Vec<String> = catalogue
            .applicable(minority)
            .map(|r| r.code.clone())
            .collect();
        let mut met_on: Vec<Option<Date>> = vec![None; eligible.len()];
        let mut state = CaseState::empty(id);
        let mut declined_at_seq: Option<u64> = None;
        let mut support_after_decline = false;
        for e in events {
            let before_holds = state.service_referrals.iter().any(|r| r.holds_place());
            state = apply(state, e);
            if out.closed_on.is_none()
                && matches!(state.phase, Status::Closed | Status::Disqualified)
            {
                out.closed_on = Some(e.at.date());
            }
            // The tracker's own rule decides when a right is met; the clock it is given only
            // matters for lateness and age, which are taken from the referral here.
            let lines = rights_tracker(&state, catalogue, referred_at);
            for (i, code) in eligible.iter().enumerate() {
                if met_on[i].is_some() {
                    continue;
                }
                let informed_is_enough = catalogue
                    .get(code)
                    .is_some_and(|d| d.met_by == Some(harbour_domain::support::MetBy::Informed));
                let met = lines.iter().find(|l| &l.right == code).is_some_and(|l| {
                    l.status.is_settled()
                        || (informed_is_enough && l.status == RightStatus::Informed)
                });
                if met {
                    met_on[i] = Some(e.at.date());
                }
            }
            match &e.event {
                Event::JusticeRecorded { justice } => match justice.cooperation {
                    Cooperation::Declined => {
                        if declined_at_seq.is_none() {
                            declined_at_seq = Some(e.seq);
                            // A place held when the person declined is support that went on.
                            support_after_decline = before_holds;
                        }
                    }
                    _ => {
                        declined_at_seq = None;
                        support_after_decline = false;
                    }
                },
                Event::ServiceReferralUpdated { status, .. }
                    if declined_at_seq.is_some()
                        && matches!(
                            status,
                            ReferralStatus::Accepted
                                | ReferralStatus::Started
                                | ReferralStatus::Completed
                        ) =>
                {
                    support_after_decline = true;
                }
                Event::RightRecorded {
                    status: RightStatus::Granted,
                    ..
                } if declined_at_seq.is_some() => support_after_decline = true,
                _ => {}
            }
        }
        let lines = rights_tracker(&final_state, catalogue, referred_at);
        out.rights = eligible
            .iter()
            .enumerate()
            .map(|(i, code)| {
                let line = lines.iter().find(|l| &l.right == code);
                let def = catalogue.get(code);
                RightFact {
                    right: code.clone(),
                    status: line.map_or(RightStatus::NotYetInformed, |l| l.status),
                    due_on: def
                        .and_then(|d| d.due_days)
                        .map(|d| referred_on.saturating_add(time::Duration::days(i64::from(d)))),
                    met_on: met_on[i],
                }
            })
            .collect();
        if let Some(j) = &final_state.justice {
            out.cooperation = Some(match j.cooperation {
                Cooperation::Cooperating => CooperationOutcome::Cooperating,
                Cooperation::Undecided => CooperationOutcome::Undecided,
                Cooperation::Declined if support_after_decline => {
                    CooperationOutcome::DeclinedSupportContinuing
                }
                Cooperation::Declined => CooperationOutcome::DeclinedNoSupportAfter,
            });
            let mut stage = CompensationStage::NotClaimed;
            let mut amounts: Vec<CompensationAmount> = Vec::new();
            for c in &j.compensation {
                for (s, money) in [
                    (CompensationStage::Claimed, &c.claimed),
                    (CompensationStage::Awarded, &c.awarded),
                    (CompensationStage::Paid, &c.paid),
                ] {
                    let Some(m) = money else { continue };
                    stage = stage.max_with(s);
                    match amounts
                        .iter_mut()
                        .find(|a| a.stage == s && a.currency == m.currency)
                    {
                        Some(a) => a.amount_minor = a.amount_minor.saturating_add(m.amount_minor),
                        None => amounts.push(CompensationAmount {
                            stage: s,
                            currency: m.currency.clone(),
                            amount_minor: m.amount_minor,
                        }),
                    }
                }
            }
            out.compensation = Some(stage);
            out.amounts = amounts;
        }
        out.services = final_state
            .service_referrals
            .iter()
            .map(|r| ServiceFact {
                service_kind: r.service_kind.as_str().to_string(),
                status: r.status,
                accepted_days: r
                    .accepted_at
                    .map(|a| (a.date() - r.referred_at.date()).whole_days()),
            })
            .collect();
        out
    }
}

impl CompensationStage {
    fn rank(self) -> u8 {
        match self {
            CompensationStage::NotClaimed => 0,
            CompensationStage::Claimed => 1,
            CompensationStage::Awarded => 2,
            CompensationStage::Paid => 3,
        }
    }
    fn max_with(self, other: CompensationStage) -> CompensationStage {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

/// Is a right late on `day`: due before it, not met by it, and the case still open on it.
pub fn late_on(fact: &RightFact, closed_on: Option<Date>, day: Date) -> bool {
    fact.due_on.is_some_and(|d| d < day)
        && fact.met_on.is_none_or(|m| m > day)
        && closed_on.is_none_or(|c| c > day)
}
