//! A synthetic population at scale (`harbour demo --cases N`): realistic, obviously fake cases
//! made through the real use cases (referral, decisions, guardian, closure, anonymous
//! notifications, rights, needs and service referrals, justice and compensation), so the journal, encryption, access log and statistical projection are
//! exactly what production writes. Time is driven by a [`ManualClock`] the caller shares with
//! the [`Harbour`] it passes, so referrals spread over the past years.

use crate::cases::{AnonymousNotificationInput, DecisionInput, DecisionKind, ReferralOptions};
use crate::support::{RightInput, ServiceInput, ServiceReferralInput};
use crate::{Actor, Harbour, ManualClock, ServiceResult};
use harbour_domain::person::{Birth, PersonName};
use harbour_domain::support::{
    Accepts, CompensationClaim, Cooperation, Justice, Money, Need, NeedsAssessment,
    OpenReferralsOnClose, ReferralStatus, RightStatus, ServiceConsent, ServiceKind,
};
use harbour_domain::{
    ClosureReason, Consent, ExploitationForm, OrgKind, Person, Policy, Referral, Role, Sex,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// What a run made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyntheticReport {
    pub cases: u64,
    pub notifications: u64,
    pub decisions: u64,
    pub guardians: u64,
    pub closures: u64,
    pub rights_recorded: u64,
    pub service_referrals: u64,
    pub justice_records: u64,
}

/// The organisations and users a run works with.
pub struct SyntheticActors {
    pub responders: Vec<Actor>,
    pub decider: Actor,
    pub child_protection: Actor,
    pub guardian: Actor,
    pub coordinator: Actor,
}

const NATIONALITIES: [(&str, u32); 14] = [
    ("UA", 20),
    ("GB", 14),
    ("AL", 10),
    ("VN", 9),
    ("RO", 8),
    ("MD", 7),
    ("ER", 6),
    ("SD", 5),
    ("NG", 5),
    ("PL", 4),
    ("BG", 4),
    ("IN", 3),
    ("CN", 3),
    ("SK", 2),
];

const REGIONS: [&str; 6] = [
    "Fake North",
    "Fake South",
    "Fake East",
    "Fake West",
    "Fake Capital",
    "Fake Islands",
];

const FORMS: [(ExploitationForm, u32); 8] = [
    (ExploitationForm::ForcedLabour, 32),
    (ExploitationForm::Sexual, 26),
    (ExploitationForm::ForcedCriminality, 20),
    (ExploitationForm::DomesticServitude, 8),
    (ExploitationForm::OnlineSexualExploitation, 5),
    (ExploitationForm::ForcedBegging, 3),
    (ExploitationForm::ForcedMarriage, 2),
    (ExploitationForm::Unknown, 4),
];

fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total.max(1));
    for (item, w) in items {
        if pick < *w {
            return *item;
        }
        pick -= w;
    }
    items[0].0
}

/// Create the fictional organisations and users of a run (`run` makes e-mails unique).
pub async fn synthetic_actors(
    h: &Harbour,
    run: &str,
    password: &str,
) -> ServiceResult<SyntheticActors> {
    let mut responders = Vec::new();
    for (name, kind, role) in [
        ("Police", OrgKind::Police, Role::FirstResponder),
        ("Border Guard", OrgKind::BorderGuard, Role::FirstResponder),
        (
            "Labour Inspectorate",
            OrgKind::LabourInspectorate,
            Role::FirstResponder,
        ),
        ("Safe House NGO", OrgKind::Ngo, Role::CaseWorker),
        ("Shelter", OrgKind::Shelter, Role::CaseWorker),
        (
            "Reception Centre",
            OrgKind::ReceptionCentre,
            Role::FirstResponder,
        ),
        ("Health Service", OrgKind::Health, Role::FirstResponder),
    ] {
        let org = h
            .create_org(&format!("SYNTHETIC {name} {run} (fictional)"), kind)
            .await?;
        let user = h
            .create_user(
                &format!("synthetic-{}-{run}@test.invalid", kind.as_str()),
                org.id,
                role,
                password,
            )
            .await?;
        responders.push(Actor { user, org });
    }
    let one = |name: &'static str, kind: OrgKind, role: Role| {
        let run = run.to_string();
        async move {
            let org = h
                .create_org(&format!("SYNTHETIC {name} {run} (fictional)"), kind)
                .await?;
            let user = h
                .create_user(
                    &format!("synthetic-{}-{run}@test.invalid", role.as_str()),
                    org.id,
                    role,
                    password,
                )
                .await?;
            ServiceResult::Ok(Actor { user, org })
        }
    };
    let decider = one(
        "Competent Authority",
        OrgKind::CompetentAuthority,
        Role::DecisionMaker,
    )
    .await?;
    let child_protection = one(
        "Child Protection",
        OrgKind::ChildProtection,
        Role::ChildProtectionOfficer,
    )
    .await?;
    let guardian = one(
        "Guardianship Office",
        OrgKind::GuardianshipAuthority,
        Role::Guardian,
    )
    .await?;
    let coordinator = one(
        "National Coordinator",
        OrgKind::NationalCoordinator,
        Role::Coordinator,
    )
    .await?;
    Ok(SyntheticActors {
        responders,
        decider,
        child_protection,
        guardian,
        coordinator,
    })
}

fn decision(kind: DecisionKind, outcome: &str) -> DecisionInput {
    DecisionInput {
        kind,
        outcome: outcome.into(),
        reasons: "SYNTHETIC: generated decision for load testing".into(),
        method: (kind == DecisionKind::AgeAssessment).then(|| "SYNTHETIC documents".into()),
    }
}

/// One step of a synthetic case's journey after its referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Guardian,
    AgeAssessment { child: bool },
    ReasonableGrounds { positive: bool },
    ConclusiveGrounds { positive: bool },
    Close,
}

/// A step of support, rights and justice (kept apart from [`Step`], drawn from a second
/// random stream, so the identification journey of a seed stays what it was).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SupportStep {
    /// The competent authority records a right's status.
    Right {
        right: &'static str,
        status: RightStatus,
    },
    /// The case's support worker records the need for accommodation and refers to the shelter.
    ReferToShelter,
    /// The shelter moves its referral on (accepted, declined, completed).
    Shelter { to: ReferralStatus },
    /// Justice and redress: the cooperation choice and how far a compensation claim went
    /// (0 none, 1 claimed, 2 awarded, 3 paid), in whole units of a currency.
    Justice {
        cooperation: Cooperation,
        stage: u8,
        amount: u64,
        currency: &'static str,
    },
}

/// A synthetic case before it is made: when, by which responder (index into the responders),
/// what is referred, and what happens after, in time order. Pure, so the benchmark can fold the
/// same population through the domain without the service layer.
#[derive(Clone, Debug)]
pub struct Plan {
    pub at: OffsetDateTime,
    pub responder: usize,
    pub notification: Option<AnonymousNotificationInput>,
    pub referral: Referral,
    pub steps: Vec<(OffsetDateTime, Step)>,
    /// Rights, services and justice, in time order, none after the case closes.
    pub support: Vec<(OffsetDateTime, SupportStep)>,
}

/// A deterministic stream of plans for cases referred over the `years` before `end`.
pub struct Planner {
    rng: StdRng,
    support_rng: StdRng,
    start: OffsetDateTime,
    span: Duration,
    end: OffsetDateTime,
    responders: usize,
    recovery_days: i64,
    next: u64,
}

impl Planner {
    pub fn new(
        seed: u64,
        years: i64,
        end: OffsetDateTime,
        responders: usize,
        policy: &Policy,
    ) -> Planner {
        let span = Duration::days(365 * years.max(1));
        Planner {
            rng: StdRng::seed_from_u64(seed),
            support_rng: StdRng::seed_from_u64(seed ^ 0x05ee_d5a9_90e7),
            start: end - span,
            span,
            end,
            responders: responders.max(1),
            recovery_days: i64::from(policy.identification.recovery_period_days),
            next: 0,
        }
    }

    pub fn plan(&mut self) -> Plan {
        let rng = &mut self.rng;
        let i = self.next;
        self.next += 1;
        let end = self.end;
        let at = self.start + Duration::seconds(rng.gen_range(0..self.span.whole_seconds().max(1)));
        let responder = rng.gen_range(0..self.responders);
        // About one in twenty is an adult who does not consent: counted, never named.
        let notification = rng.gen_ratio(1, 20).then(|| AnonymousNotificationInput {
            sex: if rng.gen_bool(0.5) {
                Sex::Female
            } else {
                Sex::Male
            },
            age_group: if rng.gen_ratio(9, 10) {
                "adult"
            } else {
                "unknown"
            }
            .into(),
            nationality: Some(weighted(rng, &NATIONALITIES).into()),
            exploitation_forms: vec![weighted(rng, &FORMS)],
            region: Some(REGIONS[rng.gen_range(0..REGIONS.len())].into()),
        });
        let today = at.date();
        let child = rng.gen_ratio(2, 5);
        let presumed = child && rng.gen_ratio(1, 8);
        let birth = if presumed {
            Birth::Estimated {
                min: 15,
                max: 19,
                on: None,
            }
        } else if child {
            let age = rng.gen_range(9..=17);
            Birth::Exact(today - Duration::days(365 * age + rng.gen_range(1..360)))
        } else if rng.gen_ratio(1, 15) {
            Birth::Unknown
        } else {
            Birth::Year(today.year() - rng.gen_range(19..=60))
        };
        let sex = weighted(
            rng,
            &[
                (Sex::Female, 52),
                (Sex::Male, 46),
                (Sex::Other, 1),
                (Sex::Unknown, 1),
            ],
        );
        let mut forms = vec![weighted(rng, &FORMS)];
        if rng.gen_ratio(1, 6) {
            forms.push(weighted(rng, &FORMS));
        }
        let online_recruitment = rng.gen_ratio(3, 10);
        let person = Person {
            names: vec![PersonName {
                given: Some("Fake".into()),
                family: Some(format!("Synthetic{i}")),
                patronymic: None,
                script: Some("Latn".into()),
                transliterations: vec![],
            }],
            sex,
            birth,
            nationalities: vec![weighted(rng, &NATIONALITIES).into()],
            stateless: false,
            languages: vec!["en".into()],
            vulnerabilities: vec![],
            unaccompanied: child && rng.gen_ratio(1, 3),
            separated: false,
        };
        let referral = Referral {
            exploitation_forms: forms,
            consent: (!child).then(|| Consent {
                nrm_referral: true,
                family_tracing: false,
                scope: None,
                informed_in: Some("en".into()),
            }),
            summary: Some("SYNTHETIC: generated case for load testing".into()),
            online_recruitment,
            region: Some(REGIONS[rng.gen_range(0..REGIONS.len())].into()),
            exploitation_began: rng
                .gen_ratio(7, 10)
                .then(|| today - Duration::days(rng.gen_range(20..1500))),
            ..Referral::new(person)
        };
        let mut steps = Vec::new();
        // A child's guardian, usually within hours.
        if child && rng.gen_ratio(17, 20) {
            steps.push((at + Duration::hours(rng.gen_range(1..72)), Step::Guardian));
        }
        if presumed && rng.gen_bool(0.5) {
            let child = rng.gen_ratio(3, 4);
            steps.push((
                at + Duration::days(rng.gen_range(3..40)),
                Step::AgeAssessment { child },
            ));
        }
        // Reasonable grounds: most within the target, some late, some still waiting.
        let longest = if rng.gen_ratio(4, 5) { 7 } else { 60 };
        let rg_at = at + Duration::days(rng.gen_range(1..=longest));
        let waiting = rng.gen_ratio(1, 20);
        let rg_positive = rng.gen_ratio(4, 5);
        let cg_at = rg_at + Duration::days(self.recovery_days + rng.gen_range(0..400));
        let cg_waiting = rng.gen_ratio(1, 10);
        let identified = rng.gen_ratio(2, 3);
        let close_at = cg_at + Duration::days(rng.gen_range(30..300));
        let close = rng.gen_ratio(1, 3);
        if !waiting {
            steps.push((
                rg_at,
                Step::ReasonableGrounds {
                    positive: rg_positive,
                },
            ));
            if rg_positive && !cg_waiting {
                steps.push((
                    cg_at,
                    Step::ConclusiveGrounds {
                        positive: identified,
                    },
                ));
                if identified && close {
                    steps.push((close_at, Step::Close));
                }
            }
        }
        // Nothing happens after the end of the run; steps stay in time order.
        steps.retain(|(t, _)| *t <= end);
        steps.sort_by_key(|(t, _)| *t);
        // A decision cannot precede what it depends on: drop a step whose predecessor was cut.
        let mut out: Vec<(OffsetDateTime, Step)> = Vec::new();
        for (t, st) in steps {
            let ok = match st {
                Step::ConclusiveGrounds { .. } => out
                    .iter()
                    .any(|(_, s)| matches!(s, Step::ReasonableGrounds { positive: true })),
                Step::Close => out
                    .iter()
                    .any(|(_, s)| matches!(s, Step::ConclusiveGrounds { .. })),
                _ => true,
            };
            if ok {
                out.push((t, st));
            }
        }
        let close_at = out
            .iter()
            .find(|(_, s)| *s == Step::Close)
            .map_or(end, |(t, _)| *t);
        let support = support_steps(&mut self.support_rng, at, close_at.min(end));
        Plan {
            at,
            responder,
            notification,
            referral,
            steps: out,
            support,
        }
    }
}

/// Rights, a shelter referral and justice for a case referred at `at`, all before `until`.
fn support_steps(
    rng: &mut StdRng,
    at: OffsetDateTime,
    until: OffsetDateTime,
) -> Vec<(OffsetDateTime, SupportStep)> {
    let mut out = Vec::new();
    let days = |rng: &mut StdRng, lo: i64, hi: i64| Duration::days(rng.gen_range(lo..=hi));
    let right = |right, status| SupportStep::Right { right, status };
    // Information is due at referral: most are told within days, some much later, some never.
    if rng.gen_ratio(17, 20) {
        let late = if rng.gen_ratio(1, 5) { 60 } else { 3 };
        out.push((
            at + days(rng, 0, late) + Duration::hours(1),
            right("information", RightStatus::Informed),
        ));
    }
    if rng.gen_ratio(1, 2) {
        let asked = at + days(rng, 1, 5);
        out.push((asked, right("accommodation", RightStatus::Requested)));
        let status = if rng.gen_ratio(4, 5) {
            RightStatus::Granted
        } else {
            RightStatus::Refused
        };
        out.push((asked + days(rng, 1, 20), right("accommodation", status)));
    }
    if rng.gen_ratio(3, 10) {
        let status = if rng.gen_ratio(1, 6) {
            RightStatus::Waived
        } else {
            RightStatus::Granted
        };
        out.push((at + days(rng, 5, 60), right("legal_assistance", status)));
    }
    if rng.gen_ratio(2, 5) {
        let referred = at + days(rng, 1, 5);
        out.push((referred, SupportStep::ReferToShelter));
        let answered = referred + days(rng, 0, 14) + Duration::hours(2);
        if rng.gen_ratio(4, 5) {
            out.push((
                answered,
                SupportStep::Shelter {
                    to: ReferralStatus::Accepted,
                },
            ));
            out.push((
                answered + days(rng, 10, 60),
                SupportStep::Shelter {
                    to: ReferralStatus::Completed,
                },
            ));
        } else {
            out.push((
                answered,
                SupportStep::Shelter {
                    to: ReferralStatus::Declined,
                },
            ));
        }
    }
    if rng.gen_ratio(7, 20) {
        let cooperation = weighted(
            rng,
            &[
                (Cooperation::Cooperating, 60),
                (Cooperation::Declined, 25),
                (Cooperation::Undecided, 15),
            ],
        );
        let stage = weighted(rng, &[(0u8, 60), (1, 20), (2, 10), (3, 10)]);
        let currency = weighted(rng, &[("EUR", 9), ("GBP", 1)]);
        out.push((
            at + days(rng, 10, 200),
            SupportStep::Justice {
                cooperation,
                stage,
                amount: rng.gen_range(1_000..50_000),
                currency,
            },
        ));
    }
    out.retain(|(t, _)| *t < until);
    out.sort_by_key(|(t, _)| *t);
    // A provider's step without the referral it moves on is dropped.
    let mut referred = false;
    let mut accepted = false;
    out.retain(|(_, s)| match s {
        SupportStep::ReferToShelter => {
            referred = true;
            true
        }
        SupportStep::Shelter {
            to: ReferralStatus::Completed,
        } => accepted,
        SupportStep::Shelter { to } => {
            accepted = *to == ReferralStatus::Accepted && referred;
            referred
        }
        _ => true,
    });
    out
}

/// Generate `n` cases referred over the `years` before `end`, calling `progress(done)` after
/// each case. Deterministic for a given `seed` (apart from ids and keys).
#[allow(clippy::too_many_arguments)]
pub async fn generate(
    h: &Harbour,
    clock: &ManualClock,
    actors: &SyntheticActors,
    n: u64,
    years: i64,
    end: OffsetDateTime,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> ServiceResult<SyntheticReport> {
    let mut planner = Planner::new(seed, years, end, actors.responders.len(), h.policy());
    let mut report = SyntheticReport::default();
    // The shelter of the run: the first caseworker organisation offers it, to everyone.
    let shelter_actor = actors
        .responders
        .iter()
        .find(|a| a.user.role == Role::CaseWorker)
        .unwrap_or(&actors.child_protection);
    let shelter = h
        .create_service(
            shelter_actor,
            ServiceInput {
                kind: ServiceKind::Accommodation,
                name: "SYNTHETIC shelter (fictional)".into(),
                capacity: 100_000,
                languages: vec!["en".into()],
                accepts: vec![Accepts::Adults, Accepts::Children],
                regions: vec!["any".into()],
                child_specialised: false,
            },
        )
        .await?;
    for i in 0..n {
        let plan = planner.plan();
        clock.set(plan.at);
        let responder = &actors.responders[plan.responder];
        if let Some(notification) = plan.notification {
            h.anonymous_notification(responder, notification).await?;
            report.notifications += 1;
        }
        let case = h
            .refer(
                responder,
                plan.referral,
                ReferralOptions {
                    confirm_new_person: true,
                    ..Default::default()
                },
            )
            .await?;
        report.cases += 1;
        let id = case.id;
        let mut support = plan.support.into_iter().peekable();
        let mut shelter_referral = None;
        let mut place_held = false;
        let mut steps = plan.steps.into_iter().peekable();
        loop {
            let support_first = match (steps.peek(), support.peek()) {
                (None, None) => break,
                (Some((t, _)), Some((u, _))) => u < t,
                (None, Some(_)) => true,
                (Some(_), None) => false,
            };
            if support_first {
                let Some((t, step)) = support.next() else {
                    break;
                };
                clock.set(t);
                // Who supports the person: child protection for a child (or presumed child)
                // as the case stands that day, the referring caseworker organisation for an
                // adult; an adult referred by police or an inspectorate has no caseworker in a
                // synthetic run, so only rights are recorded for them.
                let needs_worker = matches!(
                    step,
                    SupportStep::ReferToShelter | SupportStep::Justice { .. }
                );
                let child = needs_worker
                    && !matches!(
                        h.get_case(&actors.decider, id, Some("synthetic support step"))
                            .await?
                            .minority,
                        harbour_domain::Minority::Adult
                    );
                let supporter = if child {
                    Some(&actors.child_protection)
                } else if responder.user.role == Role::CaseWorker {
                    Some(responder)
                } else {
                    None
                };
                support_step(
                    h,
                    actors,
                    supporter,
                    shelter_actor,
                    shelter.id,
                    id,
                    child,
                    step,
                    &mut shelter_referral,
                    &mut place_held,
                    &mut report,
                )
                .await?;
                continue;
            }
            let Some((t, step)) = steps.next() else {
                break;
            };
            clock.set(t);
            match step {
                Step::Guardian => {
                    h.appoint_guardian(&actors.child_protection, id, actors.guardian.user.id)
                        .await?;
                    report.guardians += 1;
                }
                Step::AgeAssessment { child } => {
                    let outcome = if child { "child" } else { "adult" };
                    h.decide(
                        &actors.child_protection,
                        id,
                        decision(DecisionKind::AgeAssessment, outcome),
                    )
                    .await?;
                }
                Step::ReasonableGrounds { positive } | Step::ConclusiveGrounds { positive } => {
                    let kind = if matches!(step, Step::ReasonableGrounds { .. }) {
                        DecisionKind::ReasonableGrounds
                    } else {
                        DecisionKind::ConclusiveGrounds
                    };
                    let outcome = if positive { "positive" } else { "negative" };
                    h.decide(&actors.decider, id, decision(kind, outcome))
                        .await?;
                    report.decisions += 1;
                }
                Step::Close => {
                    // Support goes on with the shelter after closure if a place is held.
                    let open = place_held.then_some(OpenReferralsOnClose::Continue);
                    h.close(
                        &actors.decider,
                        id,
                        ClosureReason::SupportCompleted,
                        None,
                        open,
                    )
                    .await?;
                    report.closures += 1;
                }
            }
        }
        progress(i + 1);
    }
    clock.set(end);
    Ok(report)
}

/// Make one support step through the real use cases.
#[allow(clippy::too_many_arguments)]
async fn support_step(
    h: &Harbour,
    actors: &SyntheticActors,
    supporter: Option<&Actor>,
    shelter_actor: &Actor,
    shelter: uuid::Uuid,
    id: harbour_domain::CaseId,
    child: bool,
    step: SupportStep,
    shelter_referral: &mut Option<uuid::Uuid>,
    place_held: &mut bool,
    report: &mut SyntheticReport,
) -> ServiceResult<()> {
    match step {
        SupportStep::Right { right, status } => {
            let reason = (status == RightStatus::Refused)
                .then(|| "SYNTHETIC: no place in the region".to_string());
            h.record_right(&actors.decider, id, right, RightInput { status, reason })
                .await?;
            report.rights_recorded += 1;
        }
        SupportStep::ReferToShelter => {
            let Some(worker) = supporter else {
                return Ok(());
            };
            h.assess_needs(
                worker,
                id,
                NeedsAssessment {
                    needs: vec![Need {
                        kind: ServiceKind::Accommodation,
                        priority: Some(1),
                        notes: None,
                    }],
                    region: None,
                    priorities: None,
                    child_views: child.then(|| "SYNTHETIC: wants a safe place".into()),
                },
            )
            .await?;
            let consent = ServiceConsent {
                informed_consent: true,
                guardian_consent: child.then_some(true),
                child_views: child.then(|| "SYNTHETIC: agrees to the shelter".into()),
            };
            let created = h
                .refer_to_service(
                    worker,
                    id,
                    ServiceReferralInput {
                        service_id: shelter,
                        need: ServiceKind::Accommodation,
                        consent,
                    },
                )
                .await?;
            *shelter_referral = Some(created.id);
            report.service_referrals += 1;
        }
        SupportStep::Shelter { to } => {
            let Some(referral) = *shelter_referral else {
                return Ok(());
            };
            let reason = (to == ReferralStatus::Declined)
                .then(|| "SYNTHETIC: no place that week".to_string());
            h.provider_step(shelter_actor, id, referral, to, reason)
                .await?;
            *place_held = to == ReferralStatus::Accepted;
        }
        SupportStep::Justice {
            cooperation,
            stage,
            amount,
            currency,
        } => {
            let Some(worker) = supporter else {
                return Ok(());
            };
            let money = |share: u64| Money {
                amount_minor: amount * share,
                currency: currency.into(),
            };
            let compensation = if stage == 0 {
                vec![]
            } else {
                vec![CompensationClaim {
                    from: "perpetrator".into(),
                    claimed: Some(money(100)),
                    awarded: (stage >= 2).then(|| money(60)),
                    paid: (stage >= 3).then(|| money(60)),
                }]
            };
            h.record_justice(
                worker,
                id,
                Justice {
                    cooperation,
                    legal_representative: None,
                    proceedings: vec![],
                    protection_measures: vec![],
                    residence_permits: vec![],
                    compensation,
                    non_punishment: None,
                },
            )
            .await?;
            report.justice_records += 1;
        }
    }
    Ok(())
}
