//! `harbour bench`: referrals per second and audited case reads per second, each against the
//! cheapest insert/select on the same database in the same run, on every backend given.

use crate::{Failure, MasterKey};
use harbour_domain::person::{Birth, PersonName};
use harbour_domain::{
    CaseId, Consent, ExploitationForm, OrgKind, Person, Policy, Referral, Role, Sex,
};
use harbour_service::{Actor, Harbour, SystemClock};
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
        h.refer(&actor, referral(n + i), Default::default()).await?;
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
        cases.push(h.refer(&actor, referral(i), Default::default()).await?.id);
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

pub async fn run(args: BenchArgs) -> Result<(), Failure> {
    let mut results = Vec::new();
    for db in &args.dbs {
        if db == "sqlite" || db.starts_with("sqlite:") {
            let dir = std::env::temp_dir().join(format!("harbour-bench-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir)?;
            let url = format!("sqlite://{}", dir.join("bench.db").display());
            let store = crate::open_store(&url).await?;
            let m = measure(store, args.n).await;
            let _ = std::fs::remove_dir_all(&dir);
            results.push(m?);
        } else if db.starts_with("postgres") {
            let name = format!("harbour_bench_{}", uuid::Uuid::new_v4().simple());
            harbour_store_postgres::create_database(db, &name).await?;
            let url = harbour_store_postgres::database_url(db, &name)?;
            let m = match crate::open_store(&url).await {
                Ok(store) => measure(store, args.n).await,
                Err(e) => Err(e),
            };
            harbour_store_postgres::drop_database(db, &name).await?;
            results.push(m?);
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
    Ok(())
}
