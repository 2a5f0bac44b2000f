//! Rights, redress and cooperation facts of a case, derived from a journal built by the domain
//! itself; lateness as at any day agrees with the rights tracker run on the journal up to it.

use harbour_domain::person::{Birth, PersonName};
use harbour_domain::support::{
    rights_tracker, CompensationClaim, Cooperation, Justice, Money, RightStatus, RightsCatalogue,
};
use harbour_domain::*;
use harbour_statistics::support::{
    late_on, CompensationStage, CooperationOutcome, SupportStatistics,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const ORG: OrgId = OrgId(Uuid::from_u128(1));
const USER: UserId = UserId(Uuid::from_u128(2));

fn run(
    state: CaseState,
    events: &mut Vec<RecordedEvent>,
    cmd: Command,
    at: OffsetDateTime,
) -> CaseState {
    let new = decide(&state, cmd, at, &Policy::shipped_default()).unwrap();
    new.into_iter().fold(state, |s, event| {
        let rec = RecordedEvent {
            seq: s.seq + 1,
            at,
            actor: USER,
            actor_org: ORG,
            event,
        };
        events.push(rec.clone());
        apply(s, &rec)
    })
}

fn adult_referral(id: CaseId, events: &mut Vec<RecordedEvent>, at: OffsetDateTime) -> CaseState {
    let person = Person {
        names: vec![PersonName {
            given: Some("Fake".into()),
            family: Some("Rightsperson".into()),
            patronymic: None,
            script: None,
            transliterations: vec![],
        }],
        sex: Sex::Male,
        birth: Birth::Year(1990),
        nationalities: vec!["UA".into()],
        stateless: false,
        languages: vec![],
        vulnerabilities: vec![],
        unaccompanied: false,
        separated: false,
    };
    run(
        CaseState::empty(id),
        events,
        Command::Refer {
            referral: Box::new(Referral {
                consent: Some(Consent {
                    nrm_referral: true,
                    family_tracing: false,
                    scope: None,
                    informed_in: Some("en".into()),
                }),
                ..Referral::new(person)
            }),
            referring_org: ORG,
        },
        at,
    )
}

fn record(
    s: CaseState,
    events: &mut Vec<RecordedEvent>,
    code: &str,
    status: RightStatus,
    at: OffsetDateTime,
) -> CaseState {
    let def = RightsCatalogue::shipped().get(code).unwrap().clone();
    let reason = (status == RightStatus::Refused).then(|| "no place".to_string());
    run(
        s,
        events,
        Command::RecordRight {
            right: def,
            status,
            reason,
        },
        at,
    )
}

fn justice(cooperation: Cooperation, compensation: Vec<CompensationClaim>) -> Command {
    Command::RecordJustice {
        justice: Justice {
            cooperation,
            legal_representative: None,
            proceedings: vec![],
            protection_measures: vec![],
            residence_permits: vec![],
            compensation,
            non_punishment: None,
        },
    }
}

#[test]
fn rights_compensation_and_support_after_declining_cooperation() {
    let id = CaseId(Uuid::from_u128(7));
    let t0 = datetime!(2026-03-02 10:00 UTC);
    let day = |d: i64| t0 + Duration::days(d);
    let mut events = Vec::new();
    let s = adult_referral(id, &mut events, t0);
    let s = run(
        s,
        &mut events,
        Command::DecideReasonableGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "r".into(),
        },
        day(3),
    );
    let s = record(s, &mut events, "information", RightStatus::Informed, day(5));
    let eur = |n| {
        Some(Money {
            amount_minor: n,
            currency: "eur".into(),
        })
    };
    let s = run(
        s,
        &mut events,
        justice(
            Cooperation::Declined,
            vec![CompensationClaim {
                from: "perpetrator".into(),
                claimed: eur(10_000),
                awarded: eur(4_000),
                paid: None,
            }],
        ),
        day(10),
    );
    record(
        s,
        &mut events,
        "accommodation",
        RightStatus::Granted,
        day(12),
    );

    let facts = SupportStatistics::from_journal(id, &events, &RightsCatalogue::shipped());
    let right = |code: &str| facts.rights.iter().find(|r| r.right == code).unwrap();
    // An adult is eligible for the rights of adults and of both, never for a child's.
    assert!(facts.rights.iter().all(|r| r.right != "guardian"));
    assert!(facts
        .rights
        .iter()
        .any(|r| r.right == "labour_market_education"));
    let info = right("information");
    assert_eq!(info.status, RightStatus::Informed);
    assert_eq!(info.due_on, Some(t0.date()));
    assert_eq!(info.met_on, Some(day(5).date()));
    assert!(
        !late_on(info, facts.closed_on, t0.date()),
        "not late on its due day"
    );
    assert!(late_on(info, facts.closed_on, day(2).date()));
    assert!(!late_on(info, facts.closed_on, day(5).date()));
    // The recovery period is granted by the positive decision itself.
    let recovery = right("recovery_period");
    assert_eq!(recovery.status, RightStatus::Granted);
    assert_eq!(recovery.met_on, Some(day(3).date()));
    assert_eq!(right("accommodation").status, RightStatus::Granted);
    assert_eq!(right("privacy").status, RightStatus::NotYetInformed);
    assert_eq!(right("privacy").due_on, None);
    // Declined on day 10, a right granted on day 12: support went on.
    assert_eq!(
        facts.cooperation,
        Some(CooperationOutcome::DeclinedSupportContinuing)
    );
    assert_eq!(facts.compensation, Some(CompensationStage::Awarded));
    let sums: Vec<(&str, &str, u64)> = facts
        .amounts
        .iter()
        .map(|a| (a.stage.as_str(), a.currency.as_str(), a.amount_minor))
        .collect();
    assert_eq!(
        sums,
        vec![("claimed", "EUR", 10_000), ("awarded", "EUR", 4_000)]
    );

    // Declined again with nothing after it: no support after the decline.
    let mut events = Vec::new();
    let s = adult_referral(id, &mut events, t0);
    let s = record(
        s,
        &mut events,
        "accommodation",
        RightStatus::Granted,
        day(1),
    );
    run(
        s,
        &mut events,
        justice(Cooperation::Declined, vec![]),
        day(2),
    );
    let facts = SupportStatistics::from_journal(id, &events, &RightsCatalogue::shipped());
    assert_eq!(
        facts.cooperation,
        Some(CooperationOutcome::DeclinedNoSupportAfter)
    );
    assert_eq!(facts.compensation, Some(CompensationStage::NotClaimed));
    // Closed on day 30: nothing is late after that.
    let mut events = Vec::new();
    let s = adult_referral(id, &mut events, t0);
    run(
        s,
        &mut events,
        Command::Close {
            reason: ClosureReason::PersonWithdrew,
            notes: None,
            open_referrals: None,
        },
        day(30),
    );
    let facts = SupportStatistics::from_journal(id, &events, &RightsCatalogue::shipped());
    let info = facts
        .rights
        .iter()
        .find(|r| r.right == "information")
        .unwrap();
    assert!(late_on(info, facts.closed_on, day(29).date()));
    assert!(!late_on(info, facts.closed_on, day(31).date()));
}

proptest! {
    /// For any history of the information right (requested, then informed or decided on some
    /// days, a case closed or not), "late on day d" from the projection's facts is exactly what
    /// the rights tracker says on day d about the journal written up to then.
    #[test]
    fn lateness_agrees_with_the_tracker_on_every_day(
        requested in proptest::option::of(0i64..20),
        met in proptest::option::of((0i64..40, 0usize..4)),
        closed in proptest::option::of(1i64..60),
    ) {
        let id = CaseId(Uuid::from_u128(8));
        let t0 = datetime!(2026-01-05 09:00 UTC);
        let mut events = Vec::new();
        let mut s = adult_referral(id, &mut events, t0);
        let mut steps: Vec<(i64, Option<RightStatus>)> = Vec::new();
        if let Some(d) = requested {
            steps.push((d, Some(RightStatus::Requested)));
        }
        if let Some((d, which)) = met {
            let status = [
                RightStatus::Informed,
                RightStatus::Granted,
                RightStatus::Refused,
                RightStatus::Waived,
            ][which];
            // A decision comes after the request.
            steps.push((d.max(requested.unwrap_or(0)) + 1, Some(status)));
        }
        if let Some(d) = closed {
            steps.push((d, None));
        }
        steps.sort_by_key(|(d, _)| *d);
        for (d, step) in steps {
            if s.phase == Status::Closed {
                break;
            }
            let at = t0 + Duration::days(d) + Duration::hours(1);
            s = match step {
                Some(status) => record(s, &mut events, "information", status, at),
                None => run(
                    s,
                    &mut events,
                    Command::Close {
                        reason: ClosureReason::PersonWithdrew,
                        notes: None,
                        open_referrals: None,
                    },
                    at,
                ),
            };
        }
        let catalogue = RightsCatalogue::shipped();
        let facts = SupportStatistics::from_journal(id, &events, &catalogue);
        let info = facts.rights.iter().find(|r| r.right == "information").unwrap();
        for d in 0..70 {
            let day_end = t0 + Duration::days(d) + Duration::hours(14);
            let upto: Vec<RecordedEvent> =
                events.iter().filter(|e| e.at <= day_end).cloned().collect();
            let state = CaseState::from_events(id, upto.iter());
            let tracker = rights_tracker(&state, &catalogue, day_end);
            let overdue = tracker
                .iter()
                .find(|l| l.right == "information")
                .is_some_and(|l| l.overdue);
            prop_assert_eq!(
                late_on(info, facts.closed_on, day_end.date()),
                overdue,
                "day {}", d
            );
        }
    }
}
