//! SQLite backend: the default, embedded store (one file, WAL mode). Implements
//! [`harbour_store::Store`] with plain SQL; migrations live in `migrations/` and are embedded.

use async_trait::async_trait;
use harbour_domain::{CaseId, Minority, OrgId, Status, UserId};
use harbour_store::*;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct SqliteStore {
    pool: SqlitePool,
}

fn backend(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(db.message().to_string())
        }
        // SQLITE_BUSY, SQLITE_LOCKED (and their extended codes), SQLITE_CANTOPEN, SQLITE_IOERR:
        // another process holds the database or the file is gone; retrying later may work.
        sqlx::Error::Database(db)
            if db.code().is_some_and(|c| {
                c.parse::<i64>()
                    .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 14))
            }) =>
        {
            StoreError::Unavailable(db.message().to_string())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

fn uuid_col(row: &SqliteRow, col: &str) -> StoreResult<Uuid> {
    let s: String = row.try_get(col).map_err(backend)?;
    Uuid::parse_str(&s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

fn opt_uuid_col(row: &SqliteRow, col: &str) -> StoreResult<Option<Uuid>> {
    let s: Option<String> = row.try_get(col).map_err(backend)?;
    s.map(|s| Uuid::parse_str(&s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}"))))
        .transpose()
}

fn hash_col(row: &SqliteRow, col: &str) -> StoreResult<[u8; 32]> {
    let v: Vec<u8> = row.try_get(col).map_err(backend)?;
    v.try_into()
        .map_err(|_| StoreError::Corrupt(format!("{col} is not 32 bytes")))
}

impl SqliteStore {
    /// Open (creating if missing) the database at a `sqlite://PATH` URL. Migrations are not run
    /// here; call [`Store::migrate`].
    pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
        // 32 MiB of page cache per connection instead of SQLite's 2 MB: case ids are random,
        // so every write touches index pages all over a large file.
        Self::connect_with_cache(url, 32 * 1024).await
    }

    /// [`SqliteStore::connect`] with `cache_kib` KiB of page cache per connection (bulk loads
    /// into a large file keep their index pages in memory).
    pub async fn connect_with_cache(url: &str, cache_kib: u32) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("bad SQLite URL: {e}")))?;
        create_private(options.get_filename())?;
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .pragma("cache_size", format!("-{cache_kib}"))
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(SqliteStore { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The file a `sqlite:` URL names.
    pub fn file_of(url: &str) -> StoreResult<std::path::PathBuf> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("bad SQLite URL: {e}")))?;
        Ok(options.get_filename().to_path_buf())
    }

    /// Close every connection (before the file is replaced, e.g. by a restore).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// An online, consistent copy of the database into `path` (SQLite's VACUUM INTO).
    pub async fn backup_to(&self, path: &str) -> StoreResult<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(path)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    fn org_from_row(row: &SqliteRow) -> StoreResult<Organisation> {
        Ok(Organisation {
            id: OrgId(uuid_col(row, "id")?),
            name: row.try_get("name").map_err(backend)?,
            kind: parse_stored(row.try_get::<&str, _>("kind").map_err(backend)?)?,
            created_at: from_micros(row.try_get("created_at").map_err(backend)?),
        })
    }

    fn user_from_row(row: &SqliteRow) -> StoreResult<User> {
        Ok(User {
            id: UserId(uuid_col(row, "id")?),
            email: row.try_get("email").map_err(backend)?,
            org_id: OrgId(uuid_col(row, "org_id")?),
            role: parse_stored(row.try_get::<&str, _>("role").map_err(backend)?)?,
            password_hash: row.try_get("password_hash").map_err(backend)?,
            locale: row.try_get("locale").map_err(backend)?,
            active: row.try_get::<i64, _>("active").map_err(backend)? != 0,
            created_at: from_micros(row.try_get("created_at").map_err(backend)?),
        })
    }

    fn projection_from_row(row: &SqliteRow) -> StoreResult<CaseProjection> {
        let day = |col: &str| -> StoreResult<Option<time::Date>> {
            let s: Option<String> = row.try_get(col).map_err(backend)?;
            s.as_deref().map(parse_day).transpose()
        };
        Ok(CaseProjection {
            id: CaseId(uuid_col(row, "id")?),
            phase: parse_stored::<Status>(row.try_get::<&str, _>("phase").map_err(backend)?)?,
            minority: parse_stored::<Minority>(
                row.try_get::<&str, _>("minority").map_err(backend)?,
            )?,
            referred_at: from_micros(row.try_get("referred_at").map_err(backend)?),
            referring_org: OrgId(uuid_col(row, "referring_org")?),
            owner_org: OrgId(uuid_col(row, "owner_org")?),
            guardian: opt_uuid_col(row, "guardian_user")?.map(UserId),
            rg_due: day("rg_due")?,
            awaiting_cg_from: day("awaiting_cg_from")?,
            guardian_due: row
                .try_get::<Option<i64>, _>("guardian_due")
                .map_err(backend)?
                .map(from_micros),
            rights_due: parse_days(row.try_get::<&str, _>("rights_due").map_err(backend)?)?,
            updated_at: from_micros(row.try_get("updated_at").map_err(backend)?),
            seq: row.try_get::<i64, _>("seq").map_err(backend)? as u64,
        })
    }

    fn event_from_row(row: &SqliteRow) -> StoreResult<StoredEvent> {
        Ok(StoredEvent {
            case_id: CaseId(uuid_col(row, "case_id")?),
            seq: row.try_get::<i64, _>("seq").map_err(backend)? as u64,
            at: from_micros(row.try_get("at").map_err(backend)?),
            actor: UserId(uuid_col(row, "actor")?),
            actor_org: OrgId(uuid_col(row, "actor_org")?),
            kind: row.try_get("kind").map_err(backend)?,
            payload: row.try_get("payload").map_err(backend)?,
            prev_hash: hash_col(row, "prev_hash")?,
            hash: hash_col(row, "hash")?,
        })
    }

    async fn parties_of(&self, ids: &[CaseId]) -> StoreResult<Vec<(CaseId, CaseParty)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT case_id, org_id, relation FROM case_parties WHERE case_id IN (",
        );
        let mut sep = q.separated(", ");
        for id in ids {
            sep.push_bind(id.to_string());
        }
        q.push(") ORDER BY case_id, relation, org_id");
        let rows = q.build().fetch_all(&self.pool).await.map_err(backend)?;
        rows.iter()
            .map(|r| {
                let rel: String = r.try_get("relation").map_err(backend)?;
                Ok((
                    CaseId(uuid_col(r, "case_id")?),
                    CaseParty {
                        org_id: OrgId(uuid_col(r, "org_id")?),
                        relation: PartyRelation::parse(&rel)
                            .ok_or_else(|| StoreError::Corrupt(format!("relation {rel}")))?,
                    },
                ))
            })
            .collect()
    }
}

/// Create a new database file readable by its owner only; SQLite gives its -wal and -shm files
/// the same permissions. An existing file is left as it is.
fn create_private(path: &std::path::Path) -> StoreResult<()> {
    if path.as_os_str().is_empty() || path.to_str() == Some(":memory:") || path.exists() {
        return Ok(());
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Backend(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}

/// One way a case can be visible to a viewer.
#[derive(Clone, Copy)]
enum Branch {
    /// Every case (the competent authority).
    All,
    /// Cases the viewer's organisation is a party to, in order from `case_visibility`.
    Party,
    /// Cases where the viewer is the appointed guardian.
    Guardian,
    /// Children and presumed children (child-protection organisations).
    Children,
}

/// `SELECT * FROM (SELECT … ORDER BY … LIMIT n) bN` for one branch, with the list's filters.
fn push_branch(
    q: &mut QueryBuilder<Sqlite>,
    f: &CaseFilter,
    branch: Branch,
    today: &str,
    n: usize,
) {
    let (cmp, dir) = if f.oldest_first {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let (at, id) = match branch {
        Branch::Party => ("v.referred_at", "v.case_id"),
        _ => ("c.referred_at", "c.id"),
    };
    q.push(format!("SELECT * FROM (SELECT {PROJECTION_COLUMNS} FROM "));
    match branch {
        Branch::All => {
            q.push("cases c WHERE 1 = 1");
        }
        Branch::Party => {
            q.push("case_visibility v JOIN cases c ON c.id = v.case_id WHERE v.org_id = ")
                .push_bind(f.viewer.org_id.to_string());
        }
        Branch::Guardian => {
            q.push("cases c WHERE c.guardian_user = ")
                .push_bind(f.viewer.user_id.to_string());
        }
        Branch::Children => {
            q.push("cases c WHERE c.minority <> 'adult'");
        }
    }
    match f.status {
        Some(Status::RecoveryPeriod) => {
            q.push(" AND c.phase = 'recovery_period' AND c.awaiting_cg_from > ")
                .push_bind(today.to_string());
        }
        Some(Status::AwaitingConclusiveGrounds) => {
            q.push(" AND (c.phase = 'awaiting_conclusive_grounds' OR (c.phase = 'recovery_period' AND c.awaiting_cg_from <= ")
                .push_bind(today.to_string())
                .push("))");
        }
        Some(s) => {
            q.push(" AND c.phase = ").push_bind(s.as_str());
        }
        None => {}
    }
    if let Some(m) = f.minority {
        q.push(" AND c.minority = ").push_bind(m.as_str());
    }
    if f.overdue {
        q.push(" AND ((c.phase = 'awaiting_reasonable_grounds' AND c.rg_due < ")
            .push_bind(today.to_string())
            .push(") OR (c.guardian_due IS NOT NULL AND c.guardian_due < ")
            .push_bind(to_micros(f.now))
            .push(") OR (c.phase IN ('recovery_period', 'awaiting_conclusive_grounds') AND c.awaiting_cg_from < ")
            .push_bind(today.to_string())
            .push("))");
    }
    if f.rights_overdue {
        q.push(" AND c.rights_due_first < ")
            .push_bind(today.to_string());
    }
    if let Some((after_at, after_id)) = f.after {
        q.push(format!(" AND ({at} {cmp} "))
            .push_bind(to_micros(after_at))
            .push(format!(" OR ({at} = "))
            .push_bind(to_micros(after_at))
            .push(format!(" AND {id} {cmp} "))
            .push_bind(after_id.to_string())
            .push("))");
    }
    q.push(format!(" ORDER BY {at} {dir}, {id} {dir} LIMIT "))
        .push_bind(i64::from(f.limit))
        .push(format!(") b{n}"));
}

fn party_from_row(r: &SqliteRow) -> StoreResult<CaseParty> {
    let rel: String = r.try_get("relation").map_err(backend)?;
    Ok(CaseParty {
        org_id: OrgId(uuid_col(r, "org_id")?),
        relation: PartyRelation::parse(&rel)
            .ok_or_else(|| StoreError::Corrupt(format!("relation {rel}")))?,
    })
}

async fn insert_events(tx: &mut sqlx::SqliteConnection, events: &[StoredEvent]) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    // One statement per case's events: statements, not rows, are what a bulk load pays for.
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO case_events (case_id, seq, at, actor, actor_org, kind, payload, prev_hash, hash) ",
    );
    q.push_values(events, |mut row, e| {
        row.push_bind(e.case_id.to_string())
            .push_bind(e.seq as i64)
            .push_bind(to_micros(e.at))
            .push_bind(e.actor.to_string())
            .push_bind(e.actor_org.to_string())
            .push_bind(&e.kind)
            .push_bind(&e.payload)
            .push_bind(&e.prev_hash[..])
            .push_bind(&e.hash[..]);
    });
    q.build()
        .execute(&mut *tx)
        .await
        .map_err(|err| match backend(err) {
            StoreError::Duplicate(_) => StoreError::Conflict,
            other => other,
        })?;
    Ok(())
}

async fn insert_person_keys(
    tx: &mut sqlx::SqliteConnection,
    case: CaseId,
    keys: &[Vec<u8>],
) -> StoreResult<()> {
    for k in keys {
        sqlx::query("INSERT OR IGNORE INTO case_person_keys (key, case_id) VALUES (?, ?)")
            .bind(k)
            .bind(case.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

async fn insert_parties(
    tx: &mut sqlx::SqliteConnection,
    case: CaseId,
    referred_at: OffsetDateTime,
    parties: &[CaseParty],
) -> StoreResult<()> {
    for p in parties {
        sqlx::query(
            "INSERT OR IGNORE INTO case_parties (case_id, org_id, relation) VALUES (?, ?, ?)",
        )
        .bind(case.to_string())
        .bind(p.org_id.to_string())
        .bind(p.relation.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        sqlx::query(
            "INSERT OR IGNORE INTO case_visibility (org_id, case_id, referred_at) VALUES (?, ?, ?)",
        )
        .bind(p.org_id.to_string())
        .bind(case.to_string())
        .bind(to_micros(referred_at))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

/// Append an access record to the global chain. Updating the head row first takes SQLite's
/// write lock, so concurrent writers queue and each sees the previous writer's head.
async fn insert_access(tx: &mut sqlx::SqliteConnection, a: &AccessRecord) -> StoreResult<()> {
    let head =
        sqlx::query("UPDATE access_chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
    let seq: i64 = head.try_get("seq").map_err(backend)?;
    let prev = hash_col(&head, "hash")?;
    let hash = access_hash(&prev, seq as u64, a);
    sqlx::query("INSERT INTO access_log (at, user_id, org_id, case_id, action, purpose, seq, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(to_micros(a.at))
        .bind(a.user_id.to_string())
        .bind(a.org_id.to_string())
        .bind(a.case_id.map(|c| c.to_string()))
        .bind(&a.action)
        .bind(&a.purpose)
        .bind(seq)
        .bind(prev.as_slice())
        .bind(hash.as_slice())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    sqlx::query("UPDATE access_chain_head SET hash = ? WHERE id = 1")
        .bind(hash.as_slice())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    Ok(())
}

const SERVICE_COLUMNS: &str =
    "id, org_id, kind, name, capacity, taken, languages, accepts, regions, \
     child_specialised, created_at";
const REFERRAL_COLUMNS: &str =
    "id, case_id, service_id, provider_org, status, referred_at, accepted_at, updated_at";

fn service_from_row(r: &SqliteRow) -> StoreResult<ServiceRow> {
    let count = |col: &str| -> StoreResult<u32> {
        let v: i64 = r.try_get(col).map_err(backend)?;
        u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{col} {v}")))
    };
    Ok(ServiceRow {
        id: uuid_col(r, "id")?,
        org_id: OrgId(uuid_col(r, "org_id")?),
        kind: parse_stored(r.try_get::<&str, _>("kind").map_err(backend)?)?,
        name: r.try_get("name").map_err(backend)?,
        capacity: count("capacity")?,
        taken: count("taken")?,
        languages: split_list(r.try_get::<&str, _>("languages").map_err(backend)?),
        accepts: split_list(r.try_get::<&str, _>("accepts").map_err(backend)?)
            .iter()
            .map(|a| parse_stored(a))
            .collect::<StoreResult<Vec<_>>>()?,
        regions: split_list(r.try_get::<&str, _>("regions").map_err(backend)?),
        child_specialised: r.try_get::<i64, _>("child_specialised").map_err(backend)? != 0,
        created_at: from_micros(r.try_get("created_at").map_err(backend)?),
    })
}

fn referral_from_row(r: &SqliteRow) -> StoreResult<ServiceReferralRow> {
    Ok(ServiceReferralRow {
        id: uuid_col(r, "id")?,
        case_id: CaseId(uuid_col(r, "case_id")?),
        service_id: uuid_col(r, "service_id")?,
        provider_org: OrgId(uuid_col(r, "provider_org")?),
        status: parse_stored(r.try_get::<&str, _>("status").map_err(backend)?)?,
        referred_at: from_micros(r.try_get("referred_at").map_err(backend)?),
        accepted_at: r
            .try_get::<Option<i64>, _>("accepted_at")
            .map_err(backend)?
            .map(from_micros),
        updated_at: from_micros(r.try_get("updated_at").map_err(backend)?),
    })
}

async fn insert_tracing_access(
    tx: &mut sqlx::SqliteConnection,
    a: &TracingAccess,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tracing_access_log (request_id, at, user_id, org_id, action) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(a.request_id.to_string())
    .bind(to_micros(a.at))
    .bind(a.user_id.to_string())
    .bind(a.org_id.to_string())
    .bind(&a.action)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    Ok(())
}

async fn insert_tracing_change(
    tx: &mut sqlx::SqliteConnection,
    kind: &str,
    id: Uuid,
    at: OffsetDateTime,
) -> StoreResult<i64> {
    sqlx::query_scalar("INSERT INTO tracing_changes (kind, id, at) VALUES (?, ?, ?) RETURNING seq")
        .bind(kind)
        .bind(id.to_string())
        .bind(to_micros(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)
}

fn tracing_header(r: &SqliteRow) -> StoreResult<TracingRequestHeader> {
    let basis: String = r.try_get("legal_basis").map_err(backend)?;
    let status: String = r.try_get("status").map_err(backend)?;
    Ok(TracingRequestHeader {
        id: uuid_col(r, "id")?,
        org_id: OrgId(uuid_col(r, "org_id")?),
        legal_basis: parse_stored(&basis)?,
        status: parse_stored(&status)?,
        filed_at: from_micros(r.try_get("filed_at").map_err(backend)?),
        updated_at: from_micros(r.try_get("updated_at").map_err(backend)?),
    })
}

async fn support_writes(
    tx: &mut sqlx::SqliteConnection,
    case: CaseId,
    w: &SupportWrites,
) -> StoreResult<()> {
    for r in &w.referrals {
        sqlx::query(
            "INSERT INTO service_referrals (id, case_id, service_id, provider_org, status, referred_at, accepted_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, \
             accepted_at = excluded.accepted_at, updated_at = excluded.updated_at",
        )
        .bind(r.id.to_string())
        .bind(r.case_id.to_string())
        .bind(r.service_id.to_string())
        .bind(r.provider_org.to_string())
        .bind(r.status.as_str())
        .bind(to_micros(r.referred_at))
        .bind(r.accepted_at.map(to_micros))
        .bind(to_micros(r.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    for t in &w.transfers {
        sqlx::query(
            "INSERT INTO case_transfers (id, case_id, from_org, to_org, status, offered_at, answered_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, \
             answered_at = excluded.answered_at",
        )
        .bind(t.id.to_string())
        .bind(t.case_id.to_string())
        .bind(t.from_org.to_string())
        .bind(t.to_org.to_string())
        .bind(&t.status)
        .bind(to_micros(t.offered_at))
        .bind(t.answered_at.map(to_micros))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    for (service, delta) in &w.places {
        // Conditional on capacity: two providers' acceptances cannot both take the last place.
        let done = sqlx::query(
            "UPDATE services SET taken = taken + ? WHERE id = ? AND taken + ? <= capacity AND taken + ? >= 0",
        )
        .bind(i64::from(*delta))
        .bind(service.to_string())
        .bind(i64::from(*delta))
        .bind(i64::from(*delta))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
    }
    for p in &w.drop_parties {
        sqlx::query("DELETE FROM case_parties WHERE case_id = ? AND org_id = ? AND relation = ?")
            .bind(case.to_string())
            .bind(p.org_id.to_string())
            .bind(p.relation.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query(
            "DELETE FROM case_visibility WHERE case_id = ? AND org_id = ? AND NOT EXISTS \
             (SELECT 1 FROM case_parties WHERE case_id = ? AND org_id = ?)",
        )
        .bind(case.to_string())
        .bind(p.org_id.to_string())
        .bind(case.to_string())
        .bind(p.org_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

/// The statistical row a case has now, if any (to subtract its counts before replacing it).
async fn stored_statistics(
    tx: &mut sqlx::SqliteConnection,
    case: &str,
) -> StoreResult<Option<harbour_store::statistics::StatColumns>> {
    let Some(r) = sqlx::query(&format!(
        "SELECT {} FROM case_statistics WHERE case_id = ?",
        harbour_store::statistics::STAT_COLUMNS
    ))
    .bind(case)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?
    else {
        return Ok(None);
    };
    let forms: Vec<String> =
        sqlx::query_scalar("SELECT form FROM case_exploitation_forms WHERE case_id = ?")
            .bind(case)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
    Ok(Some(statistics_columns(&r, forms)?))
}

/// The support rows a case has now, if any (to subtract their counts before replacing them).
async fn stored_support(
    tx: &mut sqlx::SqliteConnection,
    case: &str,
    old: &harbour_store::statistics::StatColumns,
) -> StoreResult<Option<harbour_store::statistics::SupportColumns>> {
    let Some(u) = sqlx::query(
        "SELECT closed_on, cooperation, compensation FROM case_support_statistics WHERE case_id = ?",
    )
    .bind(case)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?
    else {
        return Ok(None);
    };
    let rights = sqlx::query_as::<_, (String, String, Option<String>, Option<String>)>(
        "SELECT right_code, status, due_on, met_on FROM case_right_statistics WHERE case_id = ?",
    )
    .bind(case)
    .fetch_all(&mut *tx)
    .await
    .map_err(backend)?;
    let amounts = sqlx::query_as::<_, (String, String, i64)>(
        "SELECT stage, currency, amount_minor FROM case_compensation_amounts WHERE case_id = ?",
    )
    .bind(case)
    .fetch_all(&mut *tx)
    .await
    .map_err(backend)?;
    let services = sqlx::query_as::<_, (i32, String, String, Option<i32>)>(
        "SELECT n, service_kind, status, accepted_days FROM case_service_statistics WHERE case_id = ?",
    )
    .bind(case)
    .fetch_all(&mut *tx)
    .await
    .map_err(backend)?;
    Ok(Some(harbour_store::statistics::SupportColumns {
        case_id: uuid::Uuid::parse_str(case).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        rights,
        referred_on: old.referred_on.clone(),
        referred_quarter: old.referred_quarter.clone(),
        closed_on: u.try_get("closed_on").map_err(backend)?,
        cooperation: u.try_get("cooperation").map_err(backend)?,
        compensation: u.try_get("compensation").map_err(backend)?,
        amounts,
        services,
    }))
}

/// Add the counters' changes to `statistics_counts`, in key order.
async fn apply_counts(
    tx: &mut sqlx::SqliteConnection,
    deltas: &harbour_store::statistics::CountDeltas,
) -> StoreResult<()> {
    let sql = harbour_store::statistics::upsert_count_sql(|_| "?".to_string());
    for (k, n) in deltas {
        sqlx::query(&sql)
            .bind(k.cube)
            .bind(&k.quarter)
            .bind(&k.day)
            .bind(&k.keys[0])
            .bind(&k.keys[1])
            .bind(&k.keys[2])
            .bind(n)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

/// Replace a case's statistical row and its forms inside the caller's transaction, and note in
/// `deltas` how the pre-aggregated counts change (the caller applies them before committing).
async fn write_statistics(
    tx: &mut sqlx::SqliteConnection,
    row: &CaseStatistics,
    deltas: &mut harbour_store::statistics::CountDeltas,
) -> StoreResult<()> {
    let c = harbour_store::statistics::StatColumns::from_row(row);
    // The rows it replaces leave their groups; erasure never comes here, so erased cases count on.
    if let Some(old) = stored_statistics(tx, &c.case_id.to_string()).await? {
        if let Some(support) = stored_support(tx, &c.case_id.to_string(), &old).await? {
            harbour_store::statistics::add_support_counts(deltas, &support, -1)?;
        }
        harbour_store::statistics::add_counts(deltas, &old, -1);
    }
    harbour_store::statistics::add_counts(deltas, &c, 1);
    // Derived once: the counters and the rows are written from the same columns.
    let support = harbour_store::statistics::SupportColumns::from_row(row);
    harbour_store::statistics::add_support_counts(deltas, &support, 1)?;
    write_support_statistics_delete(&mut *tx, c.case_id).await?;
    sqlx::query("DELETE FROM case_exploitation_forms WHERE case_id = ?")
        .bind(c.case_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    sqlx::query("DELETE FROM case_statistics WHERE case_id = ?")
        .bind(c.case_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    sqlx::query(&format!(
        "INSERT INTO case_statistics ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        harbour_store::statistics::STAT_COLUMNS
    ))
    .bind(c.case_id.to_string())
    .bind(&c.referred_on)
    .bind(&c.referred_quarter)
    .bind(&c.referrer_kind)
    .bind(&c.age_at_referral)
    .bind(&c.age_at_exploitation)
    .bind(&c.ctdc_age_band)
    .bind(&c.sex)
    .bind(&c.nationality)
    .bind(&c.region)
    .bind(c.online_recruitment)
    .bind(c.county_lines)
    .bind(&c.rg_outcome)
    .bind(&c.rg_quarter)
    .bind(c.rg_days)
    .bind(c.rg_within_target)
    .bind(&c.cg_outcome)
    .bind(&c.cg_quarter)
    .bind(c.cg_days)
    .bind(c.cg_within_target)
    .bind(c.guardian_hours)
    .bind(c.guardian_within_target)
    .bind(&c.phase)
    .bind(&c.closure)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    for form in &c.forms {
        sqlx::query(
            "INSERT INTO case_exploitation_forms (case_id, form, referred_on, referred_quarter, age_at_referral, age_at_exploitation) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(c.case_id.to_string())
        .bind(form)
        .bind(&c.referred_on)
        .bind(&c.referred_quarter)
        .bind(&c.age_at_referral)
        .bind(&c.age_at_exploitation)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    write_support_statistics(&mut *tx, &support).await?;
    Ok(())
}

/// Remove a case's rights, redress and service rows (migration 0013) before its statistical row.
async fn write_support_statistics_delete(
    tx: &mut sqlx::SqliteConnection,
    id: uuid::Uuid,
) -> StoreResult<()> {
    for table in harbour_store::statistics::SUPPORT_TABLES {
        sqlx::query(&format!("DELETE FROM {table} WHERE case_id = ?"))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

/// Write a case's rights, redress and service rows inside the caller's transaction.
async fn write_support_statistics(
    tx: &mut sqlx::SqliteConnection,
    c: &harbour_store::statistics::SupportColumns,
) -> StoreResult<()> {
    // One statement for all of a case's rights (about 17): statements, not rows, cost here.
    if !c.rights.is_empty() {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO case_right_statistics (case_id, right_code, status, due_on, met_on, referred_on, closed_on) ",
        );
        q.push_values(&c.rights, |mut row, (right, status, due_on, met_on)| {
            row.push_bind(c.case_id.to_string())
                .push_bind(right)
                .push_bind(status)
                .push_bind(due_on)
                .push_bind(met_on)
                .push_bind(&c.referred_on)
                .push_bind(&c.closed_on);
        });
        q.build().execute(&mut *tx).await.map_err(backend)?;
    }
    sqlx::query(
        "INSERT INTO case_support_statistics (case_id, closed_on, cooperation, compensation) VALUES (?, ?, ?, ?)",
    )
    .bind(c.case_id.to_string())
    .bind(&c.closed_on)
    .bind(&c.cooperation)
    .bind(&c.compensation)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    for (stage, currency, amount) in &c.amounts {
        sqlx::query(
            "INSERT INTO case_compensation_amounts (case_id, stage, currency, amount_minor) VALUES (?, ?, ?, ?)",
        )
        .bind(c.case_id.to_string())
        .bind(stage)
        .bind(currency)
        .bind(amount)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    for (n, kind, status, days) in &c.services {
        sqlx::query(
            "INSERT INTO case_service_statistics (case_id, n, service_kind, status, accepted_days) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(c.case_id.to_string())
        .bind(n)
        .bind(kind)
        .bind(status)
        .bind(days)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

fn session_from_row(r: &SqliteRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        token_hash: r.try_get("token_hash").map_err(backend)?,
        id: uuid_col(r, "id")?,
        user_id: UserId(uuid_col(r, "user_id")?),
        kind: r.try_get("kind").map_err(backend)?,
        created_at: from_micros(r.try_get("created_at").map_err(backend)?),
        expires_at: from_micros(r.try_get("expires_at").map_err(backend)?),
        last_seen_at: from_micros(r.try_get("last_seen_at").map_err(backend)?),
    })
}

async fn insert_session_in(
    conn: &mut sqlx::SqliteConnection,
    s: &SessionRecord,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, id, user_id, kind, created_at, expires_at, last_seen_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&s.token_hash)
    .bind(s.id.to_string())
    .bind(s.user_id.to_string())
    .bind(&s.kind)
    .bind(to_micros(s.created_at))
    .bind(to_micros(s.expires_at))
    .bind(to_micros(s.last_seen_at))
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

/// The one way a user's recovery codes are replaced (enrolment and renewal): every earlier code,
/// used or not, goes.
async fn replace_recovery_code_rows(
    conn: &mut sqlx::SqliteConnection,
    user: UserId,
    codes: &[Vec<u8>],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = ?")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    for c in codes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (?, ?, NULL)")
            .bind(user.to_string())
            .bind(c)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

async fn insert_notice(conn: &mut sqlx::SqliteConnection, n: &SecurityNotice) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO security_notices (id, user_id, kind, count, at, acknowledged_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(n.id.to_string())
    .bind(n.user_id.to_string())
    .bind(n.kind.as_str())
    .bind(i64::from(n.count.max(1)))
    .bind(to_micros(n.at))
    .bind(n.acknowledged_at.map(to_micros))
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

fn security_key_from_row(r: &SqliteRow) -> StoreResult<SecurityKey> {
    let count: i64 = r.try_get("sign_count").map_err(backend)?;
    Ok(SecurityKey {
        id: uuid_col(r, "id")?,
        user_id: UserId(uuid_col(r, "user_id")?),
        credential_id: r.try_get("credential_id").map_err(backend)?,
        public_key: r.try_get("public_key").map_err(backend)?,
        name: r.try_get("name").map_err(backend)?,
        sign_count: u32::try_from(count)
            .map_err(|_| StoreError::Corrupt(format!("sign count {count}")))?,
        created_at: from_micros(r.try_get("created_at").map_err(backend)?),
        last_used_at: r
            .try_get::<Option<i64>, _>("last_used_at")
            .map_err(backend)?
            .map(from_micros),
    })
}

fn access_from_row(r: &SqliteRow) -> StoreResult<AccessRecord> {
    Ok(AccessRecord {
        at: from_micros(r.try_get("at").map_err(backend)?),
        user_id: UserId(uuid_col(r, "user_id")?),
        org_id: OrgId(uuid_col(r, "org_id")?),
        case_id: opt_uuid_col(r, "case_id")?.map(CaseId),
        action: r.try_get("action").map_err(backend)?,
        purpose: r.try_get("purpose").map_err(backend)?,
    })
}

/// Chain access records written before the chain existed, in the order they were written. Only
/// while the chain is still empty (the first start after migration 0007): later, a record outside
/// the chain was written behind Harbour's back, and `audit verify` reports it instead.
async fn chain_legacy_access(pool: &SqlitePool) -> StoreResult<()> {
    let started: i64 = sqlx::query_scalar("SELECT seq FROM access_chain_head WHERE id = 1")
        .fetch_one(pool)
        .await
        .map_err(backend)?;
    if started != 0 {
        return Ok(());
    }
    let mut tx = pool.begin().await.map_err(backend)?;
    // Take the write lock before reading, so no new record slips in between.
    sqlx::query("UPDATE access_chain_head SET seq = seq WHERE id = 1")
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let rows = sqlx::query("SELECT * FROM access_log WHERE seq IS NULL ORDER BY id")
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
    if rows.is_empty() {
        return Ok(());
    }
    let head = sqlx::query("SELECT seq, hash FROM access_chain_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    let mut seq: i64 = head.try_get("seq").map_err(backend)?;
    let mut prev = hash_col(&head, "hash")?;
    for r in &rows {
        let id: i64 = r.try_get("id").map_err(backend)?;
        seq += 1;
        let hash = access_hash(&prev, seq as u64, &access_from_row(r)?);
        sqlx::query("UPDATE access_log SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?")
            .bind(seq)
            .bind(prev.as_slice())
            .bind(hash.as_slice())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        prev = hash;
    }
    sqlx::query("UPDATE access_chain_head SET seq = ?, hash = ? WHERE id = 1")
        .bind(seq)
        .bind(prev.as_slice())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    tx.commit().await.map_err(backend)
}

fn break_glass_from_row(r: &SqliteRow) -> StoreResult<BreakGlassGrant> {
    Ok(BreakGlassGrant {
        id: uuid_col(r, "id")?,
        user_id: UserId(uuid_col(r, "user_id")?),
        org_id: OrgId(uuid_col(r, "org_id")?),
        case_id: CaseId(uuid_col(r, "case_id")?),
        wrapped_key: r.try_get("wrapped_key").map_err(backend)?,
        sealed_reason: r.try_get("sealed_reason").map_err(backend)?,
        granted_at: from_micros(r.try_get("granted_at").map_err(backend)?),
        expires_at: from_micros(r.try_get("expires_at").map_err(backend)?),
    })
}

fn micros_list(rows: Vec<i64>) -> Vec<OffsetDateTime> {
    rows.into_iter().map(from_micros).collect()
}

fn statistics_from_row(r: &SqliteRow, forms: Vec<String>) -> StoreResult<CaseStatistics> {
    statistics_columns(r, forms)?.into_row()
}

fn statistics_columns(
    r: &SqliteRow,
    forms: Vec<String>,
) -> StoreResult<harbour_store::statistics::StatColumns> {
    let get_s = |c: &str| r.try_get::<String, _>(c).map_err(backend);
    let get_os = |c: &str| r.try_get::<Option<String>, _>(c).map_err(backend);
    let get_f = |c: &str| r.try_get::<i16, _>(c).map_err(backend);
    let get_of = |c: &str| r.try_get::<Option<i16>, _>(c).map_err(backend);
    let get_oi = |c: &str| r.try_get::<Option<i32>, _>(c).map_err(backend);
    Ok(harbour_store::statistics::StatColumns {
        case_id: uuid_col(r, "case_id")?,
        referred_on: get_s("referred_on")?,
        referred_quarter: get_s("referred_quarter")?,
        referrer_kind: get_s("referrer_kind")?,
        age_at_referral: get_s("age_at_referral")?,
        age_at_exploitation: get_s("age_at_exploitation")?,
        ctdc_age_band: get_os("ctdc_age_band")?,
        sex: get_s("sex")?,
        nationality: get_os("nationality")?,
        region: get_os("region")?,
        online_recruitment: get_f("online_recruitment")?,
        county_lines: get_f("county_lines")?,
        rg_outcome: get_os("rg_outcome")?,
        rg_quarter: get_os("rg_quarter")?,
        rg_days: get_oi("rg_days")?,
        rg_within_target: get_of("rg_within_target")?,
        cg_outcome: get_os("cg_outcome")?,
        cg_quarter: get_os("cg_quarter")?,
        cg_days: get_oi("cg_days")?,
        cg_within_target: get_of("cg_within_target")?,
        guardian_hours: get_oi("guardian_hours")?,
        guardian_within_target: get_of("guardian_within_target")?,
        phase: get_s("phase")?,
        closure: get_os("closure")?,
        forms,
    })
}

const PROJECTION_COLUMNS: &str =
    "c.id, c.phase, c.minority, c.referred_at, c.referring_org, c.owner_org, c.guardian_user, \
     c.rg_due, c.awaiting_cg_from, c.guardian_due, c.rights_due, c.updated_at, c.seq";

async fn append_in(tx: &mut sqlx::SqliteConnection, change: &CaseChange) -> StoreResult<()> {
    let p = &change.projection;
    // Writing first takes SQLite's write lock at once (no read-then-upgrade deadlock), and the
    // seq check makes the whole change conditional on nobody having appended meanwhile.
    let updated = sqlx::query(
        "UPDATE cases SET phase = ?, minority = ?, owner_org = ?, guardian_user = ?, rg_due = ?, awaiting_cg_from = ?, \
         guardian_due = ?, rights_due_first = ?, rights_due = ?, updated_at = ?, seq = ? WHERE id = ? AND seq = ?",
    )
    .bind(p.phase.as_str())
    .bind(p.minority.as_str())
    .bind(p.owner_org.to_string())
    .bind(p.guardian.map(|g| g.to_string()))
    .bind(p.rg_due.map(day_text))
    .bind(p.awaiting_cg_from.map(day_text))
    .bind(p.guardian_due.map(to_micros))
    .bind(p.rights_due.first().map(|d| day_text(*d)))
    .bind(days_text(&p.rights_due))
    .bind(to_micros(p.updated_at))
    .bind(p.seq as i64)
    .bind(p.id.to_string())
    .bind(change.expected_seq as i64)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    insert_parties(tx, p.id, p.referred_at, &change.new_parties).await?;
    insert_person_keys(tx, p.id, &change.new_person_keys).await?;
    insert_events(tx, &change.events).await?;
    insert_access(tx, &change.access).await?;
    if let Some(row) = &change.statistics {
        let mut deltas = Default::default();
        write_statistics(tx, row, &mut deltas).await?;
        apply_counts(tx, &deltas).await?;
    }
    Ok(())
}

/// Insert a new case inside the caller's transaction (one case, or a bulk load's batch).
async fn create_case_in(
    tx: &mut sqlx::SqliteConnection,
    case: &NewCase,
    deltas: &mut harbour_store::statistics::CountDeltas,
) -> StoreResult<()> {
    let p = &case.projection;
    sqlx::query(
        "INSERT INTO cases (id, created_order, phase, minority, referred_at, referring_org, owner_org, guardian_user, \
         rg_due, awaiting_cg_from, guardian_due, rights_due_first, rights_due, updated_at, seq) \
         VALUES (?, (SELECT COALESCE(MAX(created_order), 0) + 1 FROM cases), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(p.id.to_string())
    .bind(p.phase.as_str())
    .bind(p.minority.as_str())
    .bind(to_micros(p.referred_at))
    .bind(p.referring_org.to_string())
    .bind(p.owner_org.to_string())
    .bind(p.guardian.map(|g| g.to_string()))
    .bind(p.rg_due.map(day_text))
    .bind(p.awaiting_cg_from.map(day_text))
    .bind(p.guardian_due.map(to_micros))
    .bind(p.rights_due.first().map(|d| day_text(*d)))
    .bind(days_text(&p.rights_due))
    .bind(to_micros(p.updated_at))
    .bind(p.seq as i64)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    sqlx::query("INSERT INTO case_keys (case_id, wrapped_key) VALUES (?, ?)")
        .bind(p.id.to_string())
        .bind(&case.wrapped_key)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    insert_parties(&mut *tx, p.id, p.referred_at, &case.parties).await?;
    insert_person_keys(&mut *tx, p.id, &case.person_keys).await?;
    insert_events(&mut *tx, &case.events).await?;
    insert_access(&mut *tx, &case.access).await?;
    if let Some(row) = &case.statistics {
        write_statistics(&mut *tx, row, deltas).await?;
    }
    Ok(())
}

/// Run a counting query: `n` key columns, then the count.
async fn run_counts(
    conn: &mut sqlx::SqliteConnection,
    sql: &str,
    binds: &[String],
    n: usize,
) -> StoreResult<Vec<StatisticsCount>> {
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(&mut *conn).await.map_err(backend)?;
    rows.iter()
        .map(|r| {
            let keys = (0..n)
                .map(|i| r.try_get::<Option<String>, _>(i).map_err(backend))
                .collect::<StoreResult<Vec<_>>>()?;
            let count: i64 = r.try_get(n).map_err(backend)?;
            Ok(StatisticsCount {
                keys,
                count: u64::try_from(count)
                    .map_err(|_| StoreError::Corrupt(format!("count {count}")))?,
            })
        })
        .collect()
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        chain_legacy_access(&self.pool).await
    }

    async fn insert_org(&self, org: &Organisation) -> StoreResult<()> {
        sqlx::query("INSERT INTO organisations (id, name, kind, created_at) VALUES (?, ?, ?, ?)")
            .bind(org.id.to_string())
            .bind(&org.name)
            .bind(org.kind.as_str())
            .bind(to_micros(org.created_at))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn get_org(&self, id: OrgId) -> StoreResult<Option<Organisation>> {
        let row = sqlx::query("SELECT * FROM organisations WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(Self::org_from_row).transpose()
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Organisation>> {
        let rows = sqlx::query("SELECT * FROM organisations ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(Self::org_from_row).collect()
    }

    async fn insert_user(&self, u: &User) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (id, email, org_id, role, password_hash, locale, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(u.id.to_string())
        .bind(&u.email)
        .bind(u.org_id.to_string())
        .bind(u.role.as_str())
        .bind(&u.password_hash)
        .bind(&u.locale)
        .bind(i64::from(u.active))
        .bind(to_micros(u.created_at))
        .execute(&self.pool)
        .await
        .map_err(|e| match backend(e) {
            StoreError::Duplicate(_) => StoreError::Duplicate(format!("a user with e-mail {}", u.email)),
            other => other,
        })?;
        Ok(())
    }

    async fn get_user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(Self::user_from_row).transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = ?")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(Self::user_from_row).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY email")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(Self::user_from_row).collect()
    }

    async fn set_user_locale(&self, id: UserId, locale: &str) -> StoreResult<()> {
        let r = sqlx::query("UPDATE users SET locale = ? WHERE id = ?")
            .bind(locale)
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Missing(format!("user {id}")));
        }
        Ok(())
    }

    async fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        insert_session_in(&mut conn, s).await
    }

    async fn session(
        &self,
        token_hash: &[u8],
        now: OffsetDateTime,
        idle_cutoff: OffsetDateTime,
    ) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query(
            "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND expires_at > ? \
             AND last_seen_at > ? \
             RETURNING token_hash, id, user_id, kind, created_at, expires_at, last_seen_at",
        )
        .bind(to_micros(now))
        .bind(token_hash)
        .bind(to_micros(now))
        .bind(to_micros(idle_cutoff))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn user_sessions(
        &self,
        user: UserId,
        now: OffsetDateTime,
        idle_cutoff: OffsetDateTime,
    ) -> StoreResult<Vec<SessionRecord>> {
        let rows = sqlx::query(
            "SELECT token_hash, id, user_id, kind, created_at, expires_at, last_seen_at \
             FROM sessions WHERE user_id = ? AND expires_at > ? AND last_seen_at > ? \
             ORDER BY created_at, id",
        )
        .bind(user.to_string())
        .bind(to_micros(now))
        .bind(to_micros(idle_cutoff))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(session_from_row).collect()
    }

    async fn end_user_session(&self, user: UserId, id: Uuid) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = ? AND id = ?")
            .bind(user.to_string())
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }

    async fn end_other_sessions(&self, user: UserId, keep_token_hash: &[u8]) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?")
            .bind(user.to_string())
            .bind(keep_token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(r.rows_affected())
    }

    async fn create_case(&self, case: &NewCase) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let mut deltas = Default::default();
        create_case_in(&mut tx, case, &mut deltas).await?;
        apply_counts(&mut tx, &deltas).await?;
        tx.commit().await.map_err(backend)
    }

    async fn create_cases(&self, cases: &[NewCase]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // The batch's counter changes are summed first: one update per counter, not per case.
        let mut deltas = Default::default();
        for case in cases {
            create_case_in(&mut tx, case, &mut deltas).await?;
        }
        apply_counts(&mut tx, &deltas).await?;
        tx.commit().await.map_err(backend)
    }

    async fn append(&self, change: &CaseChange) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        append_in(&mut tx, change).await?;
        tx.commit().await.map_err(backend)
    }

    async fn load_case(&self, id: CaseId) -> StoreResult<Option<CaseRecord>> {
        // One read transaction: in WAL mode it is a snapshot, so header, key and events agree.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let row = sqlx::query(&format!(
            "SELECT {PROJECTION_COLUMNS} FROM cases c WHERE c.id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let projection = Self::projection_from_row(&row)?;
        let party_rows = sqlx::query(
            "SELECT org_id, relation FROM case_parties WHERE case_id = ? ORDER BY relation, org_id",
        )
        .bind(id.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        let parties = party_rows
            .iter()
            .map(party_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let key: Vec<u8> =
            sqlx::query_scalar("SELECT wrapped_key FROM case_keys WHERE case_id = ?")
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .unwrap_or_default();
        let rows = sqlx::query("SELECT * FROM case_events WHERE case_id = ? ORDER BY seq")
            .bind(id.to_string())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        let events = rows
            .iter()
            .map(Self::event_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(CaseRecord {
            header: CaseHeader {
                projection,
                parties,
            },
            wrapped_key: key,
            events,
        }))
    }

    async fn case_header(&self, id: CaseId) -> StoreResult<Option<CaseHeader>> {
        let row = sqlx::query(&format!(
            "SELECT {PROJECTION_COLUMNS} FROM cases c WHERE c.id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let projection = Self::projection_from_row(&row)?;
        let parties = self
            .parties_of(&[id])
            .await?
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        Ok(Some(CaseHeader {
            projection,
            parties,
        }))
    }

    async fn list_cases(&self, f: &CaseFilter) -> StoreResult<Vec<CaseHeader>> {
        let today = day_text(f.now.date());
        let dir = if f.oldest_first { "ASC" } else { "DESC" };
        // Visibility as a union of branches that each walk an index in list order and stop at
        // the page size; the outer query merges them. See ARCHITECTURE.md (need-to-know).
        let branches: &[Branch] = match f.viewer.org_kind {
            harbour_domain::OrgKind::CompetentAuthority => &[Branch::All],
            harbour_domain::OrgKind::ChildProtection => {
                &[Branch::Party, Branch::Guardian, Branch::Children]
            }
            _ => &[Branch::Party, Branch::Guardian],
        };
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM (");
        for (n, branch) in branches.iter().enumerate() {
            if n > 0 {
                q.push(" UNION ");
            }
            push_branch(&mut q, f, *branch, &today, n);
        }
        q.push(format!(
            ") u ORDER BY u.referred_at {dir}, u.id {dir} LIMIT "
        ))
        .push_bind(i64::from(f.limit));
        let rows = q.build().fetch_all(&self.pool).await.map_err(backend)?;
        let projections = rows
            .iter()
            .map(Self::projection_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let ids: Vec<CaseId> = projections.iter().map(|p| p.id).collect();
        let parties = self.parties_of(&ids).await?;
        Ok(projections
            .into_iter()
            .map(|projection| {
                let parties = parties
                    .iter()
                    .filter(|(c, _)| *c == projection.id)
                    .map(|(_, p)| p.clone())
                    .collect();
                CaseHeader {
                    projection,
                    parties,
                }
            })
            .collect())
    }

    async fn cases_with_person_keys(&self, keys: &[Vec<u8>]) -> StoreResult<Vec<CaseHeader>> {
        if keys.is_empty() {
            return Ok(vec![]);
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT DISTINCT case_id FROM case_person_keys WHERE key IN (",
        );
        let mut sep = q.separated(", ");
        for k in keys {
            sep.push_bind(k.clone());
        }
        q.push(") ORDER BY case_id");
        let ids: Vec<String> = q
            .build_query_scalar()
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        let mut headers = Vec::with_capacity(ids.len());
        for id in ids {
            let id = Uuid::parse_str(&id)
                .map(CaseId)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if let Some(h) = self.case_header(id).await? {
                headers.push(h);
            }
        }
        Ok(headers)
    }

    async fn case_ids(&self, after: Option<CaseId>, limit: u32) -> StoreResult<Vec<CaseId>> {
        let rows: Vec<String> = match after {
            None => sqlx::query_scalar("SELECT id FROM cases ORDER BY created_order LIMIT ?")
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?,
            Some(a) => sqlx::query_scalar(
                "SELECT id FROM cases WHERE created_order > (SELECT created_order FROM cases WHERE id = ?) \
                 ORDER BY created_order LIMIT ?",
            )
            .bind(a.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?,
        };
        rows.iter()
            .map(|s| {
                Uuid::parse_str(s)
                    .map(CaseId)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    async fn insert_service(&self, sv: &ServiceRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO services (id, org_id, kind, name, capacity, taken, languages, accepts, regions, \
             child_specialised, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(sv.id.to_string())
        .bind(sv.org_id.to_string())
        .bind(sv.kind.as_str())
        .bind(&sv.name)
        .bind(i64::from(sv.capacity))
        .bind(i64::from(sv.taken))
        .bind(join_list(&sv.languages))
        .bind(join_list(&sv.accepts.iter().map(|a| a.as_str()).collect::<Vec<_>>()))
        .bind(join_list(&sv.regions))
        .bind(i64::from(sv.child_specialised))
        .bind(to_micros(sv.created_at))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn get_service(&self, id: Uuid) -> StoreResult<Option<ServiceRow>> {
        let row = sqlx::query(&format!(
            "SELECT {SERVICE_COLUMNS} FROM services WHERE id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(service_from_row).transpose()
    }

    async fn list_services(
        &self,
        kind: Option<harbour_domain::support::ServiceKind>,
    ) -> StoreResult<Vec<ServiceRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {SERVICE_COLUMNS} FROM services WHERE (? IS NULL OR kind = ?) ORDER BY name, id"
        ))
        .bind(kind.map(|k| k.as_str()))
        .bind(kind.map(|k| k.as_str()))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(service_from_row).collect()
    }

    async fn service_referral(&self, id: Uuid) -> StoreResult<Option<ServiceReferralRow>> {
        let row = sqlx::query(&format!(
            "SELECT {REFERRAL_COLUMNS} FROM service_referrals WHERE id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(referral_from_row).transpose()
    }

    async fn service_referrals_for_org(&self, org: OrgId) -> StoreResult<Vec<ServiceReferralRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {REFERRAL_COLUMNS} FROM service_referrals WHERE provider_org = ? \
             ORDER BY referred_at DESC, id"
        ))
        .bind(org.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(referral_from_row).collect()
    }

    async fn transfers_offered_to(&self, org: OrgId) -> StoreResult<Vec<TransferRow>> {
        let rows = sqlx::query(
            "SELECT * FROM case_transfers WHERE to_org = ? AND status = 'offered' ORDER BY offered_at, id",
        )
        .bind(org.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(TransferRow {
                    id: uuid_col(r, "id")?,
                    case_id: CaseId(uuid_col(r, "case_id")?),
                    from_org: OrgId(uuid_col(r, "from_org")?),
                    to_org: OrgId(uuid_col(r, "to_org")?),
                    status: r.try_get("status").map_err(backend)?,
                    offered_at: from_micros(r.try_get("offered_at").map_err(backend)?),
                    answered_at: r
                        .try_get::<Option<i64>, _>("answered_at")
                        .map_err(backend)?
                        .map(from_micros),
                })
            })
            .collect()
    }

    async fn append_support(&self, change: &CaseChange, writes: &SupportWrites) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        append_in(&mut tx, change).await?;
        support_writes(&mut tx, change.projection.id, writes).await?;
        tx.commit().await.map_err(backend)
    }

    async fn record_access(&self, record: &AccessRecord) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        insert_access(&mut tx, record).await?;
        tx.commit().await.map_err(backend)
    }

    async fn access_log(&self, case: CaseId) -> StoreResult<Vec<AccessRecord>> {
        let rows = sqlx::query("SELECT * FROM access_log WHERE case_id = ? ORDER BY id")
            .bind(case.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(access_from_row).collect()
    }

    async fn access_chain(&self, after_seq: u64, limit: u32) -> StoreResult<Vec<ChainedAccess>> {
        let rows = sqlx::query("SELECT * FROM access_log WHERE seq > ? ORDER BY seq LIMIT ?")
            .bind(after_seq as i64)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get("seq").map_err(backend)?;
                Ok(ChainedAccess {
                    seq: seq as u64,
                    prev_hash: hash_col(r, "prev_hash")?,
                    hash: hash_col(r, "hash")?,
                    record: access_from_row(r)?,
                })
            })
            .collect()
    }

    async fn access_chain_head(&self) -> StoreResult<(u64, [u8; 32])> {
        let r = sqlx::query("SELECT seq, hash FROM access_chain_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        let seq: i64 = r.try_get("seq").map_err(backend)?;
        Ok((seq as u64, hash_col(&r, "hash")?))
    }

    async fn unchained_access_records(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM access_log WHERE seq IS NULL")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(n as u64)
    }

    async fn insert_break_glass(
        &self,
        g: &BreakGlassGrant,
        access: &AccessRecord,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query(
            "INSERT INTO break_glass (id, user_id, org_id, case_id, wrapped_key, sealed_reason, granted_at, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(g.id.to_string())
        .bind(g.user_id.to_string())
        .bind(g.org_id.to_string())
        .bind(g.case_id.to_string())
        .bind(&g.wrapped_key)
        .bind(&g.sealed_reason)
        .bind(to_micros(g.granted_at))
        .bind(to_micros(g.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        insert_access(&mut tx, access).await?;
        tx.commit().await.map_err(backend)
    }

    async fn live_break_glass(
        &self,
        user: UserId,
        case: CaseId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<BreakGlassGrant>> {
        let row = sqlx::query(
            "SELECT * FROM break_glass WHERE user_id = ? AND case_id = ? AND expires_at > ? \
             AND granted_at <= ? ORDER BY expires_at DESC LIMIT 1",
        )
        .bind(user.to_string())
        .bind(case.to_string())
        .bind(to_micros(now))
        .bind(to_micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(break_glass_from_row).transpose()
    }

    async fn break_glass_since(
        &self,
        since: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<BreakGlassGrant>> {
        let rows = sqlx::query(
            "SELECT * FROM break_glass WHERE granted_at >= ? ORDER BY granted_at DESC, id LIMIT ?",
        )
        .bind(to_micros(since))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(break_glass_from_row).collect()
    }

    async fn totp(&self, user: UserId) -> StoreResult<Option<TotpRecord>> {
        let row = sqlx::query("SELECT * FROM totp_factors WHERE user_id = ?")
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| {
            let confirmed: Option<i64> = r.try_get("confirmed_at").map_err(backend)?;
            let step: i64 = r.try_get("last_step").map_err(backend)?;
            Ok(TotpRecord {
                user_id: UserId(uuid_col(&r, "user_id")?),
                wrapped_key: r.try_get("wrapped_key").map_err(backend)?,
                sealed_secret: r.try_get("sealed_secret").map_err(backend)?,
                confirmed_at: confirmed.map(from_micros),
                last_step: step as u64,
                created_at: from_micros(r.try_get("created_at").map_err(backend)?),
            })
        })
        .transpose()
    }

    async fn put_unconfirmed_totp(&self, t: &TotpRecord) -> StoreResult<()> {
        let r = sqlx::query(
            "INSERT INTO totp_factors (user_id, wrapped_key, sealed_secret, confirmed_at, last_step, created_at) \
             VALUES (?, ?, ?, NULL, 0, ?) \
             ON CONFLICT (user_id) DO UPDATE SET wrapped_key = excluded.wrapped_key, \
             sealed_secret = excluded.sealed_secret, created_at = excluded.created_at \
             WHERE totp_factors.confirmed_at IS NULL",
        )
        .bind(t.user_id.to_string())
        .bind(&t.wrapped_key)
        .bind(&t.sealed_secret)
        .bind(to_micros(t.created_at))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Duplicate("a confirmed second factor".into()));
        }
        Ok(())
    }

    async fn confirm_totp(
        &self,
        user: UserId,
        at: OffsetDateTime,
        step: u64,
        codes: &[Vec<u8>],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let r = sqlx::query(
            "UPDATE totp_factors SET confirmed_at = ?, last_step = ? \
             WHERE user_id = ? AND confirmed_at IS NULL",
        )
        .bind(to_micros(at))
        .bind(step as i64)
        .bind(user.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        replace_recovery_code_rows(&mut tx, user, codes).await?;
        tx.commit().await.map_err(backend)
    }

    async fn use_totp_step(&self, user: UserId, step: u64) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE totp_factors SET last_step = ? WHERE user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?",
        )
        .bind(step as i64)
        .bind(user.to_string())
        .bind(step as i64)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(r.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &[u8],
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
        )
        .bind(to_micros(at))
        .bind(user.to_string())
        .bind(code_hash)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(r.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
        )
        .bind(user.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        Ok(n as u32)
    }

    async fn reset_second_factor(
        &self,
        user: UserId,
        access: &AccessRecord,
        notice: &SecurityNotice,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for table in [
            "recovery_codes",
            "totp_factors",
            "security_keys",
            "sessions",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = ?"))
                .bind(user.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        insert_access(&mut tx, access).await?;
        insert_notice(&mut tx, notice).await?;
        tx.commit().await.map_err(backend)
    }

    async fn replace_recovery_codes(
        &self,
        user: UserId,
        codes: &[Vec<u8>],
        access: &AccessRecord,
        notice: &SecurityNotice,
        session: &SessionRecord,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let confirmed: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM totp_factors WHERE user_id = ? AND confirmed_at IS NOT NULL",
        )
        .bind(user.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        if confirmed.is_none() {
            return Err(StoreError::Conflict);
        }
        replace_recovery_code_rows(&mut tx, user, codes).await?;
        // ASVS 7.4.3: a change to the factor ends every session of the user, the renewing one
        // included; it continues under the new token of `session`.
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        insert_session_in(&mut tx, session).await?;
        insert_access(&mut tx, access).await?;
        insert_notice(&mut tx, notice).await?;
        tx.commit().await.map_err(backend)
    }

    async fn put_webauthn_challenge(
        &self,
        c: &WebauthnChallenge,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("DELETE FROM webauthn_challenges WHERE expires_at <= ?")
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query(
            "INSERT INTO webauthn_challenges (challenge, user_id, ceremony, expires_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(&c.challenge)
        .bind(c.user_id.to_string())
        .bind(&c.ceremony)
        .bind(to_micros(c.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn take_webauthn_challenge(
        &self,
        challenge: &[u8],
        user: UserId,
        ceremony: &str,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let row = sqlx::query(
            "DELETE FROM webauthn_challenges WHERE challenge = ? \
             RETURNING user_id, ceremony, expires_at",
        )
        .bind(challenge)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(r) = row else { return Ok(false) };
        let owner = uuid_col(&r, "user_id")?;
        let kind: String = r.try_get("ceremony").map_err(backend)?;
        let expires: i64 = r.try_get("expires_at").map_err(backend)?;
        Ok(owner == user.0 && kind == ceremony && from_micros(expires) > now)
    }

    async fn add_security_key(
        &self,
        key: &SecurityKey,
        access: &AccessRecord,
        notice: &SecurityNotice,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query(
            "INSERT INTO security_keys (id, user_id, credential_id, public_key, name, sign_count, \
             created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(key.id.to_string())
        .bind(key.user_id.to_string())
        .bind(&key.credential_id)
        .bind(&key.public_key)
        .bind(&key.name)
        .bind(i64::from(key.sign_count))
        .bind(to_micros(key.created_at))
        .bind(key.last_used_at.map(to_micros))
        .execute(&mut *tx)
        .await
        .map_err(|e| match backend(e) {
            StoreError::Duplicate(_) => {
                StoreError::Duplicate("a security key with this credential id".into())
            }
            other => other,
        })?;
        insert_access(&mut tx, access).await?;
        insert_notice(&mut tx, notice).await?;
        tx.commit().await.map_err(backend)
    }

    async fn security_keys(&self, user: UserId) -> StoreResult<Vec<SecurityKey>> {
        let rows = sqlx::query(
            "SELECT id, user_id, credential_id, public_key, name, sign_count, created_at, \
             last_used_at FROM security_keys WHERE user_id = ? ORDER BY created_at, id",
        )
        .bind(user.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(security_key_from_row).collect()
    }

    async fn security_key_by_credential(
        &self,
        credential_id: &[u8],
    ) -> StoreResult<Option<SecurityKey>> {
        let row = sqlx::query(
            "SELECT id, user_id, credential_id, public_key, name, sign_count, created_at, \
             last_used_at FROM security_keys WHERE credential_id = ?",
        )
        .bind(credential_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(security_key_from_row).transpose()
    }

    async fn use_security_key(
        &self,
        user: UserId,
        id: Uuid,
        seen_count: u32,
        new_count: u32,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE security_keys SET sign_count = ?, last_used_at = ? \
             WHERE id = ? AND user_id = ? AND sign_count = ?",
        )
        .bind(i64::from(new_count))
        .bind(to_micros(at))
        .bind(id.to_string())
        .bind(user.to_string())
        .bind(i64::from(seen_count))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(r.rows_affected() == 1)
    }

    async fn remove_security_key(
        &self,
        user: UserId,
        id: Uuid,
        keep_at_least: u32,
        access: &AccessRecord,
        notice: &SecurityNotice,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let r = sqlx::query("DELETE FROM security_keys WHERE id = ? AND user_id = ?")
            .bind(id.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM security_keys WHERE user_id = ?")
            .bind(user.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        if left < i64::from(keep_at_least) {
            // Dropping the transaction rolls the deletion back.
            return Err(StoreError::Conflict);
        }
        insert_access(&mut tx, access).await?;
        insert_notice(&mut tx, notice).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn security_notices(&self, user: UserId, limit: u32) -> StoreResult<Vec<SecurityNotice>> {
        let rows = sqlx::query(
            "SELECT id, user_id, kind, count, at, acknowledged_at FROM security_notices \
             WHERE user_id = ? ORDER BY at DESC, id LIMIT ?",
        )
        .bind(user.to_string())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind").map_err(backend)?;
                let count: i64 = r.try_get("count").map_err(backend)?;
                Ok(SecurityNotice {
                    id: uuid_col(r, "id")?,
                    user_id: UserId(uuid_col(r, "user_id")?),
                    kind: SecurityNoticeKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("notice kind {kind}")))?,
                    count: u32::try_from(count)
                        .map_err(|_| StoreError::Corrupt(format!("notice count {count}")))?,
                    at: from_micros(r.try_get("at").map_err(backend)?),
                    acknowledged_at: r
                        .try_get::<Option<i64>, _>("acknowledged_at")
                        .map_err(backend)?
                        .map(from_micros),
                })
            })
            .collect()
    }

    async fn acknowledge_security_notices(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<u64> {
        let r = sqlx::query(
            "UPDATE security_notices SET acknowledged_at = ? \
             WHERE user_id = ? AND acknowledged_at IS NULL",
        )
        .bind(to_micros(at))
        .bind(user.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(r.rows_affected())
    }

    async fn record_login_failure(
        &self,
        account_key: &[u8],
        address_key: &[u8],
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_failures (at, account_key, address_key) VALUES (?, ?, ?)")
            .bind(to_micros(at))
            .bind(account_key)
            .bind(address_key)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn login_failures_since(
        &self,
        account_key: &[u8],
        address_key: &[u8],
        since: OffsetDateTime,
    ) -> StoreResult<LoginFailures> {
        let account: Vec<i64> = sqlx::query_scalar(
            "SELECT at FROM login_failures WHERE account_key = ? AND at >= ? ORDER BY at LIMIT 1000",
        )
        .bind(account_key)
        .bind(to_micros(since))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let address: Vec<i64> = sqlx::query_scalar(
            "SELECT at FROM login_failures WHERE address_key = ? AND at >= ? ORDER BY at LIMIT 1000",
        )
        .bind(address_key)
        .bind(to_micros(since))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        Ok(LoginFailures {
            account: micros_list(account),
            address: micros_list(address),
        })
    }

    async fn clear_login_failures(
        &self,
        account_key: &[u8],
        user: UserId,
        notice_id: Uuid,
        at: OffsetDateTime,
    ) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let failed = sqlx::query("DELETE FROM login_failures WHERE account_key = ?")
            .bind(account_key)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        if failed > 0 {
            let notice = SecurityNotice {
                id: notice_id,
                user_id: user,
                kind: SecurityNoticeKind::FailedSignIns,
                count: u32::try_from(failed).unwrap_or(u32::MAX),
                at,
                acknowledged_at: None,
            };
            insert_notice(&mut tx, &notice).await?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(failed)
    }

    async fn insert_anonymous_notification(&self, n: &AnonymousNotification) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO anonymous_notifications (id, at, org_id, sex, age_group, nationality, exploitation_forms, region) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(n.id.to_string())
        .bind(to_micros(n.at))
        .bind(n.org_id.to_string())
        .bind(&n.sex)
        .bind(&n.age_group)
        .bind(&n.nationality)
        .bind(n.exploitation_forms.join(","))
        .bind(&n.region)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn count_anonymous_notifications(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM anonymous_notifications")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(n as u64)
    }

    async fn anonymous_notifications(
        &self,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
    ) -> StoreResult<Vec<AnonymousNotification>> {
        let rows = sqlx::query(
            "SELECT id, at, org_id, sex, age_group, nationality, exploitation_forms, region \
             FROM anonymous_notifications WHERE at >= ? AND at <= ? ORDER BY at, id",
        )
        .bind(from.map_or(i64::MIN, to_micros))
        .bind(to.map_or(i64::MAX, to_micros))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let forms: String = r.try_get("exploitation_forms").map_err(backend)?;
                Ok(AnonymousNotification {
                    id: uuid_col(r, "id")?,
                    at: from_micros(r.try_get("at").map_err(backend)?),
                    org_id: OrgId(uuid_col(r, "org_id")?),
                    sex: r.try_get("sex").map_err(backend)?,
                    age_group: r.try_get("age_group").map_err(backend)?,
                    nationality: r.try_get("nationality").map_err(backend)?,
                    exploitation_forms: forms
                        .split(',')
                        .filter(|f| !f.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    region: r.try_get("region").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn put_case_statistics(&self, row: &CaseStatistics) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // Writing first takes the write lock at once: the row read next is the one replaced.
        sqlx::query("UPDATE cases SET seq = seq WHERE id = ?")
            .bind(row.case_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let mut deltas = Default::default();
        write_statistics(&mut tx, row, &mut deltas).await?;
        apply_counts(&mut tx, &deltas).await?;
        tx.commit().await.map_err(backend)
    }

    async fn count_case_statistics(
        &self,
        q: &StatisticsQuery,
    ) -> StoreResult<Vec<StatisticsCount>> {
        let (sql, binds) = q.sql(|_| "?".to_string());
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        run_counts(&mut conn, &sql, &binds, q.dims.len()).await
    }

    async fn count_statistics(&self, q: &StatisticsQuery) -> StoreResult<Vec<StatisticsCount>> {
        let Some(plan) = q.counts_plan(|_| "?".to_string()) else {
            return self.count_case_statistics(q).await;
        };
        // One read transaction (a snapshot in WAL mode): counts and partial quarters agree.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let mut parts = vec![run_counts(&mut tx, &plan.sql, &plan.binds, q.dims.len()).await?];
        for edge in &plan.edges {
            let (sql, binds) = edge.sql(|_| "?".to_string());
            parts.push(run_counts(&mut tx, &sql, &binds, q.dims.len()).await?);
        }
        tx.commit().await.map_err(backend)?;
        if plan.edges.is_empty() {
            return Ok(parts.pop().unwrap_or_default());
        }
        Ok(harbour_store::statistics::merge_counts(parts))
    }

    async fn rebuild_statistics_counts(&self) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // Deleting first takes the write lock: no case change slips in before the commit.
        sqlx::query("DELETE FROM statistics_counts")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for sql in harbour_store::statistics::rebuild_counts_sql()
            .into_iter()
            .chain(harbour_store::statistics::rebuild_support_counts_sql(
                harbour_store::statistics::Dialect::Sqlite,
            ))
        {
            sqlx::query(&sql).execute(&mut *tx).await.map_err(backend)?;
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM statistics_counts")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(n.max(0) as u64)
    }

    async fn count_support_rows(
        &self,
        q: &harbour_store::SupportQuery,
    ) -> StoreResult<Vec<StatisticsCount>> {
        let (sql, binds) = q.sql(|_| "?".to_string());
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        run_counts(&mut conn, &sql, &binds, q.key_count()).await
    }

    async fn count_support_statistics(
        &self,
        q: &harbour_store::SupportQuery,
    ) -> StoreResult<Vec<StatisticsCount>> {
        let Some(plan) = q.counts_plan(|_| "?".to_string()) else {
            return self.count_support_rows(q).await;
        };
        // One read transaction (a snapshot in WAL mode): counters and partial quarters agree.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let counted = run_counts(&mut tx, &plan.sql, &plan.binds, plan.key_count).await?;
        let mut edges = Vec::new();
        for edge in &plan.edges {
            let (sql, binds) = edge.sql(|_| "?".to_string());
            edges.push(run_counts(&mut tx, &sql, &binds, edge.key_count()).await?);
        }
        tx.commit().await.map_err(backend)?;
        plan.finish(counted, edges)
    }

    async fn case_statistics(
        &self,
        after: Option<CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseStatistics>> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let rows = match after {
            Some(a) => sqlx::query(&format!(
                "SELECT {} FROM case_statistics WHERE case_id > ? ORDER BY case_id LIMIT ?",
                harbour_store::statistics::STAT_COLUMNS
            ))
            .bind(a.to_string())
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?,
            None => sqlx::query(&format!(
                "SELECT {} FROM case_statistics ORDER BY case_id LIMIT ?",
                harbour_store::statistics::STAT_COLUMNS
            ))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?,
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let forms: Vec<String> = sqlx::query_scalar(
                "SELECT form FROM case_exploitation_forms WHERE case_id = ? ORDER BY form",
            )
            .bind(r.try_get::<String, _>("case_id").map_err(backend)?)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            out.push(statistics_from_row(r, forms)?);
        }
        tx.commit().await.map_err(backend)?;
        Ok(out)
    }

    async fn create_bank(&self, name: &str, at: OffsetDateTime) -> StoreResult<()> {
        sqlx::query("INSERT INTO hash_banks (name, version, created_at) VALUES (?, 0, ?)")
            .bind(name)
            .bind(to_micros(at))
            .execute(&self.pool)
            .await
            .map_err(|e| match backend(e) {
                StoreError::Duplicate(_) => StoreError::Duplicate(format!("a bank named {name}")),
                other => other,
            })?;
        Ok(())
    }

    async fn list_banks(&self) -> StoreResult<Vec<String>> {
        sqlx::query_scalar("SELECT name FROM hash_banks ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)
    }

    async fn add_bank_hash(
        &self,
        bank: &str,
        hash: &[u8; 32],
        label: &str,
        quality: u8,
        at: OffsetDateTime,
    ) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let bumped = sqlx::query("UPDATE hash_banks SET version = version + 1 WHERE name = ?")
            .bind(bank)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if bumped.rows_affected() == 0 {
            return Err(StoreError::Missing(format!("bank {bank}")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bank_hashes (bank, hash, label, quality, added_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(bank)
        .bind(&hash[..])
        .bind(label)
        .bind(i64::from(quality))
        .bind(to_micros(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(id)
    }

    async fn remove_bank_hash(&self, bank: &str, id: i64, at: OffsetDateTime) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let r = sqlx::query("UPDATE bank_hashes SET removed_at = ? WHERE bank = ? AND id = ? AND removed_at IS NULL")
            .bind(to_micros(at))
            .bind(bank)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Missing(format!("hash {id} in bank {bank}")));
        }
        sqlx::query("UPDATE hash_banks SET version = version + 1 WHERE name = ?")
            .bind(bank)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn bank_version(&self, bank: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT version FROM hash_banks WHERE name = ?")
            .bind(bank)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)
    }

    async fn bank_hashes(&self, bank: &str) -> StoreResult<Vec<BankHash>> {
        let rows = sqlx::query(
            "SELECT id, hash FROM bank_hashes WHERE bank = ? AND removed_at IS NULL ORDER BY id",
        )
        .bind(bank)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(BankHash {
                    id: r.try_get("id").map_err(backend)?,
                    hash: hash_col(r, "hash")?,
                })
            })
            .collect()
    }

    async fn insert_platform_key(&self, k: &PlatformKey) -> StoreResult<()> {
        sqlx::query("INSERT INTO platform_keys (key_hash, name, banks, per_minute, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&k.key_hash)
            .bind(&k.name)
            .bind(k.banks.join("\n"))
            .bind(i64::from(k.per_minute))
            .bind(to_micros(k.created_at))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn platform_key(&self, key_hash: &[u8]) -> StoreResult<Option<PlatformKey>> {
        let row = sqlx::query("SELECT * FROM platform_keys WHERE key_hash = ?")
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| {
            let banks: String = r.try_get("banks").map_err(backend)?;
            Ok(PlatformKey {
                key_hash: r.try_get("key_hash").map_err(backend)?,
                name: r.try_get("name").map_err(backend)?,
                banks: banks
                    .split('\n')
                    .filter(|b| !b.is_empty())
                    .map(str::to_owned)
                    .collect(),
                per_minute: u32::try_from(r.try_get::<i64, _>("per_minute").map_err(backend)?)
                    .unwrap_or(0),
                created_at: from_micros(r.try_get("created_at").map_err(backend)?),
            })
        })
        .transpose()
    }

    async fn count_platform_request(&self, key_hash: &[u8], minute: i64) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO platform_usage (key_hash, minute, count) VALUES (?, ?, 1) \
             ON CONFLICT (key_hash, minute) DO UPDATE SET count = platform_usage.count + 1 RETURNING count",
        )
        .bind(key_hash)
        .bind(minute)
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        Ok(n as u64)
    }

    async fn insert_tracing_request(
        &self,
        r: &TracingRequestRecord,
        access: &TracingAccess,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let h = &r.header;
        sqlx::query(
            "INSERT INTO tracing_requests (id, org_id, legal_basis, status, filed_at, updated_at, wrapped_key, payload) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(h.id.to_string())
        .bind(h.org_id.to_string())
        .bind(h.legal_basis.as_str())
        .bind(h.status.as_str())
        .bind(to_micros(h.filed_at))
        .bind(to_micros(h.updated_at))
        .bind(&r.wrapped_key)
        .bind(&r.payload)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        insert_tracing_access(&mut tx, access).await?;
        insert_tracing_change(&mut tx, "request", h.id, h.updated_at).await?;
        tx.commit().await.map_err(backend)
    }

    async fn tracing_request(&self, id: Uuid) -> StoreResult<Option<TracingRequestRecord>> {
        let row = sqlx::query("SELECT * FROM tracing_requests WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| {
            Ok(TracingRequestRecord {
                header: tracing_header(&r)?,
                wrapped_key: r.try_get("wrapped_key").map_err(backend)?,
                payload: r.try_get("payload").map_err(backend)?,
            })
        })
        .transpose()
    }

    async fn list_tracing_requests(
        &self,
        org: Option<OrgId>,
    ) -> StoreResult<Vec<TracingRequestHeader>> {
        const COLS: &str = "id, org_id, legal_basis, status, filed_at, updated_at";
        let rows = match org {
            Some(o) => {
                sqlx::query(&format!(
                "SELECT {COLS} FROM tracing_requests WHERE org_id = ? ORDER BY filed_at DESC, id"
            ))
                .bind(o.to_string())
                .fetch_all(&self.pool)
                .await
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {COLS} FROM tracing_requests ORDER BY filed_at DESC, id"
                ))
                .fetch_all(&self.pool)
                .await
            }
        }
        .map_err(backend)?;
        rows.iter().map(tracing_header).collect()
    }

    async fn set_tracing_request_status(
        &self,
        id: Uuid,
        status: harbour_domain::TracingStatus,
        at: OffsetDateTime,
        access: &TracingAccess,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let r = sqlx::query("UPDATE tracing_requests SET status = ?, updated_at = ? WHERE id = ?")
            .bind(status.as_str())
            .bind(to_micros(at))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Missing(format!("tracing request {id}")));
        }
        insert_tracing_access(&mut tx, access).await?;
        insert_tracing_change(&mut tx, "request", id, at).await?;
        tx.commit().await.map_err(backend)
    }

    async fn record_tracing_access(&self, access: &TracingAccess) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        insert_tracing_access(&mut conn, access).await
    }

    async fn note_tracing_change(
        &self,
        kind: &str,
        id: Uuid,
        at: OffsetDateTime,
    ) -> StoreResult<i64> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        insert_tracing_change(&mut conn, kind, id, at).await
    }

    async fn tracing_changes_after(&self, seq: i64, limit: u32) -> StoreResult<Vec<TracingChange>> {
        let rows = sqlx::query(
            "SELECT seq, kind, id FROM tracing_changes WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(TracingChange {
                    seq: r.try_get("seq").map_err(backend)?,
                    kind: r.try_get("kind").map_err(backend)?,
                    id: uuid_col(r, "id")?,
                })
            })
            .collect()
    }

    async fn tracing_access_log(&self, id: Uuid) -> StoreResult<Vec<TracingAccess>> {
        let rows = sqlx::query("SELECT * FROM tracing_access_log WHERE request_id = ? ORDER BY id")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(TracingAccess {
                    request_id: uuid_col(r, "request_id")?,
                    at: from_micros(r.try_get("at").map_err(backend)?),
                    user_id: UserId(uuid_col(r, "user_id")?),
                    org_id: OrgId(uuid_col(r, "org_id")?),
                    action: r.try_get("action").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn probe_insert(&self, body: &[u8]) -> StoreResult<i64> {
        let id: i64 = sqlx::query_scalar("INSERT INTO bench_probe (body) VALUES (?) RETURNING id")
            .bind(body)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(id)
    }

    async fn probe_select(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT body FROM bench_probe WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)
    }

    async fn erase_case(&self, change: &CaseChange, basis: &str) -> StoreResult<()> {
        let id = change.projection.id.to_string();
        let mut tx = self.pool.begin().await.map_err(backend)?;
        append_in(&mut tx, change).await?;
        sqlx::query("DELETE FROM case_keys WHERE case_id = ?")
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("DELETE FROM case_person_keys WHERE case_id = ?")
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("INSERT INTO case_erasures (case_id, erased_at, basis) VALUES (?, ?, ?)")
            .bind(&id)
            .bind(to_micros(change.projection.updated_at))
            .bind(basis)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn case_erasure(&self, id: CaseId) -> StoreResult<Option<CaseErasure>> {
        let row = sqlx::query("SELECT erased_at, basis FROM case_erasures WHERE case_id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| {
            Ok(CaseErasure {
                at: from_micros(r.try_get("erased_at").map_err(backend)?),
                basis: r.try_get("basis").map_err(backend)?,
            })
        })
        .transpose()
    }

    async fn ended_cases(&self, after: Option<CaseId>, limit: u32) -> StoreResult<Vec<CaseId>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM cases c WHERE phase IN ('closed', 'disqualified') \
             AND NOT EXISTS (SELECT 1 FROM case_erasures e WHERE e.case_id = c.id) \
             AND created_order > COALESCE((SELECT created_order FROM cases WHERE id = ?), 0) \
             ORDER BY created_order LIMIT ?",
        )
        .bind(after.map(|a| a.to_string()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|s| {
                Uuid::parse_str(s)
                    .map(CaseId)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    async fn record_keys_not_wrapped_by(
        &self,
        table: SealedKeyTable,
        key_id: &[u8],
        limit: u32,
    ) -> StoreResult<Vec<(uuid::Uuid, Vec<u8>)>> {
        let (t, col) = table.sql_names();
        let rows = sqlx::query(&format!("SELECT {col} AS id, wrapped_key FROM {t} WHERE substr(wrapped_key, 2, ?) <> ? ORDER BY {col} LIMIT ?"))
            .bind(key_id.len() as i64)
            .bind(key_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok((
                    uuid_col(r, "id")?,
                    r.try_get("wrapped_key").map_err(backend)?,
                ))
            })
            .collect()
    }

    async fn rewrap_record_keys(
        &self,
        table: SealedKeyTable,
        batch: &[(uuid::Uuid, Vec<u8>, Vec<u8>)],
    ) -> StoreResult<u64> {
        let (t, col) = table.sql_names();
        let sql = format!("UPDATE {t} SET wrapped_key = ? WHERE {col} = ? AND wrapped_key = ?");
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let mut n = 0;
        for (id, old, new) in batch {
            n += sqlx::query(&sql)
                .bind(new)
                .bind(id.to_string())
                .bind(old)
                .execute(&mut *tx)
                .await
                .map_err(backend)?
                .rows_affected();
        }
        tx.commit().await.map_err(backend)?;
        Ok(n)
    }

    async fn deployment_key(&self, name: &str) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT wrapped FROM deployment_keys WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)
    }

    async fn put_deployment_key(
        &self,
        name: &str,
        expected: Option<&[u8]>,
        wrapped: &[u8],
    ) -> StoreResult<()> {
        let done = match expected {
            None => sqlx::query(
                "INSERT INTO deployment_keys (name, wrapped) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(wrapped)
            .execute(&self.pool)
            .await,
            Some(old) => sqlx::query(
                "UPDATE deployment_keys SET wrapped = ? WHERE name = ? AND wrapped = ?",
            )
            .bind(wrapped)
            .bind(name)
            .bind(old)
            .execute(&self.pool)
            .await,
        }
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }
}
