//! Property and table tests of the domain rules: minority, working days, the case state machine.

use harbour_domain::case::RecoveryPeriod;
use harbour_domain::person::{parse_date, Birth};
use harbour_domain::*;
use proptest::prelude::*;
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

fn policy() -> Policy {
    Policy::shipped_default()
}

fn person(birth: Birth) -> Person {
    Person {
        names: vec![PersonName {
            given: Some("Testa".into()),
            family: Some("Fakeperson".into()),
            patronymic: None,
            script: Some("Latn".into()),
            transliterations: vec![],
        }],
        sex: Sex::Female,
        birth,
        nationalities: vec!["UA".into()],
        stateless: false,
        languages: vec!["uk".into()],
        vulnerabilities: vec![],
        unaccompanied: false,
        separated: false,
    }
}

fn referral(birth: Birth, consent: bool) -> Referral {
    Referral {
        exploitation_forms: vec![ExploitationForm::ForcedLabour],
        consent: Some(Consent {
            nrm_referral: consent,
            family_tracing: false,
            scope: None,
            informed_in: None,
        }),
        child_views: None,
        summary: None,
        online: false,
        ..Referral::new(person(birth))
    }
}

const ORG: OrgId = OrgId(Uuid::from_u128(1));
const USER: UserId = UserId(Uuid::from_u128(2));

/// Run a command and fold its events into the state, as the service does.
fn run(state: CaseState, cmd: Command, now: OffsetDateTime) -> Result<CaseState, DomainError> {
    let events = decide(&state, cmd, now, &policy())?;
    Ok(events.into_iter().fold(state, |s, event| {
        let seq = s.seq + 1;
        apply(
            s,
            &RecordedEvent {
                seq,
                at: now,
                actor: USER,
                actor_org: ORG,
                event,
            },
        )
    }))
}

fn referred(birth: Birth, at: OffsetDateTime) -> CaseState {
    run(
        CaseState::empty(CaseId(Uuid::from_u128(9))),
        Command::Refer {
            referral: Box::new(referral(birth, true)),
            referring_org: ORG,
        },
        at,
    )
    .expect("referral accepted")
}

const MONDAY: OffsetDateTime = datetime!(2026-11-23 10:00 UTC);

// ---------- minority ----------

#[test]
fn presumption_of_minority_table() {
    let today = date!(2026 - 11 - 28);
    let cases = [
        (Birth::Exact(date!(2010 - 01 - 01)), None, Minority::Child),
        (Birth::Exact(date!(2000 - 01 - 01)), None, Minority::Adult),
        (Birth::Exact(date!(2008 - 11 - 28)), None, Minority::Adult), // 18th birthday today
        (Birth::Exact(date!(2008 - 11 - 29)), None, Minority::Child), // tomorrow
        (Birth::Year(2008), None, Minority::PresumedChild),           // 17 or 18
        (Birth::Year(2007), None, Minority::Adult),
        (
            Birth::YearMonth(2008, time::Month::December),
            None,
            Minority::Child,
        ),
        (
            Birth::Estimated {
                min: 15,
                max: 19,
                on: Some(today),
            },
            None,
            Minority::PresumedChild,
        ),
        (
            Birth::Estimated {
                min: 15,
                max: 19,
                on: Some(today),
            },
            Some(false),
            Minority::Adult,
        ),
        (
            Birth::Estimated {
                min: 15,
                max: 19,
                on: Some(today),
            },
            Some(true),
            Minority::Child,
        ),
        (
            Birth::Estimated {
                min: 10,
                max: 14,
                on: Some(today),
            },
            None,
            Minority::Child,
        ),
        (
            Birth::Estimated {
                min: 25,
                max: 35,
                on: Some(today),
            },
            None,
            Minority::Adult,
        ),
        // An estimate of 16–17 made three years ago: certainly adult now.
        (
            Birth::Estimated {
                min: 16,
                max: 17,
                on: Some(date!(2023 - 11 - 01)),
            },
            None,
            Minority::Adult,
        ),
        (Birth::Unknown, None, Minority::PresumedChild),
        // An assessment cannot make a certainly-adult birth a child.
        (
            Birth::Exact(date!(1990 - 01 - 01)),
            Some(true),
            Minority::Adult,
        ),
    ];
    for (birth, assessed, expected) in cases {
        assert_eq!(
            minority_at(&birth, assessed, today),
            expected,
            "{birth:?} assessed {assessed:?}"
        );
    }
}

fn any_birth() -> impl Strategy<Value = Birth> {
    prop_oneof![
        (0i64..40_000).prop_map(|d| Birth::Exact(date!(1920 - 01 - 01) + Duration::days(d))),
        (1920i32..2027).prop_map(Birth::Year),
        ((1920i32..2027), (1u8..=12))
            .prop_map(|(y, m)| Birth::YearMonth(y, time::Month::try_from(m).unwrap())),
        ((0u8..60), (0u8..30), (0i64..3000)).prop_map(|(min, spread, back)| Birth::Estimated {
            min,
            max: min + spread,
            on: Some(date!(2026 - 11 - 28) - Duration::days(back))
        }),
        Just(Birth::Unknown),
    ]
}

proptest! {
    /// The rule stated independently: a person is an adult only when every possible age is 18+
    /// (or an assessment said adult); a child when every possible age is under 18 (or assessed
    /// child); otherwise presumed child. Never "adult" while childhood is possible and unassessed.
    #[test]
    fn minority_matches_independent_rule(birth in any_birth(), assessed in proptest::option::of(any::<bool>()), days in 0i64..4000) {
        let today = date!(2026 - 11 - 28) + Duration::days(days);
        let (lo, hi) = birth.age_bounds(today);
        prop_assert!(lo <= hi);
        let got = minority_at(&birth, assessed, today);
        let expected = if lo >= 18 || assessed == Some(false) { Minority::Adult }
            else if assessed == Some(true) || hi < 18 { Minority::Child } else { Minority::PresumedChild };
        prop_assert_eq!(got, expected);
        if assessed.is_none() && lo < 18 {
            prop_assert_ne!(got, Minority::Adult);
        }
    }

    #[test]
    fn birth_round_trips_through_json(birth in any_birth()) {
        let json = serde_json::to_string(&birth).unwrap();
        let back: Birth = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, birth);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays(start in 0i64..2000, n in 0u32..40, holiday_offsets in proptest::collection::vec(1i64..60, 0..5)) {
        let mut p = policy();
        let from = date!(2025 - 01 - 01) + Duration::days(start);
        p.calendar.public_holidays = holiday_offsets.iter().map(|o| from + Duration::days(*o)).collect();
        let due = p.add_working_days(from, n);
        // Count working days in (from, due] independently.
        let mut count = 0;
        let mut d = from;
        while d < due {
            d = d.next_day().unwrap();
            let weekend = matches!(d.weekday(), time::Weekday::Saturday | time::Weekday::Sunday);
            if !weekend && !p.calendar.public_holidays.contains(&d) { count += 1; }
        }
        prop_assert_eq!(count, n);
        if n > 0 { prop_assert!(p.is_working_day(due)); }
    }
}

#[test]
fn reasonable_grounds_due_five_working_days() {
    let p = policy();
    assert_eq!(
        p.reasonable_grounds_due(date!(2026 - 11 - 23)),
        date!(2026 - 11 - 30)
    ); // Mon → Mon
    assert_eq!(
        p.reasonable_grounds_due(date!(2026 - 11 - 27)),
        date!(2026 - 12 - 04)
    ); // Fri → Fri
    assert_eq!(
        p.reasonable_grounds_due(date!(2026 - 11 - 28)),
        date!(2026 - 12 - 04)
    ); // Sat → Fri
}

#[test]
fn policy_enforces_convention_minimum_recovery_period() {
    let text = harbour_domain::policy::DEFAULT_POLICY_TOML
        .replace("recovery_period_days = 30", "recovery_period_days = 29");
    assert_eq!(
        Policy::from_toml(&text),
        Err(PolicyError::RecoveryPeriodTooShort(29))
    );
    let text = harbour_domain::policy::DEFAULT_POLICY_TOML
        .replace("recovery_period_days = 30", "recovery_period_days = 90");
    assert_eq!(
        Policy::from_toml(&text)
            .unwrap()
            .identification
            .recovery_period_days,
        90
    );
    assert!(matches!(
        Policy::from_toml("name = 3"),
        Err(PolicyError::Parse(_))
    ));
    let text = harbour_domain::policy::DEFAULT_POLICY_TOML
        .replace("public_holidays = []", "public_holidays = [\"2026-02-30\"]");
    assert!(
        matches!(Policy::from_toml(&text), Err(PolicyError::Parse(m)) if m.contains("2026-02-30"))
    );
}

// ---------- consent ----------

#[test]
fn adult_without_consent_is_refused_child_is_referred_without() {
    let empty = CaseState::empty(CaseId(Uuid::from_u128(3)));
    let adult = referral(Birth::Exact(date!(1990 - 05 - 05)), false);
    assert_eq!(
        decide(
            &empty,
            Command::Refer {
                referral: Box::new(adult),
                referring_org: ORG
            },
            MONDAY,
            &policy()
        ),
        Err(DomainError::ConsentRequired)
    );
    let mut child = referral(
        Birth::Estimated {
            min: 15,
            max: 19,
            on: None,
        },
        false,
    );
    child.consent = None;
    child.child_views = Some("Wants to stay with her cousin".into());
    let s = run(
        empty,
        Command::Refer {
            referral: Box::new(child),
            referring_org: ORG,
        },
        MONDAY,
    )
    .unwrap();
    assert_eq!(s.minority(MONDAY.date()), Minority::PresumedChild);
    // The undated estimate is pinned to the referral day, so the child ages with time.
    assert!(
        matches!(s.referral.unwrap().person.birth, Birth::Estimated { on: Some(d), .. } if d == MONDAY.date())
    );
}

#[test]
fn impossible_input_is_named_field_by_field() {
    let mut r = referral(Birth::Exact(date!(2030 - 01 - 01)), true);
    r.person.nationalities = vec!["Ukraine".into()];
    r.person.names[0].given = Some("   ".into());
    let err = decide(
        &CaseState::empty(CaseId(Uuid::from_u128(3))),
        Command::Refer {
            referral: Box::new(r),
            referring_org: ORG,
        },
        MONDAY,
        &policy(),
    )
    .unwrap_err();
    let DomainError::Invalid(fields) = err else {
        panic!("expected field errors")
    };
    let pointers: Vec<_> = fields.iter().map(|f| f.pointer.as_str()).collect();
    assert!(pointers.contains(&"/person/birth"), "{pointers:?}");
    assert!(
        pointers.contains(&"/person/nationalities/0"),
        "{pointers:?}"
    );
    assert!(pointers.contains(&"/person/names/0/given"), "{pointers:?}");
    assert!(serde_json::from_str::<Birth>(r#"{"date":"2010-02-30"}"#).is_err());
    assert!(serde_json::from_str::<Birth>(r#"{"year":2010,"month":13}"#).is_err());
    assert!(serde_json::from_str::<Birth>(r#"{"age_estimate":{"min":19,"max":15}}"#).is_err());
    assert!(serde_json::from_str::<Birth>(r#"{"date":"2010-01-01","year":2010}"#).is_err());
    assert!(parse_date("2026-13-01").is_err());
}

// ---------- the identification journey ----------

#[test]
fn full_journey_to_identified_with_deadlines() {
    let p = policy();
    let s = referred(Birth::Exact(date!(1990 - 05 - 05)), MONDAY);
    assert_eq!(s.status(MONDAY.date()), Status::AwaitingReasonableGrounds);
    let (alerts, d) = alerts_and_deadlines(&s, MONDAY, &p);
    assert!(alerts.is_empty(), "{alerts:?}");
    assert_eq!(d.reasonable_grounds_due, Some(date!(2026 - 11 - 30)));

    // A week later with no decision: overdue.
    let later = MONDAY + Duration::days(8);
    let (alerts, _) = alerts_and_deadlines(&s, later, &p);
    assert_eq!(
        alerts.iter().map(|a| a.code).collect::<Vec<_>>(),
        vec![AlertCode::ReasonableGroundsOverdue]
    );

    let s = run(
        s,
        Command::DecideReasonableGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "credible account".into(),
        },
        later,
    )
    .unwrap();
    assert_eq!(s.status(later.date()), Status::RecoveryPeriod);
    let rp = s.recovery_period.unwrap();
    assert_eq!(
        rp,
        RecoveryPeriod {
            start: later.date(),
            end: later.date() + Duration::days(30)
        }
    );

    // Conclusive decision during the recovery period is refused, with the end date.
    let err = decide(
        &s,
        Command::DecideConclusiveGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "x".into(),
        },
        later + Duration::days(29),
        &p,
    )
    .unwrap_err();
    assert_eq!(err, DomainError::RecoveryPeriodNotOver { ends: rp.end });

    // Near the end: a warning; after the end: awaiting conclusive grounds by itself.
    let (alerts, _) = alerts_and_deadlines(&s, later + Duration::days(25), &p);
    assert!(alerts
        .iter()
        .any(|a| a.code == AlertCode::RecoveryPeriodEnding));
    let after = later + Duration::days(30);
    assert_eq!(s.status(after.date()), Status::AwaitingConclusiveGrounds);
    let s = run(
        s,
        Command::DecideConclusiveGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "balance of probabilities".into(),
        },
        after,
    )
    .unwrap();
    assert_eq!(s.status(after.date()), Status::Identified);
    assert_eq!(
        s.move_on_period_end,
        Some(after.date() + Duration::days(45))
    );
}

#[test]
fn early_conclusive_decision_when_the_person_asks() {
    let s = referred(Birth::Exact(date!(1990 - 05 - 05)), MONDAY);
    let s = run(
        s,
        Command::DecideReasonableGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "r".into(),
        },
        MONDAY,
    )
    .unwrap();
    let s = run(
        s,
        Command::RequestEarlyConclusiveDecision {
            reasons: "wants to return home".into(),
        },
        MONDAY + Duration::days(3),
    )
    .unwrap();
    assert_eq!(s.status(MONDAY.date()), Status::AwaitingConclusiveGrounds);
    run(
        s,
        Command::DecideConclusiveGrounds {
            outcome: DecisionOutcome::Negative,
            reasons: "r".into(),
        },
        MONDAY + Duration::days(4),
    )
    .unwrap();
}

#[test]
fn negative_decisions_can_be_reconsidered() {
    let s = referred(Birth::Exact(date!(1990 - 05 - 05)), MONDAY);
    let s = run(
        s,
        Command::DecideReasonableGrounds {
            outcome: DecisionOutcome::Negative,
            reasons: "r".into(),
        },
        MONDAY,
    )
    .unwrap();
    assert_eq!(s.status(MONDAY.date()), Status::NotIdentified);
    let s = run(
        s,
        Command::RequestReconsideration {
            reasons: "new evidence".into(),
        },
        MONDAY,
    )
    .unwrap();
    assert_eq!(s.status(MONDAY.date()), Status::AwaitingReasonableGrounds);
    let err = run(
        s,
        Command::RequestReconsideration {
            reasons: "again".into(),
        },
        MONDAY,
    )
    .unwrap_err();
    assert!(
        matches!(err, DomainError::IllegalTransition(m) if m.contains("only a negative decision"))
    );
}

#[test]
fn illegal_transitions_say_why() {
    let p = policy();
    let s = referred(Birth::Exact(date!(1990 - 05 - 05)), MONDAY);
    let e = decide(
        &s,
        Command::DecideConclusiveGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "r".into(),
        },
        MONDAY,
        &p,
    )
    .unwrap_err();
    assert!(
        matches!(e, DomainError::IllegalTransition(m) if m.contains("positive reasonable grounds decision first"))
    );
    let e = decide(
        &s,
        Command::DecideReasonableGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "  ".into(),
        },
        MONDAY,
        &p,
    )
    .unwrap_err();
    assert_eq!(
        e,
        DomainError::field("/reasons", "reasons are required for every decision")
    );
    let e = decide(
        &s,
        Command::AppointGuardian {
            guardian: USER,
            organisation: ORG,
        },
        MONDAY,
        &p,
    )
    .unwrap_err();
    assert!(matches!(e, DomainError::IllegalTransition(m) if m.contains("adult")));
    let closed = run(
        s,
        Command::Close {
            reason: ClosureReason::PersonWithdrew,
            notes: None,
            open_referrals: None,
        },
        MONDAY,
    )
    .unwrap();
    let e = decide(
        &closed,
        Command::DecideReasonableGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "r".into(),
        },
        MONDAY,
        &p,
    )
    .unwrap_err();
    assert!(matches!(e, DomainError::IllegalTransition(m) if m.contains("closed")));
    let e = decide(
        &CaseState::empty(CaseId(Uuid::nil())),
        Command::DecideReasonableGrounds {
            outcome: DecisionOutcome::Positive,
            reasons: "r".into(),
        },
        MONDAY,
        &p,
    )
    .unwrap_err();
    assert!(matches!(e, DomainError::IllegalTransition(_)));
}

#[test]
fn child_safeguard_alerts_from_the_first_minute() {
    let p = policy();
    let s = referred(
        Birth::Estimated {
            min: 15,
            max: 19,
            on: None,
        },
        MONDAY,
    );
    let (alerts, d) = alerts_and_deadlines(&s, MONDAY, &p);
    let codes: Vec<_> = alerts.iter().map(|a| a.code).collect();
    assert!(codes.contains(&AlertCode::GuardianMissing));
    assert!(codes.contains(&AlertCode::AgeAssessmentPending));
    assert_eq!(d.guardian_due, Some(MONDAY + Duration::hours(24)));
    let (alerts, _) = alerts_and_deadlines(&s, MONDAY + Duration::hours(25), &p);
    assert!(alerts
        .iter()
        .any(|a| a.code == AlertCode::GuardianMissing && a.overdue));

    let s = run(
        s,
        Command::AppointGuardian {
            guardian: USER,
            organisation: ORG,
        },
        MONDAY,
    )
    .unwrap();
    let s = run(
        s,
        Command::AssessAge {
            result: AgeAssessmentResult::Child,
            method: "multidisciplinary".into(),
            reasons: "r".into(),
        },
        MONDAY,
    )
    .unwrap();
    let (alerts, _) = alerts_and_deadlines(&s, MONDAY, &p);
    assert!(alerts.is_empty(), "{alerts:?}");
    assert_eq!(s.minority(MONDAY.date()), Minority::Child);
}

fn any_command() -> impl Strategy<Value = Command> {
    let outcome = prop_oneof![
        Just(DecisionOutcome::Positive),
        Just(DecisionOutcome::Negative)
    ];
    prop_oneof![
        outcome
            .clone()
            .prop_map(|outcome| Command::DecideReasonableGrounds {
                outcome,
                reasons: "r".into()
            }),
        outcome.prop_map(|outcome| Command::DecideConclusiveGrounds {
            outcome,
            reasons: "r".into()
        }),
        any::<bool>().prop_map(|c| Command::AssessAge {
            result: if c {
                AgeAssessmentResult::Child
            } else {
                AgeAssessmentResult::Adult
            },
            method: "documents".into(),
            reasons: "r".into()
        }),
        Just(Command::Disqualify {
            ground: DisqualificationGround::PublicOrder,
            reasons: "r".into()
        }),
        Just(Command::RequestReconsideration {
            reasons: "r".into()
        }),
        Just(Command::RequestEarlyConclusiveDecision {
            reasons: "r".into()
        }),
        Just(Command::AppointGuardian {
            guardian: USER,
            organisation: ORG
        }),
        Just(Command::Close {
            reason: ClosureReason::SupportCompleted,
            notes: None,
            open_referrals: None
        }),
        Just(Command::RecordScreening {
            screening: harbour_domain::case::Screening {
                list: "adult_labour".into(),
                list_version: "1.0.0".into(),
                indicated: false,
                dimensions: vec![],
                notes: None,
            }
        }),
        Just(Command::AttachReferral {
            referral: Box::new(referral(Birth::Year(1990), true)),
            referring_org: OrgId(Uuid::from_u128(42)),
        }),
    ]
}

proptest! {
    /// Whatever happens in whatever order and at whatever time: closed stays closed, a recovery
    /// period is never shorter than the Convention's 30 days, a conclusive decision never lands
    /// inside the recovery period unless the person asked, and the journal replays to the same state.
    #[test]
    fn state_machine_invariants(birth in any_birth(), steps in proptest::collection::vec((any_command(), 0i64..20), 0..25)) {
        let p = policy();
        let mut now = MONDAY;
        let mut state = CaseState::empty(CaseId(Uuid::from_u128(5)));
        let mut journal = Vec::new();
        let mut r = referral(birth, true);
        r.consent = Some(Consent { nrm_referral: true, family_tracing: false, scope: None, informed_in: None });
        let first = decide(&state, Command::Refer { referral: Box::new(r), referring_org: ORG }, now, &p);
        // Births generated after the referral day are rightly refused; they say nothing here.
        prop_assume!(first.is_ok());
        for event in first.unwrap() {
            let rec = RecordedEvent { seq: state.seq + 1, at: now, actor: USER, actor_org: ORG, event };
            state = apply(state, &rec);
            journal.push(rec);
        }
        for (cmd, days) in steps {
            now += Duration::days(days);
            let before = state.clone();
            match decide(&state, cmd, now, &p) {
                Ok(events) => {
                    prop_assert!(before.status(now.date()) != Status::Closed);
                    for event in events {
                        if let Event::ConclusiveGroundsDecided { .. } = &event {
                            if let Some(rp) = before.recovery_period {
                                prop_assert!(now.date() >= rp.end || before.early_conclusive_requested_on.is_some() || before.phase != Status::RecoveryPeriod);
                            }
                        }
                        if let Event::ReasonableGroundsDecided { recovery_period: Some(rp), .. } = &event {
                            prop_assert!((rp.end - rp.start).whole_days() >= 30);
                        }
                        let rec = RecordedEvent { seq: state.seq + 1, at: now, actor: USER, actor_org: ORG, event };
                        state = apply(state, &rec);
                        journal.push(rec);
                    }
                }
                Err(_) => prop_assert_eq!(&state, &before),
            }
        }
        let replayed = CaseState::from_events(state.id, journal.iter());
        prop_assert_eq!(&replayed, &state);
        let json = serde_json::to_string(&journal).unwrap();
        let back: Vec<RecordedEvent> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, journal);
        let _ = alerts_and_deadlines(&state, now, &p);
    }
}

#[test]
fn shipped_policy_parses() {
    let p = Policy::from_toml(harbour_domain::policy::DEFAULT_POLICY_TOML).unwrap();
    assert_eq!(p.identification.reasonable_grounds_working_days, 5);
    assert_eq!(p.identification.recovery_period_days, 30);
    assert_eq!(p.identification.move_on_period_days, 45);
    let _: Date = p.add_working_days(date!(2026 - 01 - 01), 0);
}

#[test]
fn screenings_at_referral_become_events_and_attached_referrals_merge_forms() {
    use harbour_domain::case::{Screening, ScreeningDimension};
    let screening = Screening {
        list: "child_labour".into(),
        list_version: "1.0.0".into(),
        indicated: false,
        dimensions: vec![ScreeningDimension {
            dimension: "exploitation".into(),
            positive: false,
            observed: vec![],
        }],
        notes: Some("first interview".into()),
    };
    let mut r = referral(
        Birth::Estimated {
            min: 12,
            max: 14,
            on: None,
        },
        false,
    );
    r.screenings = vec![screening.clone()];
    let events = decide(
        &CaseState::empty(CaseId(Uuid::from_u128(4))),
        Command::Refer {
            referral: Box::new(r),
            referring_org: ORG,
        },
        MONDAY,
        &policy(),
    )
    .unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        matches!(&events[0], Event::ReferralReceived { referral, .. } if referral.screenings.is_empty())
    );
    assert_eq!(
        events[1],
        Event::ScreeningRecorded {
            screening: screening.clone()
        }
    );

    let s = referred(Birth::Exact(date!(1990 - 05 - 05)), MONDAY);
    let other_org = OrgId(Uuid::from_u128(77));
    let mut again = referral(Birth::Year(1990), true);
    again.exploitation_forms = vec![ExploitationForm::Sexual, ExploitationForm::Unknown];
    let s = run(
        s,
        Command::AttachReferral {
            referral: Box::new(again),
            referring_org: other_org,
        },
        MONDAY,
    )
    .unwrap();
    let forms = &s.referral.as_ref().unwrap().exploitation_forms;
    assert_eq!(
        forms,
        &vec![ExploitationForm::ForcedLabour, ExploitationForm::Sexual]
    );
    assert_eq!(s.attached_orgs, vec![other_org]);
    let s = run(s, Command::RecordScreening { screening }, MONDAY).unwrap();
    assert_eq!(s.screenings.len(), 1);
    // Platform types without the online flag make no sense and are refused by name.
    let mut r = referral(Birth::Exact(date!(1990 - 05 - 05)), true);
    r.platform_types = vec![harbour_domain::case::PlatformType::Dating];
    let e = r.clone().validate(MONDAY.date()).unwrap_err();
    assert!(matches!(e, DomainError::Invalid(f) if f[0].pointer == "/platform_types"));
    r.online_recruitment = true;
    assert!(r.validate(MONDAY.date()).unwrap().online);
}

// ----- family tracing: what may be searched -----

proptest! {
    /// Whatever the person's birth and consent, and whatever consent answers are recorded later:
    /// a child's or presumed child's case is always searchable (the child-protection mandate); an
    /// adult's case exactly when the last answer on family tracing (or, with none, the
    /// referral's consent) says yes.
    #[test]
    fn tracing_searches_children_always_and_adults_only_with_consent(
        born in 1950i32..2023,
        at_referral in any::<bool>(),
        later in proptest::collection::vec(any::<bool>(), 0..4),
    ) {
        let now = datetime!(2024-03-01 10:00 UTC);
        let mut r = referral(Birth::Year(born), true);
        if let Some(c) = r.consent.as_mut() {
            c.family_tracing = at_referral;
        }
        let mut state = run(
            CaseState::empty(CaseId(Uuid::nil())),
            Command::Refer { referral: Box::new(r), referring_org: OrgId(Uuid::nil()) },
            now,
        ).expect("referral");
        for given in &later {
            state = run(state, Command::RecordFamilyTracingConsent { given: *given }, now)
                .expect("consent recorded");
        }
        let consents = later.last().copied().unwrap_or(at_referral);
        prop_assert_eq!(state.consents_to_family_tracing(), consents);
        let minority = state.minority(now.date());
        let basis = tracing::case_tracing_basis(minority, state.consents_to_family_tracing());
        if minority.is_child_or_presumed() {
            prop_assert_eq!(basis, Some(tracing::CaseTracingBasis::ChildProtectionMandate));
        } else {
            prop_assert_eq!(basis.is_some(), consents);
        }
    }
}
