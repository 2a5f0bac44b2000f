//! Operations on a deployment's data (issue 6): backup, restore, master key rotation and the
//! retention run. Each prints what it did in a line or two and fails with one clear message.

use crate::{harbour, master_key, open_store, redact_url, DbArgs, Failure, KeyArgs};
use clap::Subcommand;
use harbour_crypto::MasterKey;
use harbour_store_sqlite::SqliteStore;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum KeysCmd {
    /// Rewrap every case key and the blind-index key under a new master key (in batches, each a
    /// transaction; run again to resume after an interruption).
    ///
    /// Without --to: make a new key file beside --key-file, rewrap, then retire the old file
    /// (stop the servers first: they hold the old key). With --to: rewrap from the current key
    /// (and any --retired-key) to the key --to names, changing no file, while servers keep
    /// serving with --master-key set to the new key and --retired-key to the old one.
    Rotate {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
        /// Case keys rewrapped per transaction.
        #[arg(long, default_value_t = 500)]
        batch: u32,
        /// The new master key: a key file (created if missing) or a `pkcs11:` setting (a key
        /// made with `harbour keys init-hsm`).
        #[arg(long)]
        to: Option<String>,
    },
    /// Write a new master key file (mode 0600; never overwrites), e.g. the next key of a rolling
    /// rotation, so servers can be restarted with it before `keys rotate --to` runs.
    NewFile {
        /// Where to write it; must not exist.
        path: PathBuf,
    },
    /// Generate a master key inside a PKCS#11 token (HSM): an AES-256 key for wrapping and an
    /// HMAC key for derivations, both sensitive and non-extractable. Refuses if the key label is
    /// already in use.
    InitHsm {
        /// Where: `pkcs11:module=PATH;token=LABEL;key=LABEL;pin-file=PATH` (or `pin-env=VAR`).
        #[arg(long = "master-key", env = "HARBOUR_MASTER_KEY")]
        master_key: String,
    },
}

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// Erase closed cases whose retention period (national policy) has run out, by destroying
    /// their keys. The journals stay and still verify; statistics still count the cases.
    Run {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
        /// Only list what would be erased.
        #[arg(long)]
        dry_run: bool,
        /// With --dry-run: list what will have to be erased by this day (YYYY-MM-DD).
        #[arg(long, requires = "dry_run")]
        as_of: Option<String>,
    },
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

const PG_PROCEDURE: &str = "for PostgreSQL use its own tools, as README.md (Operations: backup and restore) describes: `pg_dump --format=custom --file harbour.dump URL` to back up, `pg_restore --clean --if-exists --no-owner --dbname URL harbour.dump` to restore, then `harbour audit verify`";

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn make_private(path: &Path) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Failure(format!("cannot restrict {}: {e}", path.display())))?;
    }
    Ok(())
}

/// Open a SQLite file, bring it to the current schema and verify every journal.
async fn verified_copy(path: &Path) -> Result<harbour_service::audit::VerifyReport, Failure> {
    let store = SqliteStore::connect(&sqlite_url(path)).await?;
    harbour_store::Store::migrate(&store).await?;
    let report = harbour_service::audit::verify_journals(&store)
        .await
        .map_err(|e| {
            Failure(format!(
                "the copy at {} does not verify: {e}",
                path.display()
            ))
        })?;
    store.close().await;
    Ok(report)
}

pub async fn backup(db: DbArgs, to: PathBuf) -> Result<(), Failure> {
    if is_postgres(&db.db) {
        return Err(Failure(format!(
            "`harbour backup` copies SQLite databases; {PG_PROCEDURE}"
        )));
    }
    if to.exists() {
        return Err(Failure(format!(
            "{} already exists; choose a new file (a backup never overwrites anything)",
            to.display()
        )));
    }
    let store = SqliteStore::connect(&db.db).await?;
    harbour_store::Store::migrate(&store).await?;
    let target = to
        .to_str()
        .ok_or_else(|| Failure(format!("{} is not a UTF-8 path", to.display())))?;
    store.backup_to(target).await?;
    store.close().await;
    make_private(&to)?;
    let report = verified_copy(&to).await?;
    // The copy was opened to verify it; leave a single self-contained file.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
    }
    println!(
        "backup of {} written to {} ({} case journals, {} events verified in the copy)",
        redact_url(&db.db),
        to.display(),
        report.cases,
        report.events
    );
    println!("The master key is NOT in the backup: keep a copy of the key file separately (without it the backup cannot be read).");
    Ok(())
}

pub async fn restore(db: DbArgs, from: PathBuf, force: bool) -> Result<(), Failure> {
    if is_postgres(&db.db) {
        return Err(Failure(format!(
            "`harbour restore` restores SQLite backups; {PG_PROCEDURE}"
        )));
    }
    if !from.is_file() {
        return Err(Failure(format!("no backup file at {}", from.display())));
    }
    let target = SqliteStore::file_of(&db.db)?;
    if target.exists() {
        let store = SqliteStore::connect(&db.db).await?;
        harbour_store::Store::migrate(&store).await?;
        let orgs = harbour_store::Store::list_orgs(&store).await?.len();
        let cases = harbour_store::Store::case_ids(&store, None, 1).await?.len();
        store.close().await;
        if (orgs > 0 || cases > 0) && !force {
            return Err(Failure(format!(
                "{} is not empty (it holds organisations or cases); restoring would replace them. Add --force to replace it",
                target.display()
            )));
        }
    }
    // Work on a copy beside the target: the backup file itself is never changed, and the
    // target is replaced in one rename only once the copy has verified.
    let tmp = PathBuf::from(format!("{}.restoring", target.display()));
    std::fs::copy(&from, &tmp)
        .map_err(|e| Failure(format!("cannot copy {}: {e}", from.display())))?;
    make_private(&tmp)?;
    let report = match verified_copy(&tmp).await {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
    }
    std::fs::rename(&tmp, &target)
        .map_err(|e| Failure(format!("cannot move the restored copy into place: {e}")))?;
    println!(
        "restored {} into {} ({} case journals, {} events verified)",
        from.display(),
        target.display(),
        report.cases,
        report.events
    );
    Ok(())
}

fn beside(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

pub async fn keys(cmd: KeysCmd) -> Result<(), Failure> {
    let (db, keys, batch, to) = match cmd {
        KeysCmd::InitHsm { master_key } => return init_hsm(&master_key),
        KeysCmd::NewFile { path } => {
            let key = MasterKey::write_new(&path)
                .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            println!(
                "wrote the new master key {} to {} (mode 0600)",
                key.id(),
                path.display()
            );
            return Ok(());
        }
        KeysCmd::Rotate {
            db,
            keys,
            batch,
            to,
        } => (db, keys, batch, to),
    };
    if let Some(to) = to {
        return rotate_to(db, keys, batch, &to).await;
    }
    if keys.master_key.is_some() || !keys.retired_keys.is_empty() {
        return Err(Failure(
            "rotating a --master-key (or with --retired-key) needs --to naming the new key: a key file (created if missing) or a pkcs11: key made with `harbour keys init-hsm`".into(),
        ));
    }
    let old = MasterKey::load(&keys.key_file)
        .map_err(|e| Failure(format!("{}: {e}", keys.key_file.display())))?;
    let next_path = beside(&keys.key_file, ".next");
    let new = if next_path.exists() {
        let k = MasterKey::load(&next_path)
            .map_err(|e| Failure(format!("{}: {e}", next_path.display())))?;
        eprintln!(
            "Resuming the rotation from {} to {} ({}).",
            old.id(),
            k.id(),
            next_path.display()
        );
        k
    } else {
        MasterKey::write_new(&next_path)
            .map_err(|e| Failure(format!("{}: {e}", next_path.display())))?
    };
    let store = open_store(&db.db).await?;
    let report = harbour_service::protection::rotate_master_key(store.as_ref(), &old, &new, batch)
        .await
        .map_err(|e| {
            Failure(format!(
                "{e}. The new key is in {}; run `harbour keys rotate` again to resume",
                next_path.display()
            ))
        })?;
    // Every key is now under the new master key: keep the old file aside, then put the new one
    // in its place (a rename, so the key file is never missing or half-written).
    let retired = beside(&keys.key_file, &format!(".retired-{}", old.id()));
    std::fs::copy(&keys.key_file, &retired).map_err(|e| {
        Failure(format!(
            "cannot keep the old key as {}: {e}",
            retired.display()
        ))
    })?;
    make_private(&retired)?;
    std::fs::rename(&next_path, &keys.key_file).map_err(|e| {
        Failure(format!(
            "cannot move {} to {}: {e}",
            next_path.display(),
            keys.key_file.display()
        ))
    })?;
    println!(
        "rotated the master key from {} to {}: {} case keys rewrapped in {} batches, blind-index key rewrapped",
        old.id(),
        new.id(),
        report.rewrapped,
        report.batches
    );
    println!(
        "The old key is kept as {}: backups made before now need it. Destroy it when they expire.",
        retired.display()
    );
    Ok(())
}

fn init_hsm(spec: &str) -> Result<(), Failure> {
    let key = MasterKey::init_token(spec).map_err(|e| Failure(format!("--master-key: {e}")))?;
    println!(
        "created master key {} in the PKCS#11 token (sensitive, non-extractable)",
        key.id()
    );
    println!("Start servers with --master-key set to the same pkcs11: setting, or move a deployment onto it with `harbour keys rotate --to`.");
    Ok(())
}

/// A rolling rotation: rewrap everything from the current (and retired) keys to `to`, changing
/// no file, while servers keep serving with `to` as their key and the old one retired.
async fn rotate_to(db: DbArgs, keys: KeyArgs, batch: u32, to: &str) -> Result<(), Failure> {
    let old = master_key(&keys)?;
    let new = if !to.starts_with("pkcs11:") && !Path::new(to).exists() {
        let key = MasterKey::write_new(Path::new(to)).map_err(|e| Failure(format!("--to: {e}")))?;
        eprintln!(
            "Created the new master key {} in {to} (mode 0600). Back it up.",
            key.id()
        );
        key
    } else {
        MasterKey::open(to).map_err(|e| Failure(format!("--to: {e}")))?
    };
    if new.id() == old.id() {
        return Err(Failure(format!(
            "--to names the current master key ({}); give the new key with --to and the current one with --key-file or --master-key",
            new.id()
        )));
    }
    let store = open_store(&db.db).await?;
    let report = harbour_service::protection::rotate_master_key(store.as_ref(), &old, &new, batch)
        .await
        .map_err(|e| {
            Failure(format!(
                "{e}. Run the same `harbour keys rotate --to` again to resume"
            ))
        })?;
    println!(
        "rotated the master key from {} to {}: {} case keys rewrapped in {} batches, blind-index key rewrapped",
        old.id(),
        new.id(),
        report.rewrapped,
        report.batches
    );
    println!(
        "Every key is now under {}. Restart the servers with only the new key (no --retired-key); keep the old key until backups made before now expire.",
        new.id()
    );
    Ok(())
}

pub async fn retention(cmd: RetentionCmd) -> Result<(), Failure> {
    let RetentionCmd::Run {
        db,
        keys,
        dry_run,
        as_of,
    } = cmd;
    let mut h = harbour(&db, &keys).await?;
    if let Some(day) = as_of {
        let date = harbour_domain::person::parse_date(&day)
            .map_err(|e| Failure(format!("--as-of {day}: {e}")))?;
        let at = date.midnight().assume_utc() + time::Duration::hours(12);
        h = h.with_clock(std::sync::Arc::new(harbour_service::ManualClock::new(at)));
    }
    let report = h.retention_run(dry_run).await?;
    for (id, due) in &report.due {
        println!("{id}\tretention ended {due}");
    }
    if dry_run {
        println!(
            "dry run: {} closed cases examined, {} would be erased",
            report.examined,
            report.due.len()
        );
    } else {
        println!(
            "{} closed cases examined, {} erased (key destroyed), {} changed meanwhile and left for the next run",
            report.examined, report.erased, report.skipped
        );
    }
    Ok(())
}
