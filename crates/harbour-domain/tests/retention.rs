//! Retention periods in the policy, when a closed case falls due for erasure, and what an
//! erasure records.

use harbour_domain::person::Birth;
use harbour_domain::retention::*;
use harbour_domain::*;
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const ORG: OrgId = OrgId(Uuid::from_u128(1));
const USER: UserId = UserId(Uuid::from_u128(2));
const CASE: CaseId = CaseId(Uuid::from_u128(9));

fn referral() -> Referral {
    let person = Person {
        names: vec![PersonName {
            given: Some("Testa".into()),
            family: Some("Fakeperson".into()),
            patronymic: None,
            script: Some("Latn".into()),
            transliterations: vec![],
        }],
        sex: Sex::Female,
        birth: Birth::Year(1990),
        nationalities: vec!["UA".into()],
        stateless: false,
        languages: vec!["uk".into()],
        vulnerabilities: vec![],
        unaccompanied: false,
        separated: false,
    };
    Referral {
        exploitation_forms: vec![ExploitationForm::ForcedLabour],
        consent: Some(Consent {
            nrm_referral: true,
            family_tracing: false,
            scope: None,
            informed_in: None,
        }),
        ..Referral::new(person)
    }
}

/// Run commands at the given instants, returning the journal as the service would record it.
fn journal(steps: Vec<(Command, OffsetDateTime)>) -> Vec<RecordedEvent> {
    let policy = Policy::shipped_default();
    let mut state = CaseState::empty(CASE);
    let mut out = Vec::new();
    for (cmd, at) in steps {
        for event in decide(&state, cmd, at, &policy).expect("command accepted") {
            let recorded = RecordedEvent {
                seq: state.seq + 1,
                at,
                actor: USER,
                actor_org: ORG,
                event,
            };
            state = apply(state, &recorded);
            out.push(recorded);
        }
    }
    out
}

fn refer() -> Command {
    Command::Refer {
        referral: Box::new(referral()),
        referring_org: ORG,
    }
}

const REFERRED: OffsetDateTime = datetime!(2026-01-05 10:00 UTC);

#[test]
fn shipped_policy_sets_a_period_for_every_ending() {
    let p = Policy::from_toml(policy::DEFAULT_POLICY_TOML).expect("shipped policy parses");
    assert_eq!(p.retention.duplicate_days, 90);
    assert_eq!(p.retention.person_withdrew_days, 365);
    assert_eq!(
        p.retention
            .days_after_closure(ClosureReason::SupportCompleted),
        2190
    );
    assert_eq!(p.retention.disqualified_days, 2190);
}

#[test]
fn a_policy_without_retention_gets_the_defaults() {
    let text = policy::DEFAULT_POLICY_TOML
        .split("[retention]")
        .next()
        .expect("text before the section");
    let p = Policy::from_toml(text).expect("parses without [retention]");
    assert_eq!(p.retention, Retention::default());
}

#[test]
fn retention_periods_out_of_range_are_refused_with_the_field_named() {
    for (bad, field) in [
        ("duplicate_days = 90", "duplicate_days = 7"),
        ("deceased_days = 2190", "deceased_days = 40000"),
    ] {
        let text = policy::DEFAULT_POLICY_TOML.replace(bad, field);
        let err = Policy::from_toml(&text).expect_err("refused");
        let msg = err.to_string();
        let name = field.split(' ').next().expect("field name");
        assert!(
            matches!(err, PolicyError::RetentionOutOfRange(f, _) if f == name),
            "{msg}"
        );
        assert!(msg.contains(name) && msg.contains("30"), "{msg}");
    }
    let unknown = policy::DEFAULT_POLICY_TOML.replace("other_days", "forever_days");
    assert!(matches!(
        Policy::from_toml(&unknown),
        Err(PolicyError::Parse(m)) if m.contains("forever_days")
    ));
}

#[test]
fn an_open_case_is_never_due_for_erasure() {
    let r = Retention::default();
    let events = journal(vec![(refer(), REFERRED)]);
    assert_eq!(erasure_due(CASE, &events, &r), None);
    let far = REFERRED.date() + Duration::days(100 * 365);
    assert!(!retention_expired(CASE, &events, &r, far));
}

#[test]
fn a_disqualified_case_uses_its_own_period() {
    let r = Retention {
        disqualified_days: 400,
        ..Retention::default()
    };
    let at = REFERRED + Duration::days(3);
    let events = journal(vec![
        (refer(), REFERRED),
        (
            Command::Disqualify {
                ground: DisqualificationGround::BadFaith,
                reasons: "Fake reasons for a test".into(),
            },
            at,
        ),
    ]);
    assert_eq!(
        erasure_due(CASE, &events, &r),
        Some(at.date() + Duration::days(400))
    );
}

fn reasons() -> impl Strategy<Value = ClosureReason> {
    prop::sample::select(vec![
        ClosureReason::SupportCompleted,
        ClosureReason::PersonWithdrew,
        ClosureReason::LeftCountry,
        ClosureReason::LostContact,
        ClosureReason::Transferred,
        ClosureReason::Duplicate,
        ClosureReason::Deceased,
        ClosureReason::Other,
    ])
}

proptest! {
    /// A closed case falls due exactly its reason's period after the day it was closed: not a
    /// day before, and from then on.
    #[test]
    fn closed_case_falls_due_after_its_reasons_period(
        reason in reasons(),
        closed_after in 0i64..2000,
        days in MINIMUM_RETENTION_DAYS..3000u32,
        probe in -5i64..5,
    ) {
        let r = Retention {
            support_completed_days: days, person_withdrew_days: days + 1, left_country_days: days + 2,
            lost_contact_days: days + 3, transferred_days: days + 4, duplicate_days: days + 5,
            deceased_days: days + 6, other_days: days + 7, disqualified_days: days + 8,
        };
        let closed_at = REFERRED + Duration::days(closed_after) + Duration::hours(5);
        let events = journal(vec![
            (refer(), REFERRED),
            (Command::Close { reason, notes: Some("Fake closure note".into()), open_referrals: None }, closed_at),
        ]);
        let due = closed_at.date() + Duration::days(i64::from(r.days_after_closure(reason)));
        prop_assert_eq!(erasure_due(CASE, &events, &r), Some(due));
        let today = due + Duration::days(probe);
        prop_assert_eq!(retention_expired(CASE, &events, &r, today), probe >= 0);
        prop_assert!(r.out_of_range().is_none());
    }
}

#[test]
fn erasure_on_request_needs_reasons_and_retention_does_not() {
    let err = ErasureRecord::new(ErasureBasis::PersonRequest, "  ").expect_err("refused");
    assert!(matches!(err, DomainError::Invalid(ref f) if f[0].pointer == "/reasons"));
    let long = "x".repeat(10_001);
    assert!(ErasureRecord::new(ErasureBasis::PersonRequest, &long).is_err());
    let ok = ErasureRecord::new(ErasureBasis::PersonRequest, " Fake request under Art. 17 ")
        .expect("accepted");
    assert_eq!(ok.reasons, "Fake request under Art. 17");
    assert!(ErasureRecord::new(ErasureBasis::RetentionExpired, "").is_ok());
    assert_eq!(ErasureBasis::PersonRequest.as_str(), "person_request");
}
