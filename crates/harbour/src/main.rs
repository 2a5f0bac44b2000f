//! The `harbour` command. Picks the storage backend from the database URL, loads (or creates)
//! the master key, and runs one of: serve, migrate, org, user, audit verify|anchor, bench, pdq, match.

mod bench;
mod bench_statistics;
mod ops;
mod stats_cli;

use clap::{Args, Parser, Subcommand};
use harbour_crypto::MasterKey;
use harbour_domain::{OrgId, OrgKind, Policy, Role};
use harbour_service::{Harbour, SystemClock};
use harbour_store::Store;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "harbour",
    version,
    about = "Harbour: a digital National Referral Mechanism"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Args, Clone)]
pub(crate) struct DbArgs {
    /// Database URL: sqlite://PATH (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(long, env = "HARBOUR_DB", default_value = "sqlite://harbour.db")]
    pub(crate) db: String,
}

#[derive(Args, Clone)]
pub(crate) struct KeyArgs {
    /// The master key file; created with mode 0600 at first start if missing.
    #[arg(
        long = "key-file",
        env = "HARBOUR_MASTER_KEY_FILE",
        default_value = "harbour.key"
    )]
    pub(crate) key_file: PathBuf,
    /// The master key, instead of --key-file: a key file path (which must exist), or a key held
    /// in a PKCS#11 token (HSM): `pkcs11:module=PATH;token=LABEL;key=LABEL;pin-file=PATH`
    /// (or `pin-env=VAR`; the PIN itself is never given on the command line).
    #[arg(long = "master-key", env = "HARBOUR_MASTER_KEY")]
    pub(crate) master_key: Option<String>,
    /// A retired master key (file path or `pkcs11:` setting) still accepted for reading while a
    /// rolling rotation runs; repeat for several. New data is always wrapped under the current key.
    #[arg(
        long = "retired-key",
        env = "HARBOUR_RETIRED_KEYS",
        value_delimiter = ','
    )]
    pub(crate) retired_keys: Vec<String>,
    /// National policy TOML (deadlines, recovery period...). Defaults to the shipped policy.
    #[arg(long, env = "HARBOUR_POLICY_FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// National rights TOML: rights added to the shipped tracker and deadlines changed
    /// (same format as data/rights/default.toml).
    #[arg(long, env = "HARBOUR_RIGHTS_FILE")]
    pub(crate) rights: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the web server.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
        /// Address to listen on.
        #[arg(long, env = "HARBOUR_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Seed clearly fake organisations, users and cases into an empty database and print the logins.
        #[arg(long)]
        demo: bool,
        /// Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For
        /// names the client for login throttling. Empty: the connection's peer is the client.
        #[arg(long, env = "HARBOUR_TRUSTED_PROXIES", default_value = "")]
        trusted_proxies: String,
        /// The origin users' browsers reach Harbour at (https://harbour.example), for security
        /// keys (WebAuthn checks it). Default when listening on loopback: http://localhost:PORT.
        /// Without one, security keys are unavailable and TOTP is the only second factor.
        #[arg(long, env = "HARBOUR_PUBLIC_ORIGIN")]
        public_origin: Option<String>,
    },
    /// Apply database migrations.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage organisations.
    Org {
        #[command(subcommand)]
        cmd: OrgCmd,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Audit tools.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Hash banks in Harbour's database (image takedown), matched by platforms over the API.
    Hashbank {
        #[command(subcommand)]
        cmd: HashbankCmd,
    },
    /// Platform keys for the hash-match API.
    Platform {
        #[command(subcommand)]
        cmd: PlatformCmd,
    },
    /// Copy the SQLite database online into a new file, verified (PostgreSQL: see README).
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to create (never overwritten).
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a SQLite backup made by `harbour backup`, after verifying every journal in it.
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Master key management.
    Keys {
        #[command(subcommand)]
        cmd: ops::KeysCmd,
    },
    /// Retention: erase closed cases whose retention period has run out.
    Retention {
        #[command(subcommand)]
        cmd: ops::RetentionCmd,
    },
    /// Measure referrals and audited case reads per second against a bare insert/select.
    Bench(bench::BenchArgs),
    /// Generate a synthetic population (`--cases N`) through the real service layer.
    Demo(stats_cli::DemoArgs),
    /// The statistical projection: rebuild it from the journals, or check it against them.
    Statistics {
        #[command(subcommand)]
        cmd: stats_cli::StatisticsCmd,
    },
    /// Exports: controlled statistics (csv, xlsx, json), case-level HTCDS records.
    Export {
        #[command(subcommand)]
        cmd: stats_cli::ExportCmd,
    },
    /// Perceptual hashing and hash banks (PDQ): `harbour pdq --help`.
    #[command(disable_help_flag = true)]
    Pdq {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Record linkage for family tracing and de-duplication: `harbour match --help`.
    #[command(name = "match", disable_help_flag = true)]
    Match {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
}

#[derive(Subcommand)]
enum OrgCmd {
    /// Add an organisation and print its id.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
        /// One of: police, border_guard, labour_inspectorate, ngo, shelter, child_protection,
        /// competent_authority, guardianship_authority, health, legal_aid, prosecutor,
        /// reception_centre, national_coordinator, other.
        #[arg(long)]
        kind: String,
    },
    /// List organisations.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; the password is read from standard input.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        /// The organisation's id (from `harbour org add` or `harbour org list`).
        #[arg(long)]
        org: String,
        /// One of: first_responder, decision_maker, case_worker, child_protection_officer,
        /// guardian, service_provider, law_enforcement, coordinator, auditor, admin.
        #[arg(long)]
        role: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum HashbankCmd {
    /// Create an empty bank.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
    },
    /// Add a PDQ hash (64 hex digits) or an image file's hash to a bank; prints the entry's id.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        bank: String,
        /// The hash, as `harbour pdq hash` prints it.
        #[arg(long, conflicts_with = "image", required_unless_present = "image")]
        hash: Option<String>,
        /// An image to hash here instead.
        #[arg(long)]
        image: Option<PathBuf>,
        /// Internal label (never shown to platforms).
        #[arg(long, default_value = "")]
        label: String,
        /// PDQ quality of a given hash (an image's is computed).
        #[arg(long, default_value_t = 100)]
        quality: u8,
    },
    /// Tombstone an entry: kept for the record, never matched again.
    Remove {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        bank: String,
        #[arg(long)]
        id: i64,
    },
    /// List the banks.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum PlatformCmd {
    /// Create a key scoped to banks and print it (once: only its hash is stored).
    AddKey {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
        /// A bank the key may search; repeat for several.
        #[arg(long = "bank", required = true)]
        banks: Vec<String>,
        /// Requests allowed per minute.
        #[arg(long, default_value_t = 600)]
        per_minute: u32,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Check every case journal's hash chain; exit 1 naming the first broken case and event.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// A line printed earlier by `audit anchor` and kept outside the database; the access
        /// log's record must still have that hash. Repeat for several.
        #[arg(long = "anchor", value_name = "LINE")]
        anchors: Vec<harbour_service::audit::Anchor>,
        /// The heads file written with an anchor (`audit anchor --journal-heads`): if the
        /// journals do not match that anchor, it names the case whose journal changed.
        #[arg(long, value_name = "FILE")]
        journal_heads: Option<PathBuf>,
    },
    /// Verify the access log and the case journals and print one line to keep outside the
    /// database, e.g. from cron (`anchor-v2 access-log SEQ HASH journals UNTIL CASES DIGEST`:
    /// the access log's head and a digest over every case journal's head as of UNTIL);
    /// `audit verify --anchor LINE` checks it later.
    Anchor {
        #[command(flatten)]
        db: DbArgs,
        /// Anchor the journals as they stood this many seconds ago, so that an event stamped
        /// just before anchoring but committed just after (or on a server whose clock is a
        /// little behind) is not half in the anchor.
        #[arg(long, default_value_t = 60)]
        settle_seconds: u32,
        /// Also write each anchored journal's head (`CASE SEQ HASH`, no content) to FILE, to
        /// keep with the line: `audit verify --journal-heads FILE` then names a changed case.
        #[arg(long, value_name = "FILE")]
        journal_heads: Option<PathBuf>,
    },
}

/// A failure the command reports in one line and exits non-zero for.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

pub(crate) async fn open_store(url: &str) -> Result<Arc<dyn Store>, Failure> {
    let store: Arc<dyn Store> =
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Arc::new(harbour_store_postgres::PostgresStore::connect(url).await?)
        } else if url.starts_with("sqlite:") {
            Arc::new(harbour_store_sqlite::SqliteStore::connect(url).await?)
        } else {
            return Err(Failure(format!(
                "unsupported database URL `{url}`: use sqlite://PATH or postgres://..."
            )));
        };
    store.migrate().await?;
    Ok(store)
}

pub(crate) fn load_policy(path: Option<&Path>) -> Result<Policy, Failure> {
    match path {
        None => Ok(Policy::shipped_default()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Failure(format!("cannot read policy {}: {e}", p.display())))?;
            Policy::from_toml(&text).map_err(|e| Failure(format!("{}: {e}", p.display())))
        }
    }
}

pub(crate) async fn harbour(db: &DbArgs, keys: &KeyArgs) -> Result<Harbour, Failure> {
    harbour_with_clock(db, keys, Arc::new(SystemClock)).await
}

/// As [`harbour`], on a given clock (the synthetic population moves its own).
pub(crate) async fn harbour_with_clock(
    db: &DbArgs,
    keys: &KeyArgs,
    clock: Arc<dyn harbour_service::Clock>,
) -> Result<Harbour, Failure> {
    let store = open_store(&db.db).await?;
    let master = master_key(keys)?;
    let policy = load_policy(keys.policy.as_deref())?;
    // The blind-index key lives wrapped in the database so that key rotation keeps it.
    let h = Harbour::new(store, Arc::new(master), policy, clock)?
        .with_stored_index_key()
        .await?;
    match &keys.rights {
        None => Ok(h),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Failure(format!("cannot read rights {}: {e}", p.display())))?;
            h.with_national_rights(&text)
                .map_err(|e| Failure(format!("{}: {e}", p.display())))
        }
    }
}

/// The master key the options name: `--master-key` (a key file or a PKCS#11 token) if given,
/// else `--key-file` (created at first start), plus every `--retired-key` for reading.
pub(crate) fn master_key(keys: &KeyArgs) -> Result<MasterKey, Failure> {
    let master = match &keys.master_key {
        Some(spec) => MasterKey::open(spec).map_err(|e| Failure(format!("--master-key: {e}")))?,
        None => {
            let (master, created) = MasterKey::load_or_create(&keys.key_file)?;
            if created {
                eprintln!("Created a new master key in {} (mode 0600). Back it up: without it no case can be read.", keys.key_file.display());
            }
            master
        }
    };
    let mut retired = Vec::with_capacity(keys.retired_keys.len());
    for (n, spec) in keys.retired_keys.iter().enumerate() {
        // The setting is not echoed: it names files and labels only, but stays out of logs.
        retired.push(
            MasterKey::open(spec)
                .map_err(|e| Failure(format!("--retired-key (number {}): {e}", n + 1)))?,
        );
    }
    let master = master.with_retired(retired);
    if master.is_token() || !master.retired_ids().is_empty() {
        eprintln!(
            "Master key {} ({}){}.",
            master.id(),
            if master.is_token() {
                "in a PKCS#11 token"
            } else {
                "from a key file"
            },
            if master.retired_ids().is_empty() {
                String::new()
            } else {
                format!(
                    "; also reading keys wrapped under retired key(s) {}",
                    master.retired_ids().join(", ")
                )
            }
        );
    }
    Ok(master)
}

fn default_keys() -> KeyArgs {
    KeyArgs {
        master_key: std::env::var("HARBOUR_MASTER_KEY")
            .ok()
            .filter(|s| !s.is_empty()),
        retired_keys: std::env::var("HARBOUR_RETIRED_KEYS")
            .map(|v| {
                v.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        key_file: std::env::var_os("HARBOUR_MASTER_KEY_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("harbour.key")),
        policy: std::env::var_os("HARBOUR_POLICY_FILE").map(PathBuf::from),
        rights: std::env::var_os("HARBOUR_RIGHTS_FILE").map(PathBuf::from),
    }
}

/// Where the demo logins are kept so a restart can print them again (next to the key file).
fn demo_logins_file(keys: &KeyArgs) -> PathBuf {
    keys.key_file.with_file_name("harbour-demo-logins.json")
}

async fn serve(
    db: DbArgs,
    keys: KeyArgs,
    bind: String,
    demo: bool,
    trusted_proxies: String,
    public_origin: Option<String>,
) -> Result<(), Failure> {
    let trusted = harbour_web::proxy::TrustedProxies::parse(&trusted_proxies)
        .map_err(|e| Failure(format!("--trusted-proxies: {e}")))?;
    let h = harbour(&db, &keys).await?;
    let mut logins: Option<serde_json::Value> = None;
    if demo {
        if h.store().list_orgs().await?.is_empty() {
            let password = format!("demo-{}", &harbour_crypto::random_token()[..12]);
            let seeded = harbour_service::demo::seed(&h, &password).await?;
            let value = serde_json::to_value(&seeded)?;
            write_private(
                &demo_logins_file(&keys),
                &serde_json::to_vec_pretty(&value)?,
            )?;
            logins = Some(value);
        } else if let Ok(text) = std::fs::read(demo_logins_file(&keys)) {
            logins = serde_json::from_slice(&text).ok();
        } else {
            eprintln!("The database is not empty, so no demo data was added.");
        }
    }
    // The family-tracing index lives in memory only: build it from the store before serving.
    let (cases, requests) = h.rebuild_tracing_index().await?;
    eprintln!("Family tracing: {cases} cases and {requests} requests searchable.");
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .map_err(|e| Failure(format!("cannot listen on {bind}: {e}")))?;
    let addr = listener.local_addr()?;
    let origin = match public_origin {
        Some(o) => Some(o),
        None if addr.ip().is_loopback() => Some(format!("http://localhost:{}", addr.port())),
        None => None,
    };
    let browser_origin = origin.clone();
    let h = match origin {
        Some(o) => {
            let rp = harbour_service::webauthn::RelyingParty::from_origin(&o)
                .map_err(|e| Failure(format!("--public-origin: {e}")))?;
            eprintln!(
                "Security keys: for {} (relying party {}).",
                rp.origin, rp.id
            );
            h.with_relying_party(rp)
        }
        None => {
            eprintln!("Security keys: unavailable (no --public-origin); TOTP only.");
            h
        }
    };
    println!(
        "Harbour is running at http://{addr}/  (database: {}, backend: {})",
        redact_url(&db.db),
        h.store().backend()
    );
    // A browser at the bare address could not use security keys: they are bound to a host name.
    if let Some(o) = browser_origin.filter(|o| *o != format!("http://{addr}")) {
        println!("Open {o}/ in a browser (security keys work only at that address).");
    }
    if let Some(serde_json::Value::Array(list)) = &logins {
        println!("Demo logins (fictional data only):");
        for l in list {
            let totp = l["totp_secret"]
                .as_str()
                .map(|s| format!("  totp {s}"))
                .unwrap_or_default();
            println!(
                "  {:<32} password {}  role {}{totp}",
                l["email"].as_str().unwrap_or(""),
                l["password"].as_str().unwrap_or(""),
                l["role"].as_str().unwrap_or("")
            );
        }
        println!("DEMO ONLY: `totp` is the second-factor secret of that demo user; add it to an authenticator app (or run `oathtool --totp -b SECRET`) and enter the 6-digit code after the password. Real users set up their own authenticator at first login.");
        println!("Try: curl -s -X POST http://{addr}/api/v1/auth/login -H 'content-type: application/json' -d '{{\"email\":\"decider@demo.invalid\",\"password\":\"...\"}}'");
    }
    axum::serve(
        listener,
        harbour_web::router_with(h, trusted)
            .into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
    f.write_all(bytes)?;
    Ok(())
}

/// A database URL without its password, for printing.
pub(crate) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Cmd::Serve {
            db,
            keys,
            bind,
            demo,
            trusted_proxies,
            public_origin,
        } => serve(db, keys, bind, demo, trusted_proxies, public_origin).await,
        Cmd::Migrate { db } => {
            open_store(&db.db).await?;
            println!("migrations applied to {}", redact_url(&db.db));
            Ok(())
        }
        Cmd::Org {
            cmd: OrgCmd::Add { db, name, kind },
        } => {
            let kind: OrgKind = kind.parse().map_err(Failure)?;
            let h = harbour(&db, &default_keys()).await?;
            let org = h.create_org(&name, kind).await?;
            println!("{}", org.id);
            Ok(())
        }
        Cmd::Org {
            cmd: OrgCmd::List { db },
        } => {
            let store = open_store(&db.db).await?;
            for o in store.list_orgs().await? {
                println!("{}\t{}\t{}", o.id, o.kind, o.name);
            }
            Ok(())
        }
        Cmd::User {
            cmd:
                UserCmd::Add {
                    db,
                    email,
                    org,
                    role,
                    password_stdin: _,
                },
        } => {
            let role: Role = role.parse().map_err(Failure)?;
            let org: OrgId = org
                .parse()
                .map_err(|_| Failure(format!("`{org}` is not an organisation id")))?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            let h = harbour(&db, &default_keys()).await?;
            let user = h
                .create_user(&email, org, role, password)
                .await
                .map_err(|e| match e {
                    harbour_service::ServiceError::Domain(d) => Failure(d.to_string()),
                    other => Failure(other.to_string()),
                })?;
            println!("{}", user.id);
            Ok(())
        }
        Cmd::Audit {
            cmd:
                AuditCmd::Verify {
                    db,
                    anchors,
                    journal_heads,
                },
        } => {
            let store = open_store(&db.db).await?;
            let report = harbour_service::audit::verify_journals(store.as_ref()).await?;
            let access =
                harbour_service::audit::verify_access_log_anchored(store.as_ref(), &anchors)
                    .await?;
            for journals in anchors.iter().filter_map(|a| a.journals.as_ref()) {
                // Opened afresh for each anchor: it is read from the start, and only on a mismatch.
                let mut heads = match &journal_heads {
                    Some(path) => Some(std::io::BufReader::new(
                        std::fs::File::open(path)
                            .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))?,
                    )),
                    None => None,
                };
                harbour_service::audit::verify_journals_anchored(
                    store.as_ref(),
                    journals,
                    heads
                        .as_mut()
                        .map(|h| h as &mut (dyn std::io::BufRead + Send)),
                )
                .await?;
            }
            println!(
                "ok: {} case journals, {} events, {} access records verified, {} anchors matched",
                report.cases,
                report.events,
                access.records,
                anchors.len()
            );
            Ok(())
        }
        Cmd::Audit {
            cmd:
                AuditCmd::Anchor {
                    db,
                    settle_seconds,
                    journal_heads,
                },
        } => {
            let store = open_store(&db.db).await?;
            // Anchor only logs that verify: a head taken after tampering would vouch for it.
            harbour_service::audit::verify_journals(store.as_ref()).await?;
            let access = harbour_service::audit::verify_access_log(store.as_ref()).await?;
            let until = time::OffsetDateTime::now_utc()
                - time::Duration::seconds(i64::from(settle_seconds));
            let mut heads = match &journal_heads {
                Some(path) => Some(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?,
                )),
                None => None,
            };
            let journals = harbour_service::audit::journals_anchor(
                store.as_ref(),
                until,
                heads
                    .as_mut()
                    .map(|h| h as &mut (dyn std::io::Write + Send)),
            )
            .await?;
            let anchor = harbour_service::audit::Anchor {
                seq: access.records,
                hash: access.head,
                journals: Some(journals),
            };
            println!("{anchor}");
            Ok(())
        }
        Cmd::Hashbank { cmd } => hashbank(cmd).await,
        Cmd::Platform {
            cmd:
                PlatformCmd::AddKey {
                    db,
                    name,
                    banks,
                    per_minute,
                },
        } => {
            let h = harbour(&db, &default_keys()).await?;
            let key = h
                .create_platform_key(&name, &banks, per_minute)
                .await
                .map_err(service_failure)?;
            println!("{key}");
            eprintln!("Give this key to {name} over a secure channel; it is not shown again.");
            Ok(())
        }
        Cmd::Backup { db, to } => ops::backup(db, to).await,
        Cmd::Restore { db, from, force } => ops::restore(db, from, force).await,
        Cmd::Keys { cmd } => ops::keys(cmd).await,
        Cmd::Retention { cmd } => ops::retention(cmd).await,
        Cmd::Bench(args) => bench::run(args).await,
        Cmd::Demo(args) => stats_cli::demo(args).await,
        Cmd::Statistics { cmd } => stats_cli::statistics(cmd).await,
        Cmd::Export { cmd } => stats_cli::export(cmd).await,
        Cmd::Pdq { .. } | Cmd::Match { .. } => unreachable_subtool(),
    }
}

fn service_failure(e: harbour_service::ServiceError) -> Failure {
    match e {
        harbour_service::ServiceError::Domain(d) => Failure(d.to_string()),
        other => Failure(other.to_string()),
    }
}

async fn hashbank(cmd: HashbankCmd) -> Result<(), Failure> {
    match cmd {
        HashbankCmd::Create { db, name } => {
            harbour(&db, &default_keys())
                .await?
                .create_bank(&name)
                .await
                .map_err(service_failure)?;
            println!("created bank {name}");
        }
        HashbankCmd::Add {
            db,
            bank,
            hash,
            image,
            label,
            quality,
        } => {
            let (hex, quality) = match (hash, image) {
                (Some(h), _) => (h, quality),
                (None, Some(path)) => {
                    let pdq = harbour_pdq::hash_file(&path, Default::default())
                        .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
                    (pdq.hash.to_hex(), pdq.quality)
                }
                (None, None) => return Err(Failure("give --hash or --image".into())),
            };
            let h = harbour(&db, &default_keys()).await?;
            let id = h
                .add_to_bank(&bank, &hex, &label, quality)
                .await
                .map_err(service_failure)?;
            println!("{id}");
        }
        HashbankCmd::Remove { db, bank, id } => {
            harbour(&db, &default_keys())
                .await?
                .remove_from_bank(&bank, id)
                .await
                .map_err(service_failure)?;
            println!("removed {id} from {bank}");
        }
        HashbankCmd::List { db } => {
            for b in open_store(&db.db).await?.list_banks().await? {
                println!("{b}");
            }
        }
    }
    Ok(())
}

fn unreachable_subtool() -> Result<(), Failure> {
    Err(Failure("internal: sub-tool dispatched late".into()))
}

fn main() -> ExitCode {
    // pdq and match have their own argument parsers; hand them the rest of the line untouched.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let sub = args.get(1).and_then(|a| a.to_str()).map(str::to_owned);
    if let Some(sub) = sub {
        if sub == "pdq" || sub == "match" {
            let prog = std::ffi::OsString::from(format!("harbour {sub}"));
            let rest = std::iter::once(prog).chain(args.into_iter().skip(2));
            return if sub == "pdq" {
                harbour_pdq::cli::run_cli(rest)
            } else {
                harbour_match::cli::run_cli(rest)
            };
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HARBOUR_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}
