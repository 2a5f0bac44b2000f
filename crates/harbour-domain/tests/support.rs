//! Domain tests of support, rights and justice: rights as data and their alerts, service fit,
//! ranking and consent, the referral life cycle, children's best interests, justice that never
//! conditions support, durable solutions, closure with open referrals and handovers.

use harbour_domain::person::Birth;
use harbour_domain::support::*;
use harbour_domain::*;
use proptest::prelude::*;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const ORG: OrgId = OrgId(Uuid::from_u128(1));
const PROVIDER: OrgId = OrgId(Uuid::from_u128(3));
const USER: UserId = UserId(Uuid::from_u128(2));
const MONDAY: OffsetDateTime = datetime!(2026-11-23 10:00 UTC);

fn person(birth: Birth, sex: Sex) -> Person {
    Person {
        names: vec![PersonName {
            given: Some("Testa".into()),
            family: Some("Fakeperson".into()),
            patronymic: None,
            script: Some("Latn".into()),
            transliterations: vec![],
        }],
        sex,
        birth,
        nationalities: vec!["UA".into()],
        stateless: false,
        languages: vec!["uk".into()],
        vulnerabilities: vec![],
        unaccompanied: false,
        separated: false,
    }
}

fn run(state: CaseState, cmd: Command, now: OffsetDateTime) -> Result<CaseState, DomainError> {
    let events = decide(&state, cmd, now, &Policy::shipped_default())?;
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

fn case(birth: Birth, sex: Sex) -> CaseState {
    let mut r = Referral::new(person(birth, sex));
    r.consent = Some(Consent {
        nrm_referral: true,
        family_tracing: false,
        scope: None,
        informed_in: None,
    });
    run(
        CaseState::empty(CaseId(Uuid::from_u128(9))),
        Command::Refer {
            referral: Box::new(r),
            referring_org: ORG,
        },
        MONDAY,
    )
    .expect("referred")
}

fn adult() -> CaseState {
    case(Birth::Exact(date!(1990 - 01 - 01)), Sex::Female)
}

fn child() -> CaseState {
    case(Birth::Exact(date!(2012 - 05 - 05)), Sex::Male)
}

fn service(kind: ServiceKind, capacity: u32, accepts: &[Accepts]) -> ServiceProfile {
    ServiceProfile {
        id: Uuid::from_u128(100 + capacity as u128),
        org_id: PROVIDER,
        kind,
        capacity,
        taken: 0,
        languages: vec!["ro".into()],
        accepts: accepts.to_vec(),
        regions: vec!["any".into()],
        child_specialised: false,
    }
}

fn with_needs(state: CaseState, kinds: &[ServiceKind]) -> CaseState {
    let child = state.minority(MONDAY.date()).is_child_or_presumed();
    run(
        state,
        Command::AssessNeeds {
            assessment: NeedsAssessment {
                needs: kinds
                    .iter()
                    .map(|k| Need {
                        kind: *k,
                        priority: Some(1),
                        notes: None,
                    })
                    .collect(),
                region: None,
                priorities: Some("a safe place first".into()),
                child_views: child.then(|| "wants to stay with friends".into()),
            },
        },
        MONDAY,
    )
    .expect("needs")
}

fn consent() -> ServiceConsent {
    ServiceConsent {
        informed_consent: true,
        guardian_consent: None,
        child_views: None,
    }
}

fn refer(state: CaseState, s: ServiceProfile, id: u128) -> Result<CaseState, DomainError> {
    let need = s.kind;
    run(
        state,
        Command::ReferToService {
            referral: Uuid::from_u128(id),
            service: s,
            need,
            consent: consent(),
        },
        MONDAY,
    )
}

fn step(
    state: CaseState,
    id: u128,
    to: ReferralStatus,
    reason: Option<&str>,
) -> Result<CaseState, DomainError> {
    run(
        state,
        Command::UpdateServiceReferral {
            referral: Uuid::from_u128(id),
            to,
            reason: reason.map(str::to_owned),
        },
        MONDAY + Duration::hours(3),
    )
}

// ---------- rights as data ----------

#[test]
fn shipped_rights_cover_nrm_section_4_with_legal_basis() {
    let c = RightsCatalogue::from_toml(DEFAULT_RIGHTS_TOML).expect("shipped rights parse");
    assert!(c.rights.len() >= 17);
    for r in &c.rights {
        assert!(!r.legal_basis.is_empty(), "{} has no legal basis", r.code);
    }
    assert_eq!(c.get("information").and_then(|r| r.due_days), Some(0));
    assert_eq!(c.get("recovery_period").and_then(|r| r.due_days), Some(0));
    assert_eq!(
        c.get("education_child").map(|r| r.applies_to),
        Some(AppliesTo::Children)
    );
}

#[test]
fn national_policy_adds_rights_and_changes_deadlines() {
    let mut c = RightsCatalogue::shipped();
    c.extend_from_toml(
        r#"
[[right]]
code = "housing_allowance"
name = "Fake national housing allowance"
legal_basis = "Fakeland Act 12"
applies_to = "adults"
due_days = 10

[[due]]
right = "education_child"
days = 5
"#,
    )
    .expect("national file");
    assert_eq!(
        c.get("housing_allowance").and_then(|r| r.due_days),
        Some(10)
    );
    assert_eq!(c.get("education_child").and_then(|r| r.due_days), Some(5));
    // A national file cannot silently redefine or invent.
    assert_eq!(
        c.clone()
            .extend_from_toml("[[due]]\nright = \"nope\"\ndays = 1\n"),
        Err(RightsError::UnknownRight("nope".into()))
    );
    let dup = "[[right]]\ncode = \"information\"\nname = \"x\"\nlegal_basis = \"y\"\napplies_to = \"both\"\n";
    assert_eq!(
        c.extend_from_toml(dup),
        Err(RightsError::Duplicate("information".into()))
    );
}

#[test]
fn information_and_recovery_period_are_due_at_referral_and_overdue_the_next_day() {
    let c = RightsCatalogue::shipped();
    let s = adult();
    let same_day = rights_tracker(&s, &c, MONDAY);
    assert!(same_day.iter().all(|r| !r.overdue));
    let next_day = rights_tracker(&s, &c, MONDAY + Duration::days(1));
    let late: Vec<&str> = next_day
        .iter()
        .filter(|r| r.overdue)
        .map(|r| r.right.as_str())
        .collect();
    assert_eq!(late, vec!["information", "recovery_period"]);
    // Child-only rights do not apply to an adult.
    assert!(next_day
        .iter()
        .all(|r| r.right != "guardian" && r.right != "education_child"));
    // Being informed meets the information right.
    let s = run(
        s,
        Command::RecordRight {
            right: c.get("information").cloned().expect("right"),
            status: RightStatus::Informed,
            reason: None,
        },
        MONDAY,
    )
    .expect("informed");
    let t = rights_tracker(&s, &c, MONDAY + Duration::days(1));
    let info = t.iter().find(|r| r.right == "information").expect("line");
    assert_eq!((info.status, info.overdue), (RightStatus::Informed, false));
    assert_eq!(info.history.len(), 1);
    assert_eq!(info.history[0].recorded_by, USER);
}

#[test]
fn a_child_is_owed_guardian_best_interests_and_education_and_they_clear() {
    let c = RightsCatalogue::shipped();
    let s = child();
    let late = |s: &CaseState, days: i64| -> Vec<String> {
        rights_tracker(s, &c, MONDAY + Duration::days(days))
            .into_iter()
            .filter(|r| r.overdue)
            .map(|r| r.right)
            .collect()
    };
    let l = late(&s, 40);
    for r in ["guardian", "best_interests_assessment", "education_child"] {
        assert!(l.contains(&r.to_string()), "{r} should be late: {l:?}");
    }
    let s = run(
        s,
        Command::NameGuardian {
            name: "Fake Guardian".into(),
            organisation: "Fake Guardianship Service".into(),
        },
        MONDAY,
    )
    .expect("guardian named");
    let s = run(
        s,
        Command::RecordBestInterests {
            best_interests: BestInterests {
                kind: BestInterestsKind::Assessment,
                child_views: "wants school".into(),
                conclusion: "stay in foster care".into(),
                return_in_best_interests: None,
                recommended_solution: None,
            },
        },
        MONDAY,
    )
    .expect("assessment");
    let l = late(&s, 40);
    assert!(!l.contains(&"guardian".to_string()));
    assert!(!l.contains(&"best_interests_assessment".to_string()));
    assert!(l.contains(&"education_child".to_string()));
    // The guardian alert of the identification clocks clears too.
    let (alerts, _) =
        alerts_and_deadlines(&s, MONDAY + Duration::days(2), &Policy::shipped_default());
    assert!(alerts.iter().all(|a| a.code != AlertCode::GuardianMissing));
}

#[test]
fn a_refused_right_needs_its_reason_and_a_closed_case_has_no_late_rights() {
    let c = RightsCatalogue::shipped();
    let s = adult();
    let e = run(
        s.clone(),
        Command::RecordRight {
            right: c.get("residence_permit").cloned().expect("right"),
            status: RightStatus::Refused,
            reason: Some("  ".into()),
        },
        MONDAY,
    )
    .unwrap_err();
    assert!(matches!(e, DomainError::Invalid(ref v) if v[0].pointer == "/reason"));
    assert!(
        check_right_status(&c, Minority::Adult, "guardian", RightStatus::Granted, &None).is_err()
    );
    assert!(
        check_right_status(&c, Minority::Adult, "made_up", RightStatus::Granted, &None).is_err()
    );
    let closed = run(
        s,
        Command::Close {
            reason: ClosureReason::LostContact,
            notes: None,
            open_referrals: None,
        },
        MONDAY,
    )
    .expect("closed");
    assert!(rights_tracker(&closed, &c, MONDAY + Duration::days(9))
        .iter()
        .all(|r| !r.overdue));
}

// ---------- services ----------

#[test]
fn a_full_or_unsuitable_service_is_refused() {
    let s = with_needs(
        adult(),
        &[ServiceKind::Accommodation, ServiceKind::Psychological],
    );
    let mut full = service(ServiceKind::Accommodation, 1, &[Accepts::Adults]);
    full.taken = 1;
    assert!(
        matches!(refer(s.clone(), full, 1), Err(DomainError::ServiceUnsuitable(m)) if m.contains("no free places"))
    );
    let children_only = service(ServiceKind::Accommodation, 2, &[Accepts::Children]);
    assert!(matches!(
        refer(s.clone(), children_only, 1),
        Err(DomainError::ServiceUnsuitable(_))
    ));
    let men_only = service(
        ServiceKind::Accommodation,
        3,
        &[Accepts::Adults, Accepts::Men],
    );
    assert!(matches!(
        refer(s.clone(), men_only, 1),
        Err(DomainError::ServiceUnsuitable(_))
    ));
    // A need not in the plan is refused too.
    let legal = service(ServiceKind::LegalAid, 4, &[Accepts::Adults]);
    assert!(
        matches!(refer(s.clone(), legal, 1), Err(DomainError::Invalid(v)) if v[0].pointer == "/need")
    );
    let ok = service(
        ServiceKind::Accommodation,
        5,
        &[Accepts::Adults, Accepts::Women],
    );
    let s = refer(s, ok, 1).expect("fits");
    assert_eq!(s.service_referrals.len(), 1);
}

#[test]
fn consent_to_a_service_is_the_persons_and_for_a_child_the_guardians_with_the_childs_views() {
    assert!(check_service_consent(Minority::Adult, &consent()).is_ok());
    let no = ServiceConsent {
        informed_consent: false,
        ..consent()
    };
    assert!(check_service_consent(Minority::Adult, &no).is_err());
    assert!(check_service_consent(Minority::Child, &consent()).is_err());
    let guardian_only = ServiceConsent {
        informed_consent: false,
        guardian_consent: Some(true),
        child_views: None,
    };
    assert!(check_service_consent(Minority::PresumedChild, &guardian_only).is_err());
    let both = ServiceConsent {
        child_views: Some("happy to go".into()),
        ..guardian_only
    };
    assert!(check_service_consent(Minority::Child, &both).is_ok());
}

#[test]
fn the_referral_life_cycle_and_a_decline_needs_a_reason() {
    let s = with_needs(adult(), &[ServiceKind::Accommodation]);
    let s = refer(
        s,
        service(ServiceKind::Accommodation, 2, &[Accepts::Adults]),
        7,
    )
    .expect("referred");
    assert!(step(s.clone(), 7, ReferralStatus::Declined, None).is_err());
    assert!(step(s.clone(), 7, ReferralStatus::Completed, None).is_err());
    let declined = step(
        s.clone(),
        7,
        ReferralStatus::Declined,
        Some("no place for a family"),
    )
    .expect("declined");
    assert_eq!(
        declined.service_referrals[0].status,
        ReferralStatus::Declined
    );
    let s = step(s, 7, ReferralStatus::Accepted, None).expect("accepted");
    let r = &s.service_referrals[0];
    assert_eq!(
        r.accepted_at.map(|a| a - r.referred_at),
        Some(Duration::hours(3))
    );
    let s = step(s, 7, ReferralStatus::Started, None).expect("started");
    let s = step(s, 7, ReferralStatus::Completed, None).expect("completed");
    assert!(step(s, 7, ReferralStatus::Accepted, None).is_err());
}

#[test]
fn ranking_prefers_a_shared_language_then_child_services_then_free_places() {
    let p = PersonFit {
        minority: Minority::Child,
        sex: Sex::Female,
        languages: vec!["uk".into()],
        region: Some("north".into()),
    };
    let mut a = service(ServiceKind::ChildCare, 9, &[Accepts::Children]);
    let mut b = service(ServiceKind::ChildCare, 2, &[Accepts::Children]);
    b.languages = vec!["uk".into()];
    let mut c = service(ServiceKind::ChildCare, 3, &[Accepts::Children]);
    c.child_specialised = true;
    let mut d = service(ServiceKind::ChildCare, 4, &[Accepts::Children]);
    d.regions = vec!["south".into()];
    a.id = Uuid::from_u128(1);
    let ranked = rank_services(
        &[a.clone(), b.clone(), c.clone(), d],
        ServiceKind::ChildCare,
        &p,
    );
    let ids: Vec<Uuid> = ranked.iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![b.id, c.id, a.id]);
}

proptest! {
    /// Whatever the directory holds, a ranked service always fits and has a free place.
    #[test]
    fn ranked_services_always_fit(caps in proptest::collection::vec((0u32..4, 0u32..4, any::<bool>(), any::<bool>()), 0..12)) {
        let services: Vec<ServiceProfile> = caps.iter().enumerate().map(|(i, (cap, taken, kids, women))| {
            let mut accepts = vec![if *kids { Accepts::Children } else { Accepts::Adults }];
            if *women { accepts.push(Accepts::Women); }
            ServiceProfile { id: Uuid::from_u128(i as u128), taken: *taken, ..service(ServiceKind::Psychological, *cap, &accepts) }
        }).collect();
        let p = PersonFit { minority: Minority::Adult, sex: Sex::Male, languages: vec![], region: None };
        for s in rank_services(&services, ServiceKind::Psychological, &p) {
            prop_assert!(s.free() > 0);
            prop_assert!(unsuitable(&s, ServiceKind::Psychological, &p).is_none());
            prop_assert!(!s.accepts.contains(&Accepts::Women));
        }
    }
}

// ---------- justice ----------

#[test]
fn support_continues_when_the_person_declines_to_cooperate() {
    let s = with_needs(adult(), &[ServiceKind::Accommodation]);
    let s = run(
        s,
        Command::RecordJustice {
            justice: Justice {
                cooperation: Cooperation::Declined,
                legal_representative: None,
                proceedings: vec![],
                protection_measures: vec![],
                residence_permits: vec![],
                compensation: vec![],
                non_punishment: None,
            },
        },
        MONDAY,
    )
    .expect("choice recorded");
    assert_eq!(
        s.justice.as_ref().map(|j| j.cooperation),
        Some(Cooperation::Declined)
    );
    let s = refer(
        s,
        service(ServiceKind::Accommodation, 2, &[Accepts::Adults]),
        1,
    )
    .expect("still referred");
    let s = step(s, 1, ReferralStatus::Accepted, None).expect("still accepted");
    assert_eq!(s.service_referrals[0].status, ReferralStatus::Accepted);
}

#[test]
fn compensation_needs_a_currency_code() {
    let j = |currency: &str| Justice {
        cooperation: Cooperation::Cooperating,
        legal_representative: Some("Fake Lawyer".into()),
        proceedings: vec![Proceeding {
            kind: "criminal".into(),
            stage: "trial".into(),
        }],
        protection_measures: vec!["witness anonymity".into()],
        residence_permits: vec![],
        compensation: vec![CompensationClaim {
            from: "state".into(),
            claimed: Some(Money {
                amount_minor: 500_000,
                currency: currency.into(),
            }),
            awarded: None,
            paid: None,
        }],
        non_punishment: Some(NonPunishment {
            requested: true,
            outcome: None,
        }),
    };
    let ok = j("eur").validate().expect("valid");
    assert_eq!(
        ok.compensation[0]
            .claimed
            .as_ref()
            .map(|m| m.currency.as_str()),
        Some("EUR")
    );
    assert!(
        matches!(j("euro").validate(), Err(DomainError::Invalid(v)) if v[0].pointer == "/compensation/0/claimed/currency")
    );
}

// ---------- children and durable solutions ----------

fn determination(return_ok: Option<bool>) -> Command {
    Command::RecordBestInterests {
        best_interests: BestInterests {
            kind: BestInterestsKind::Determination,
            child_views: "wants to see mother".into(),
            conclusion: "decided by the panel".into(),
            return_in_best_interests: return_ok,
            recommended_solution: None,
        },
    }
}

fn ret() -> Command {
    Command::ChooseDurableSolution {
        solution: DurableSolution {
            kind: DurableSolutionKind::Return,
            country: Some("md".into()),
            risk_assessment: Some("family safe; trafficker convicted".into()),
        },
    }
}

#[test]
fn a_child_is_not_returned_without_a_determination_in_favour_of_return() {
    let s = child();
    assert!(matches!(
        run(s.clone(), ret(), MONDAY),
        Err(DomainError::BestInterestsDeterminationRequired(_))
    ));
    let against = run(s.clone(), determination(Some(false)), MONDAY).expect("determination");
    assert!(matches!(
        run(against, ret(), MONDAY),
        Err(DomainError::BestInterestsDeterminationRequired(_))
    ));
    let for_return = run(s, determination(Some(true)), MONDAY).expect("determination");
    let done = run(for_return, ret(), MONDAY).expect("return decided");
    assert_eq!(
        done.durable_solution
            .as_ref()
            .and_then(|d| d.country.as_deref()),
        Some("MD")
    );
}

#[test]
fn a_return_needs_a_risk_assessment_and_best_interests_need_the_childs_views() {
    let no_risk = Command::ChooseDurableSolution {
        solution: DurableSolution {
            kind: DurableSolutionKind::Return,
            country: Some("MD".into()),
            risk_assessment: None,
        },
    };
    assert!(
        matches!(run(adult(), no_risk, MONDAY), Err(DomainError::Invalid(v)) if v[0].pointer == "/risk_assessment")
    );
    assert!(run(adult(), ret(), MONDAY).is_ok());
    let silent = Command::RecordBestInterests {
        best_interests: BestInterests {
            kind: BestInterestsKind::Assessment,
            child_views: " ".into(),
            conclusion: "x".into(),
            return_in_best_interests: None,
            recommended_solution: None,
        },
    };
    assert!(run(child(), silent, MONDAY).is_err());
    assert!(run(adult(), determination(None), MONDAY).is_err());
}

#[test]
fn a_transition_plan_is_for_a_child_who_turns_18_during_the_case() {
    let turning = case(Birth::Exact(date!(2009 - 01 - 10)), Sex::Female);
    let plan = || Command::RecordTransitionPlan {
        plan: "move to supported housing".into(),
    };
    assert!(run(turning.clone(), plan(), MONDAY + Duration::days(60)).is_ok());
    assert!(run(child(), plan(), MONDAY).is_err());
    assert!(run(adult(), plan(), MONDAY).is_err());
    let traced = run(
        turning,
        Command::RequestFamilyTracing { requested: true },
        MONDAY,
    )
    .expect("flag");
    assert!(traced.family_tracing_requested);
}

// ---------- closure ----------

#[test]
fn closing_with_open_accepted_referrals_needs_a_word_on_them() {
    let s = with_needs(adult(), &[ServiceKind::Accommodation]);
    let s = refer(
        s,
        service(ServiceKind::Accommodation, 2, &[Accepts::Adults]),
        1,
    )
    .expect("referred");
    let s = step(s, 1, ReferralStatus::Accepted, None).expect("accepted");
    let close = |open| Command::Close {
        reason: ClosureReason::Integrated,
        notes: None,
        open_referrals: open,
    };
    assert_eq!(
        run(s.clone(), close(None), MONDAY),
        Err(DomainError::OpenServiceReferrals(1))
    );
    let withdrawn = run(
        s.clone(),
        close(Some(OpenReferralsOnClose::Withdraw)),
        MONDAY,
    )
    .expect("closed");
    assert_eq!(
        withdrawn.service_referrals[0].status,
        ReferralStatus::Withdrawn
    );
    assert_eq!(withdrawn.status(MONDAY.date()), Status::Closed);
    let continued = run(s, close(Some(OpenReferralsOnClose::Continue)), MONDAY).expect("closed");
    // Support goes on after closure: the provider may still complete the referral.
    let done =
        step(continued, 1, ReferralStatus::Completed, None).expect("completed after closure");
    assert_eq!(done.service_referrals[0].status, ReferralStatus::Completed);
}

// ---------- handovers ----------

fn handover(kind: HandoverKind, to_org: OrgId, consents: bool) -> Command {
    Command::Handover {
        handover: Uuid::from_u128(55),
        kind,
        from_org: ORG,
        to_org,
        to_user: (kind == HandoverKind::Assign).then_some(USER),
        purpose: "specialised support".into(),
        person_consents: consents,
        child_views: None,
    }
}

#[test]
fn handovers_need_consent_and_a_transfer_waits_for_its_recipient() {
    assert!(run(
        adult(),
        handover(HandoverKind::Transfer, PROVIDER, false),
        MONDAY
    )
    .is_err());
    assert!(run(adult(), handover(HandoverKind::Refer, ORG, true), MONDAY).is_err());
    assert!(
        run(
            child(),
            handover(HandoverKind::Refer, PROVIDER, true),
            MONDAY
        )
        .is_err(),
        "child's views needed"
    );
    let assigned = run(adult(), handover(HandoverKind::Assign, ORG, false), MONDAY)
        .expect("assign needs no consent");
    assert_eq!(assigned.assigned_to, Some(USER));
    let offered = run(
        adult(),
        handover(HandoverKind::Transfer, PROVIDER, true),
        MONDAY,
    )
    .expect("offered");
    assert!(run(
        offered.clone(),
        handover(HandoverKind::Transfer, PROVIDER, true),
        MONDAY
    )
    .is_err());
    let answer = |by| Command::AnswerTransfer {
        handover: Uuid::from_u128(55),
        accepted: true,
        by_org: by,
    };
    assert!(run(offered.clone(), answer(ORG), MONDAY).is_err());
    let accepted = run(offered, answer(PROVIDER), MONDAY).expect("accepted");
    assert_eq!(accepted.handovers[0].status, "accepted");
    assert!(run(accepted, answer(PROVIDER), MONDAY).is_err());
}
