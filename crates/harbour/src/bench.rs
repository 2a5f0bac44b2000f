//! `harbour bench`: referrals per second and audited case reads per second, each against the
//! cheapest insert/select on the same database in the same run, on every backend given.

use crate::{Failure, MasterKey};
use harbour_domain::person::{Birth, PersonName};
use harbour_domain::{
    CaseId, Consent, ExploitationForm, OrgKind, Person, Policy, Referral, Role, Sex,
};
use harbour_service::{Actor, Harbour, ManualClock, SystemClock};
use harbour_store::Store;
use std::sync::Arc;
use std::time::Instant;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Database to measure; repeat for several. `sqlite` means a fresh temporary file;
    /// a postgres:// URL is used as admin URL to create (and drop) a fresh database.
    #[arg(long = "db", default_values_t = vec!["sqlite".to_string()])]
    dbs: Vec<String>,
    /// Operations per measurement.
    #[arg(long, default_value_t = 2000)]
    n: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also seed this many cases (referred over two years, 1% by a small organisation, 40%
    /// children) and time case-list pages against a bare select.
    #[arg(long, default_value_t = 0)]
    list_cases: usize,
    /// Instead: fill this many cases' statistical projection and time the coordinator's
    /// dashboard against a plain SQL GROUP BY over the same projection.
    #[arg(long, default_value_t = 0)]
    statistics: usize,
    /// With --statistics: fill this SQLite file and keep it; if it already holds cases, measure
    /// them instead of filling (a 1,000,000-case fill takes an hour; measure it again later).
    #[arg(long, value_name = "FILE")]
    keep: Option<std::path::PathBuf>,
}

fn referral(i: usize) -> Referral {
    let person = Person {
        names: vec![PersonName {
            given: Some(format!("Benchname{i}")),
            family: Some("Fakeperson".into()),
            patronymic: None,
            script: Some("Latn".into()),
            transliterations: vec![],
        }],
        sex: Sex::Female,
        birth: Birth::Year(1990 + (i % 20) as i32),
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
        summary: Some("synthetic benchmark referral".into()),
        ..Referral::new(person)
    }
}

struct Measured {
    backend: String,
    insert_per_s: f64,
    referral_per_s: f64,
    select_per_s: f64,
    read_per_s: f64,
}

fn rate(n: usize, started: Instant) -> f64 {
    n as f64 / started.elapsed().as_secs_f64()
}

async fn measure(store: Arc<dyn Store>, n: usize) -> Result<Measured, Failure> {
    let h = Harbour::new(
        store.clone(),
        Arc::new(MasterKey::generate()),
        Policy::shipped_default(),
        Arc::new(SystemClock),
    )?;
    let org = h
        .create_org("Bench Police (fictional)", OrgKind::Police)
        .await?;
    let user = h
        .create_user(
            "bench@bench.invalid",
            org.id,
            Role::FirstResponder,
            "bench-password-123",
        )
        .await?;
    let actor = Actor { user, org };
    let body = vec![0u8; 600]; // about the size of a sealed referral event

    // Warm-up, so neither side pays for first connections.
    for i in 0..20 {
        store.probe_insert(&body).await?;
        // Generated names are alike enough for the duplicate check: confirm each as new.
        h.refer(
            &actor,
            referral(n + i),
            harbour_service::cases::ReferralOptions {
                confirm_new_person: true,
                ..Default::default()
            },
        )
        .await?;
    }

    let t = Instant::now();
    let mut probe_ids = Vec::with_capacity(n);
    for _ in 0..n {
        probe_ids.push(store.probe_insert(&body).await?);
    }
    let insert_per_s = rate(n, t);

    let t = Instant::now();
    let mut cases: Vec<CaseId> = Vec::with_capacity(n);
    for i in 0..n {
        let confirm = harbour_service::cases::ReferralOptions {
            confirm_new_person: true,
            ..Default::default()
        };
        cases.push(h.refer(&actor, referral(i), confirm).await?.id);
    }
    let referral_per_s = rate(n, t);

    // Same pseudo-random order for both reads.
    let order: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
    let t = Instant::now();
    for &i in &order {
        store.probe_select(probe_ids[i]).await?;
    }
    let select_per_s = rate(n, t);

    let t = Instant::now();
    for &i in &order {
        h.get_case(&actor, cases[i], Some("benchmark")).await?;
    }
    let read_per_s = rate(n, t);
    Ok(Measured {
        backend: store.backend().into(),
        insert_per_s,
        referral_per_s,
        select_per_s,
        read_per_s,
    })
}

/// Timings of list pages (median of 21 runs each, milliseconds) with the bare select's.
struct ListTimings {
    backend: String,
    cases: usize,
    bare_select_ms: f64,
    pages: Vec<(&'static str, f64, usize)>,
}

fn median_ms(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn measure_list(store: Arc<dyn Store>, n: usize) -> Result<ListTimings, Failure> {
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let now = clock.now_value();
    let h = Harbour::new(
        store.clone(),
        Arc::new(MasterKey::generate()),
        Policy::shipped_default(),
        clock.clone(),
    )?;
    let big = h
        .create_org("Bench Border Guard (fictional)", OrgKind::BorderGuard)
        .await?;
    let small = h
        .create_org("Bench Small NGO (fictional)", OrgKind::Ngo)
        .await?;
    let ca = h
        .create_org(
            "Bench Competent Authority (fictional)",
            OrgKind::CompetentAuthority,
        )
        .await?;
    let pw = "bench-password-123";
    let big_actor = Actor {
        user: h
            .create_user("big@bench.invalid", big.id, Role::FirstResponder, pw)
            .await?,
        org: big,
    };
    let small_actor = Actor {
        user: h
            .create_user("small@bench.invalid", small.id, Role::CaseWorker, pw)
            .await?,
        org: small,
    };
    let ca_actor = Actor {
        user: h
            .create_user("ca@bench.invalid", ca.id, Role::DecisionMaker, pw)
            .await?,
        org: ca,
    };
    let seeded = std::time::Instant::now();
    for i in 0..n {
        // Spread referrals over two years so deadlines, overdue and paging have real shapes.
        let minutes = ((n - i) as i64 * 2 * 365 * 24 * 60) / n as i64;
        clock.set(now - time::Duration::minutes(minutes));
        let actor = if i % 100 == 0 {
            &small_actor
        } else {
            &big_actor
        };
        let mut r = referral(10_000_000 + i);
        if i % 5 < 2 {
            r.person.birth = Birth::Estimated {
                min: 14,
                max: 17,
                on: None,
            };
        }
        h.refer(
            actor,
            r,
            harbour_service::cases::ReferralOptions {
                confirm_new_person: true,
                ..Default::default()
            },
        )
        .await?;
        if n >= 10_000 && i % (n / 10) == 0 && i > 0 {
            eprintln!(
                "  seeded {i} cases ({:.0}/s)",
                i as f64 / seeded.elapsed().as_secs_f64()
            );
        }
    }
    clock.set(now);
    let probe = store.probe_insert(b"probe").await?;
    let mut bare = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        store.probe_select(probe).await?;
        bare.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    use harbour_service::cases::ListQuery;
    let deep_cursor = {
        // A cursor 100 pages (5,000 cases) deep, found by paging.
        let mut q = ListQuery {
            limit: Some(50),
            ..Default::default()
        };
        for _ in 0..100 {
            match h.list_cases(&ca_actor, &q).await?.next {
                Some(c) => q.after = Some(c),
                None => break,
            }
        }
        q.after
    };
    let cases: Vec<(&'static str, &Actor, ListQuery)> = vec![
        (
            "authority: newest page",
            &ca_actor,
            ListQuery {
                limit: Some(50),
                ..Default::default()
            },
        ),
        (
            "authority: page 100 (keyset)",
            &ca_actor,
            ListQuery {
                limit: Some(50),
                after: deep_cursor,
                ..Default::default()
            },
        ),
        (
            "authority: decision queue, oldest first",
            &ca_actor,
            ListQuery {
                limit: Some(50),
                status: Some(harbour_domain::Status::AwaitingReasonableGrounds),
                oldest_first: true,
                ..Default::default()
            },
        ),
        (
            "authority: overdue",
            &ca_actor,
            ListQuery {
                limit: Some(50),
                overdue: true,
                ..Default::default()
            },
        ),
        (
            "authority: rights overdue",
            &ca_actor,
            ListQuery {
                limit: Some(50),
                rights_overdue: true,
                ..Default::default()
            },
        ),
        (
            "authority: presumed children",
            &ca_actor,
            ListQuery {
                limit: Some(50),
                minority: Some(harbour_domain::Minority::PresumedChild),
                ..Default::default()
            },
        ),
        (
            "referrer with 99% of cases: newest page",
            &big_actor,
            ListQuery {
                limit: Some(50),
                ..Default::default()
            },
        ),
        (
            "referrer with 1% of cases: newest page",
            &small_actor,
            ListQuery {
                limit: Some(50),
                ..Default::default()
            },
        ),
    ];
    let mut pages = Vec::new();
    for (name, actor, q) in cases {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..21 {
            let t = Instant::now();
            rows = h.list_cases(actor, &q).await?.cases.len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        pages.push((name, median_ms(times), rows));
    }
    Ok(ListTimings {
        backend: store.backend().into(),
        cases: n,
        bare_select_ms: median_ms(bare),
        pages,
    })
}

pub async fn run(args: BenchArgs) -> Result<(), Failure> {
    if args.statistics > 0 {
        return statistics(&args).await;
    }
    let mut results = Vec::new();
    let mut lists: Vec<ListTimings> = Vec::new();
    for db in &args.dbs {
        if db == "sqlite" || db.starts_with("sqlite:") {
            let dir = std::env::temp_dir().join(format!("harbour-bench-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir)?;
            let url = format!("sqlite://{}", dir.join("bench.db").display());
            let store = crate::open_store(&url).await?;
            let m = measure(store.clone(), args.n).await;
            let l = if args.list_cases > 0 {
                Some(measure_list(store, args.list_cases).await)
            } else {
                None
            };
            let _ = std::fs::remove_dir_all(&dir);
            results.push(m?);
            if let Some(l) = l {
                lists.push(l?);
            }
        } else if db.starts_with("postgres") {
            let name = format!("harbour_bench_{}", uuid::Uuid::new_v4().simple());
            harbour_store_postgres::create_database(db, &name).await?;
            let url = harbour_store_postgres::database_url(db, &name)?;
            let (m, l) = match crate::open_store(&url).await {
                Ok(store) => {
                    let m = measure(store.clone(), args.n).await;
                    let l = if args.list_cases > 0 {
                        Some(measure_list(store, args.list_cases).await)
                    } else {
                        None
                    };
                    (m, l)
                }
                Err(e) => (Err(e), None),
            };
            harbour_store_postgres::drop_database(db, &name).await?;
            results.push(m?);
            if let Some(l) = l {
                lists.push(l?);
            }
        } else {
            return Err(Failure(format!("unsupported --db `{db}`")));
        }
    }
    if args.json {
        let v: Vec<_> = results
            .iter()
            .map(|m| {
                serde_json::json!({
                    "backend": m.backend, "n": args.n,
                    "bare_insert_per_s": m.insert_per_s, "referrals_per_s": m.referral_per_s,
                    "referral_ratio": m.referral_per_s / m.insert_per_s,
                    "bare_select_per_s": m.select_per_s, "audited_reads_per_s": m.read_per_s,
                    "read_ratio": m.read_per_s / m.select_per_s,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "n = {} operations each, one client, same database and run per row",
            args.n
        );
        println!(
            "{:<9} {:>14} {:>14} {:>7}   {:>14} {:>16} {:>7}",
            "backend",
            "bare insert/s",
            "referrals/s",
            "ratio",
            "bare select/s",
            "audited reads/s",
            "ratio"
        );
        for m in &results {
            println!(
                "{:<9} {:>14.0} {:>14.0} {:>7.3}   {:>14.0} {:>16.0} {:>7.3}",
                m.backend,
                m.insert_per_s,
                m.referral_per_s,
                m.referral_per_s / m.insert_per_s,
                m.select_per_s,
                m.read_per_s,
                m.read_per_s / m.select_per_s
            );
        }
    }
    for l in &lists {
        println!();
        println!(
            "{}: case-list pages of 50 with {} cases (median of 21; bare select {:.3} ms)",
            l.backend, l.cases, l.bare_select_ms
        );
        for (name, ms, rows) in &l.pages {
            println!(
                "  {:<45} {:>8.2} ms  {:>6.0}x bare select  ({} rows)",
                name,
                ms,
                ms / l.bare_select_ms,
                rows
            );
        }
    }
    Ok(())
}

/// Page cache of a kept statistics file's connections while filling: 2 GiB.
const BULK_CACHE_KIB: u32 = 2 * 1024 * 1024;

async fn statistics(args: &BenchArgs) -> Result<(), Failure> {
    let mut out = Vec::new();
    if let Some(file) = &args.keep {
        let url = format!("sqlite://{}", file.display());
        // A kept file grows to gigabytes: a large page cache keeps the fill's index pages in
        // memory (the server's own connections keep 32 MiB).
        let sqlite =
            harbour_store_sqlite::SqliteStore::connect_with_cache(&url, BULK_CACHE_KIB).await?;
        sqlite.migrate().await?;
        let store: Arc<dyn Store> = Arc::new(sqlite);
        out.push(crate::bench_statistics::measure(store, args.statistics).await?);
        return crate::bench_statistics::report(&out, args.json);
    }
    for db in &args.dbs {
        if db == "sqlite" || db.starts_with("sqlite:") {
            let dir = std::env::temp_dir().join(format!("harbour-bench-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir)?;
            let url = format!("sqlite://{}", dir.join("bench.db").display());
            let store = crate::open_store(&url).await?;
            let m = crate::bench_statistics::measure(store, args.statistics).await;
            let _ = std::fs::remove_dir_all(&dir);
            out.push(m?);
        } else if db.starts_with("postgres") {
            let name = format!("harbour_bench_{}", uuid::Uuid::new_v4().simple());
            harbour_store_postgres::create_database(db, &name).await?;
            let url = harbour_store_postgres::database_url(db, &name)?;
            let m = match crate::open_store(&url).await {
                Ok(store) => crate::bench_statistics::measure(store, args.statistics).await,
                Err(e) => Err(e),
            };
            harbour_store_postgres::drop_database(db, &name).await?;
            out.push(m?);
        } else {
            return Err(Failure(format!("unsupported --db `{db}`")));
        }
    }
    crate::bench_statistics::report(&out, args.json)
}
