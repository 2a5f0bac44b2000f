//! The statistical record of a case, derived from a journal built by the domain itself.

use harbour_domain::person::{Birth, PersonName};
use harbour_domain::*;
use harbour_statistics::{AgeGroup, CaseStatistics};
use time::macros::{date, datetime};
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

fn person(birth: Birth) -> Person {
    Person {
        names: vec![PersonName {
            given: Some("Fake".into()),
            family: Some("Recordperson".into()),
            patronymic: None,
            script: None,
            transliterations: vec![],
        }],
        sex: Sex::Female,
        birth,
        nationalities: vec![],
        stateless: true,
        languages: vec![],
        vulnerabilities: vec![],
        unaccompanied: false,
        separated: false,
    }
}

#[test]
fn a_childs_case_counts_age_forms_decisions_and_guardian_time() {
    let id = CaseId(Uuid::from_u128(9));
    let t0 = datetime!(2026-02-10 10:00 UTC);
    let mut events = Vec::new();
    let referral = Referral {
        exploitation_forms: vec![
            ExploitationForm::Unknown,
            ExploitationForm::ForcedCriminality,
        ],
        region: Some("Fake South".into()),
        online_recruitment: true,
        ..Referral::new(person(Birth::Exact(date!(2010 - 05 - 01))))
    };
    let s = run(
        CaseState::empty(id),
        &mut events,
        Command::Refer {
            referral: Box::new(referral),
            referring_org: ORG,
        },
        t0,
    );
    let s = run(
        s,
        &mut events,
        Command::AppointGuardian {
            guardian: USER,
            organisation: ORG,
        },
        t0 + Duration::hours(30),
    );
    run(
        s,
        &mut events,
        Command::DecideReasonableGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "r".into(),
        },
        t0 + Duration::days(12),
    );
    let row =
        CaseStatistics::from_journal(id, &events, OrgKind::Police, &Policy::shipped_default())
            .unwrap();
    assert_eq!(row.referred_quarter, "2026-Q1");
    assert_eq!(row.age_at_referral, AgeGroup::Child);
    assert_eq!(row.age_at_exploitation, AgeGroup::Child);
    assert_eq!(row.ctdc_age_band.as_deref(), Some("9-17"));
    assert_eq!(
        row.exploitation_forms,
        vec![ExploitationForm::ForcedCriminality]
    );
    assert_eq!(row.nationality.as_deref(), Some("stateless"));
    assert_eq!(row.guardian_hours, Some(30));
    assert_eq!(
        row.guardian_within_target,
        Some(false),
        "24 hours is the policy"
    );
    assert_eq!(row.rg_days, Some(12));
    assert_eq!(
        row.rg_within_target,
        Some(false),
        "5 working days is the policy"
    );
    assert_eq!(row.rg_quarter.as_deref(), Some("2026-Q1"));
    assert!(row.online_recruitment);
    assert_eq!(row.phase, Status::RecoveryPeriod);
}

#[test]
fn an_adult_exploited_as_a_child_is_counted_so() {
    let id = CaseId(Uuid::from_u128(10));
    let t0 = datetime!(2026-07-01 10:00 UTC);
    let mut events = Vec::new();
    let referral = Referral {
        consent: Some(Consent {
            nrm_referral: true,
            family_tracing: false,
            scope: None,
            informed_in: None,
        }),
        exploitation_began: Some(date!(2021 - 01 - 01)),
        ..Referral::new(person(Birth::Year(2005)))
    };
    run(
        CaseState::empty(id),
        &mut events,
        Command::Refer {
            referral: Box::new(referral),
            referring_org: ORG,
        },
        t0,
    );
    let row = CaseStatistics::from_journal(id, &events, OrgKind::Ngo, &Policy::shipped_default())
        .unwrap();
    assert_eq!(row.age_at_referral, AgeGroup::Adult);
    assert_eq!(row.age_at_exploitation, AgeGroup::Child);
    assert_eq!(row.guardian_hours, None);
    assert_eq!(row.rg_days, None);
}
