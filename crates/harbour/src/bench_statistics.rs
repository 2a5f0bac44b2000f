//! `harbour bench --statistics N`: the coordinator's dashboard over N cases' statistical
//! projection, against a plain SQL `GROUP BY` over the same projection in the same run.
//!
//! Filling a million cases through the whole service layer takes longer than a benchmark run
//! (`harbour demo --cases N` measures that rate). Here the same synthetic population (the
//! planner of `harbour demo`) is folded through the pure domain (`decide` and `apply`, the rules
//! the service runs), its statistical row derived by the same `CaseStatistics::from_journal`,
//! and the cases written with `Store::create_cases`, [`BATCH`] to a transaction (each case
//! exactly as `create_case` writes a referral, pre-aggregated counts included); the journal
//! payloads are placeholder bytes, not encrypted content. What is timed afterwards is the
//! real dashboard: the page over HTTP, and the service call behind it.

use crate::{Failure, MasterKey};
use harbour_domain::{
    apply, decide, AgeAssessmentResult, CaseId, CaseState, ClosureReason, Command, DecisionOutcome,
    Policy, RecordedEvent, UserId,
};
use harbour_service::synthetic::{Planner, Step};
use harbour_service::{Actor, Harbour, SystemClock};
use harbour_statistics::CaseStatistics;
use harbour_store::{
    chain_hash, AccessRecord, CaseParty, CaseProjection, NewCase, PartyRelation, StatDim,
    StatisticsQuery, Store, StoredEvent, GENESIS,
};
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Cases written per transaction while filling (one transaction per case capped the fill at a
/// few hundred cases a second: a million would take an hour).
const BATCH: usize = 2000;

pub struct StatisticsTimings {
    pub backend: String,
    pub cases: usize,
    pub fill_per_s: f64,
    pub group_by_ms: f64,
    pub service_ms: f64,
    pub page_ms: f64,
    pub page_bytes: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn fold(
    state: &mut CaseState,
    events: &mut Vec<RecordedEvent>,
    command: Command,
    at: time::OffsetDateTime,
    actor: UserId,
    org: harbour_domain::OrgId,
    policy: &Policy,
) -> bool {
    let Ok(new) = decide(state, command, at, policy) else {
        return false;
    };
    for event in new {
        let rec = RecordedEvent {
            seq: state.seq + 1,
            at,
            actor,
            actor_org: org,
            event,
        };
        *state = apply(state.clone(), &rec);
        events.push(rec);
    }
    true
}

/// Fresh synthetic organisations and users (a kept database is measured again by new ones).
async fn bench_actors(
    h: &Harbour,
) -> Result<(harbour_service::synthetic::SyntheticActors, String), Failure> {
    let password = format!("bench-{}", &harbour_crypto::random_token()[..12]);
    let run = format!("bench-{}", &harbour_crypto::random_token()[..8]);
    let actors = harbour_service::synthetic::synthetic_actors(h, &run, &password).await?;
    Ok((actors, password))
}

/// How many cases the statistical projection holds.
async fn cases_held(store: &Arc<dyn Store>) -> Result<usize, Failure> {
    let rows = store
        .count_case_statistics(&StatisticsQuery {
            dims: vec![],
            from: None,
            to: None,
        })
        .await?;
    Ok(rows.iter().map(|r| r.count).sum::<u64>() as usize)
}

async fn fill(
    h: &Harbour,
    store: &Arc<dyn Store>,
    n: usize,
) -> Result<(f64, Actor, String), Failure> {
    let policy = h.policy().clone();
    let (actors, password) = bench_actors(h).await?;
    let end = time::OffsetDateTime::now_utc();
    let mut planner = Planner::new(11, 3, end, actors.responders.len(), &policy);
    let started = Instant::now();
    let mut err = std::io::stderr();
    let guardian = actors.guardian.user.id;
    let guardian_org = actors.guardian.org.id;
    let decider = &actors.decider;
    let mut batch: Vec<NewCase> = Vec::with_capacity(BATCH);
    for i in 0..n {
        let plan = planner.plan();
        let responder = &actors.responders[plan.responder];
        // Time-ordered ids: each case's rows append to the end of every case-keyed index
        // instead of landing on a random page of a file of gigabytes.
        let id = CaseId(uuid::Uuid::now_v7());
        let mut state = CaseState::empty(id);
        let mut events = Vec::new();
        let referred = fold(
            &mut state,
            &mut events,
            Command::Refer {
                referral: Box::new(plan.referral),
                referring_org: responder.org.id,
            },
            plan.at,
            responder.user.id,
            responder.org.id,
            &policy,
        );
        if !referred {
            continue;
        }
        for (t, step) in plan.steps {
            let reasons = "SYNTHETIC".to_string();
            let outcome = |p: bool| {
                if p {
                    DecisionOutcome::Positive
                } else {
                    DecisionOutcome::Negative
                }
            };
            let command = match step {
                Step::Guardian => Command::AppointGuardian {
                    guardian,
                    organisation: guardian_org,
                },
                Step::AgeAssessment { child } => Command::AssessAge {
                    result: if child {
                        AgeAssessmentResult::Child
                    } else {
                        AgeAssessmentResult::Adult
                    },
                    method: "SYNTHETIC documents".into(),
                    reasons,
                },
                Step::ReasonableGrounds { positive } => Command::DecideReasonableGrounds {
                    outcome: outcome(positive),
                    reasons,
                },
                Step::ConclusiveGrounds { positive } => Command::DecideConclusiveGrounds {
                    outcome: outcome(positive),
                    reasons,
                },
                Step::Close => Command::Close {
                    reason: ClosureReason::SupportCompleted,
                    notes: None,
                    open_referrals: None,
                },
            };
            fold(
                &mut state,
                &mut events,
                command,
                t,
                decider.user.id,
                decider.org.id,
                &policy,
            );
        }
        let row = CaseStatistics::from_journal(id, &events, responder.org.kind, &policy);
        let mut prev = GENESIS;
        let stored: Vec<StoredEvent> = events
            .iter()
            .map(|e| {
                let mut s = StoredEvent {
                    case_id: id,
                    seq: e.seq,
                    at: e.at,
                    actor: e.actor,
                    actor_org: e.actor_org,
                    kind: e.event.kind().into(),
                    payload: vec![0; 48],
                    prev_hash: prev,
                    hash: [0; 32],
                };
                s.hash = chain_hash(&prev, &s);
                prev = s.hash;
                s
            })
            .collect();
        let referred_at = plan.at;
        batch.push(NewCase {
            projection: CaseProjection {
                id,
                phase: state.phase,
                minority: state.minority(end.date()),
                referred_at,
                referring_org: responder.org.id,
                owner_org: responder.org.id,
                guardian: state.guardian,
                rg_due: None,
                awaiting_cg_from: state.awaiting_conclusive_from(),
                guardian_due: None,
                rights_due: vec![],
                updated_at: events.last().map_or(referred_at, |e| e.at),
                seq: state.seq,
            },
            person_keys: vec![],
            wrapped_key: vec![0; 16],
            parties: vec![
                CaseParty {
                    org_id: responder.org.id,
                    relation: PartyRelation::Referrer,
                },
                CaseParty {
                    org_id: responder.org.id,
                    relation: PartyRelation::Owner,
                },
            ],
            events: stored,
            access: AccessRecord {
                at: referred_at,
                user_id: responder.user.id,
                org_id: responder.org.id,
                case_id: Some(id),
                action: "refer".into(),
                purpose: None,
            },
            statistics: row,
        });
        if batch.len() == BATCH || i + 1 == n {
            store.create_cases(&batch).await?;
            batch.clear();
        }
        if (i + 1) % 5000 == 0 || i + 1 == n {
            let secs = started.elapsed().as_secs_f64();
            let _ = write!(
                err,
                "\rfilling: {}/{n} cases  {:.0} cases/s  {:.0}s ",
                i + 1,
                (i + 1) as f64 / secs,
                secs
            );
            let _ = err.flush();
        }
    }
    if !batch.is_empty() {
        store.create_cases(&batch).await?;
    }
    eprintln!();
    let rate = n as f64 / started.elapsed().as_secs_f64();
    Ok((rate, actors.coordinator, password))
}

async fn get_page(addr: std::net::SocketAddr, cookie: &str) -> Result<(u16, usize), Failure> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let req = format!(
        "GET /statistics HTTP/1.1\r\nHost: {addr}\r\nCookie: harbour_session={cookie}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, buf.len()))
}

pub async fn measure(store: Arc<dyn Store>, n: usize) -> Result<StatisticsTimings, Failure> {
    let h = Harbour::new(
        store.clone(),
        Arc::new(MasterKey::generate()),
        Policy::shipped_default(),
        Arc::new(SystemClock),
    )?;
    let held = cases_held(&store).await?;
    let (fill_per_s, coordinator, password, n) = if held >= n && n > 0 {
        eprintln!("measuring the {held} cases already held (no fill)");
        let (actors, password) = bench_actors(&h).await?;
        (f64::NAN, actors.coordinator, password, held)
    } else {
        let (rate, coordinator, password) = fill(&h, &store, n - held.min(n)).await?;
        (rate, coordinator, password, cases_held(&store).await?)
    };
    let runs = 5;
    // Baseline: one plain GROUP BY over the same projection.
    let q = StatisticsQuery {
        dims: vec![StatDim::Quarter],
        from: None,
        to: None,
    };
    let mut base = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let rows = store.count_case_statistics(&q).await?;
        base.push(t.elapsed().as_secs_f64() * 1000.0);
        if rows.iter().map(|r| r.count).sum::<u64>() != n as u64 {
            return Err(Failure("the projection does not hold every case".into()));
        }
    }
    let mut service = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        h.statistics_dashboard(&coordinator, &Default::default())
            .await?;
        service.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // The coordinator's role needs no second factor: the password opens a session.
    let token = match h
        .login(&coordinator.user.email, &password, "web", "127.0.0.1")
        .await?
    {
        harbour_service::auth::LoginOutcome::Session { token, .. } => token,
        harbour_service::auth::LoginOutcome::SecondFactor { .. } => {
            return Err("the coordinator was asked for a second factor".into())
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = harbour_web::router(h.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut page = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let (status, len) = get_page(addr, &token).await?;
        page.push(t.elapsed().as_secs_f64() * 1000.0);
        if status != 200 {
            server.abort();
            return Err(Failure(format!("the dashboard answered {status}")));
        }
        bytes = len;
    }
    server.abort();
    Ok(StatisticsTimings {
        backend: store.backend().into(),
        cases: n,
        fill_per_s,
        group_by_ms: median(base),
        service_ms: median(service),
        page_ms: median(page),
        page_bytes: bytes,
    })
}

pub fn report(t: &[StatisticsTimings], json: bool) -> Result<(), Failure> {
    if json {
        let v: Vec<_> = t
            .iter()
            .map(|m| {
                serde_json::json!({
                    "backend": m.backend, "cases": m.cases, "fill_cases_per_s": m.fill_per_s,
                    "plain_group_by_ms": m.group_by_ms, "dashboard_service_ms": m.service_ms,
                    "dashboard_page_ms": m.page_ms, "page_bytes": m.page_bytes,
                    "page_to_group_by_ratio": m.page_ms / m.group_by_ms,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!("backend   cases      fill/s  GROUP BY ms  dashboard (service) ms  dashboard page ms  ratio page/GROUP BY");
    for m in t {
        println!(
            "{:<8} {:>8} {:>10.0} {:>12.1} {:>22.1} {:>18.1} {:>20.2}",
            m.backend,
            m.cases,
            m.fill_per_s,
            m.group_by_ms,
            m.service_ms,
            m.page_ms,
            m.page_ms / m.group_by_ms
        );
    }
    Ok(())
}
