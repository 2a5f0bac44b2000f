//! PostgreSQL backend: the store for deployments with several app servers. Implements
//! [`harbour_store::Store`] with plain SQL, as a faithful port of the SQLite backend (same
//! schema, same semantics); migrations live in `migrations/` and are embedded.
//!
//! Differences from SQLite are only in types and mechanics: ids are native `UUID`, blobs `BYTEA`,
//! `cases.created_order` is an identity column, and text that is compared or sorted (days, party
//! relations, names in lists) uses the bytewise `"C"` collation so results do not depend on the
//! database's locale.

use async_trait::async_trait;
use harbour_domain::{CaseId, Minority, OrgId, Status, UserId};
use harbour_store::*;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Connection, PgConnection, PgPool, Postgres, QueryBuilder, Row};
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// SQLSTATE of `CREATE DATABASE` on a name that is taken.
const DUPLICATE_DATABASE: &str = "42P04";

pub struct PostgresStore {
    pool: PgPool,
}

fn backend(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(db.message().to_string())
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some(DUPLICATE_DATABASE) => {
            StoreError::Duplicate(db.message().to_string())
        }
        // Class 08 (connection exception) and 57P01-57P03 (admin shutdown, crash shutdown,
        // cannot connect now): the server went away; the transaction did not commit.
        sqlx::Error::Database(db)
            if db.code().is_some_and(|c| {
                c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")
            }) =>
        {
            StoreError::Unavailable(db.message().to_string())
        }
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Backend(e.to_string()),
    }
}

fn seq_to_db(seq: u64) -> StoreResult<i64> {
    i64::try_from(seq).map_err(|_| StoreError::Backend(format!("seq {seq} is out of range")))
}

fn seq_from_db(row: &PgRow, col: &str) -> StoreResult<u64> {
    let v: i64 = row.try_get(col).map_err(backend)?;
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{col} is negative ({v})")))
}

fn micros_col(row: &PgRow, col: &str) -> StoreResult<OffsetDateTime> {
    Ok(from_micros(row.try_get(col).map_err(backend)?))
}

fn hash_col(row: &PgRow, col: &str) -> StoreResult<[u8; 32]> {
    let v: Vec<u8> = row.try_get(col).map_err(backend)?;
    v.try_into()
        .map_err(|_| StoreError::Corrupt(format!("{col} is not 32 bytes")))
}

/// Check that a database name is plain `[a-z0-9_]+` (at most 63 bytes, PostgreSQL's limit), so
/// it can be put in DDL, which takes no parameters.
fn check_database_name(name: &str) -> StoreResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Backend(format!(
            "bad database name {name:?}: use 1 to 63 of a-z, 0-9 and _"
        )))
    }
}

async fn admin_connection(admin_url: &str) -> StoreResult<PgConnection> {
    PgConnection::connect(admin_url).await.map_err(backend)
}

/// Create the empty database `name` (`[a-z0-9_]+`) through a connection to `admin_url`, which
/// must name a user allowed to create databases. [`StoreError::Duplicate`] if it exists.
pub async fn create_database(admin_url: &str, name: &str) -> StoreResult<()> {
    check_database_name(name)?;
    let mut conn = admin_connection(admin_url).await?;
    let result = sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .map_err(backend);
    // Closing politely is best effort; the outcome that matters is the CREATE's.
    let _ = conn.close().await;
    result.map(|_| ())
}

/// Drop the database `name` (`[a-z0-9_]+`) if it exists, through a connection to `admin_url`,
/// ending any sessions still connected to it (PostgreSQL 13 or later).
pub async fn drop_database(admin_url: &str, name: &str) -> StoreResult<()> {
    check_database_name(name)?;
    let mut conn = admin_connection(admin_url).await?;
    let result = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .map_err(backend);
    let _ = conn.close().await;
    result.map(|_| ())
}

/// `url` with its database replaced by `name`: `postgres://u@h:5432/test?sslmode=disable` and
/// `other` give `postgres://u@h:5432/other?sslmode=disable`. For connecting to a database made by
/// [`create_database`] with the same server and credentials as the admin URL.
pub fn database_url(url: &str, name: &str) -> StoreResult<String> {
    check_database_name(name)?;
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| StoreError::Backend("a PostgreSQL URL starts with postgres://".into()))?;
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (rest, None),
    };
    let authority = main.split_once('/').map_or(main, |(a, _)| a);
    Ok(match query {
        Some(q) => format!("{scheme}://{authority}/{name}?{q}"),
        None => format!("{scheme}://{authority}/{name}"),
    })
}

impl PostgresStore {
    /// Connect to the database at a `postgres://` URL. Migrations are not run here; call
    /// [`Store::migrate`].
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("bad PostgreSQL URL: {e}")))?
            .application_name("harbour");
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(PostgresStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn org_from_row(row: &PgRow) -> StoreResult<Organisation> {
        Ok(Organisation {
            id: OrgId(row.try_get("id").map_err(backend)?),
            name: row.try_get("name").map_err(backend)?,
            kind: parse_stored(row.try_get::<&str, _>("kind").map_err(backend)?)?,
            created_at: micros_col(row, "created_at")?,
        })
    }

    fn user_from_row(row: &PgRow) -> StoreResult<User> {
        Ok(User {
            id: UserId(row.try_get("id").map_err(backend)?),
            email: row.try_get("email").map_err(backend)?,
            org_id: OrgId(row.try_get("org_id").map_err(backend)?),
            role: parse_stored(row.try_get::<&str, _>("role").map_err(backend)?)?,
            password_hash: row.try_get("password_hash").map_err(backend)?,
            locale: row.try_get("locale").map_err(backend)?,
            active: row.try_get("active").map_err(backend)?,
            created_at: micros_col(row, "created_at")?,
        })
    }

    fn projection_from_row(row: &PgRow) -> StoreResult<CaseProjection> {
        let day = |col: &str| -> StoreResult<Option<time::Date>> {
            let s: Option<&str> = row.try_get(col).map_err(backend)?;
            s.map(parse_day).transpose()
        };
        Ok(CaseProjection {
            id: CaseId(row.try_get("id").map_err(backend)?),
            phase: parse_stored::<Status>(row.try_get::<&str, _>("phase").map_err(backend)?)?,
            minority: parse_stored::<Minority>(
                row.try_get::<&str, _>("minority").map_err(backend)?,
            )?,
            referred_at: micros_col(row, "referred_at")?,
            referring_org: OrgId(row.try_get("referring_org").map_err(backend)?),
            owner_org: OrgId(row.try_get("owner_org").map_err(backend)?),
            guardian: row
                .try_get::<Option<Uuid>, _>("guardian_user")
                .map_err(backend)?
                .map(UserId),
            rg_due: day("rg_due")?,
            awaiting_cg_from: day("awaiting_cg_from")?,
            guardian_due: row
                .try_get::<Option<i64>, _>("guardian_due")
                .map_err(backend)?
                .map(from_micros),
            rights_due: parse_days(row.try_get::<&str, _>("rights_due").map_err(backend)?)?,
            updated_at: micros_col(row, "updated_at")?,
            seq: seq_from_db(row, "seq")?,
        })
    }

    fn event_from_row(row: &PgRow) -> StoreResult<StoredEvent> {
        Ok(StoredEvent {
            case_id: CaseId(row.try_get("case_id").map_err(backend)?),
            seq: seq_from_db(row, "seq")?,
            at: micros_col(row, "at")?,
            actor: UserId(row.try_get("actor").map_err(backend)?),
            actor_org: OrgId(row.try_get("actor_org").map_err(backend)?),
            kind: row.try_get("kind").map_err(backend)?,
            payload: row.try_get("payload").map_err(backend)?,
            prev_hash: hash_col(row, "prev_hash")?,
            hash: hash_col(row, "hash")?,
        })
    }
}

/// The parties of some cases, in one query, ordered by case, relation, organisation.
async fn parties_of(
    conn: &mut PgConnection,
    ids: &[CaseId],
) -> StoreResult<Vec<(CaseId, CaseParty)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<Uuid> = ids.iter().map(|c| c.0).collect();
    let rows = sqlx::query(
        "SELECT case_id, org_id, relation FROM case_parties WHERE case_id = ANY($1) \
         ORDER BY case_id, relation, org_id",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|r| {
            let rel: &str = r.try_get("relation").map_err(backend)?;
            Ok((
                CaseId(r.try_get("case_id").map_err(backend)?),
                CaseParty {
                    org_id: OrgId(r.try_get("org_id").map_err(backend)?),
                    relation: PartyRelation::parse(rel)
                        .ok_or_else(|| StoreError::Corrupt(format!("relation {rel}")))?,
                },
            ))
        })
        .collect()
}

async fn header_of(conn: &mut PgConnection, id: CaseId) -> StoreResult<Option<CaseHeader>> {
    let row = sqlx::query(&format!(
        "SELECT {PROJECTION_COLUMNS} FROM cases c WHERE c.id = $1"
    ))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend)?;
    let Some(row) = row else { return Ok(None) };
    let projection = PostgresStore::projection_from_row(&row)?;
    let parties = parties_of(conn, &[id])
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    Ok(Some(CaseHeader {
        projection,
        parties,
    }))
}

async fn insert_events(tx: &mut PgConnection, events: &[StoredEvent]) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let seqs = events
        .iter()
        .map(|e| seq_to_db(e.seq))
        .collect::<StoreResult<Vec<_>>>()?;
    // One statement per case's events: statements, not rows, are what a bulk load pays for.
    let mut q = QueryBuilder::<Postgres>::new(
        "INSERT INTO case_events (case_id, seq, at, actor, actor_org, kind, payload, prev_hash, hash) ",
    );
    q.push_values(events.iter().zip(seqs), |mut row, (e, seq)| {
        row.push_bind(e.case_id.0)
            .push_bind(seq)
            .push_bind(to_micros(e.at))
            .push_bind(e.actor.0)
            .push_bind(e.actor_org.0)
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
    tx: &mut PgConnection,
    case: CaseId,
    keys: &[Vec<u8>],
) -> StoreResult<()> {
    for k in keys {
        sqlx::query(
            "INSERT INTO case_person_keys (key, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(k)
        .bind(case.0)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
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
    q: &mut QueryBuilder<Postgres>,
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
            q.push("cases c WHERE TRUE");
        }
        Branch::Party => {
            q.push("case_visibility v JOIN cases c ON c.id = v.case_id WHERE v.org_id = ")
                .push_bind(f.viewer.org_id.0);
        }
        Branch::Guardian => {
            q.push("cases c WHERE c.guardian_user = ")
                .push_bind(f.viewer.user_id.0);
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
            q.push(
                " AND (c.phase = 'awaiting_conclusive_grounds' OR (c.phase = 'recovery_period' \
                 AND c.awaiting_cg_from <= ",
            )
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
            .push(
                ") OR (c.phase IN ('recovery_period', 'awaiting_conclusive_grounds') \
                 AND c.awaiting_cg_from < ",
            )
            .push_bind(today.to_string())
            .push("))");
    }
    if f.rights_overdue {
        q.push(" AND c.rights_due_first < ")
            .push_bind(today.to_string());
    }
    if let Some((after_at, after_id)) = f.after {
        // Row comparison: the same order as the indexes walk.
        q.push(format!(" AND ({at}, {id}) {cmp} ("))
            .push_bind(to_micros(after_at))
            .push(", ")
            .push_bind(after_id.0)
            .push(")");
    }
    q.push(format!(" ORDER BY {at} {dir}, {id} {dir} LIMIT "))
        .push_bind(i64::from(f.limit))
        .push(format!(") b{n}"));
}

async fn insert_parties(
    tx: &mut PgConnection,
    case: CaseId,
    referred_at: time::OffsetDateTime,
    parties: &[CaseParty],
) -> StoreResult<()> {
    for p in parties {
        sqlx::query(
            "INSERT INTO case_parties (case_id, org_id, relation) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(case.0)
        .bind(p.org_id.0)
        .bind(p.relation.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        sqlx::query(
            "INSERT INTO case_visibility (org_id, case_id, referred_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(p.org_id.0)
        .bind(case.0)
        .bind(to_micros(referred_at))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

async fn append_in(tx: &mut PgConnection, change: &CaseChange) -> StoreResult<()> {
    let p = &change.projection;
    // The conditional UPDATE comes first: it locks the case row, so a concurrent append waits
    // for this transaction and then, re-checking `seq` against the committed row, updates
    // nothing and reports a conflict. The whole change hangs on nobody having appended since.
    let updated = sqlx::query(
        "UPDATE cases SET phase = $1, minority = $2, owner_org = $3, guardian_user = $4, rg_due = $5, \
         awaiting_cg_from = $6, guardian_due = $7, rights_due_first = $8, rights_due = $9, updated_at = $10, \
         seq = $11 WHERE id = $12 AND seq = $13",
    )
    .bind(p.phase.as_str())
    .bind(p.minority.as_str())
    .bind(p.owner_org.0)
    .bind(p.guardian.map(|g| g.0))
    .bind(p.rg_due.map(day_text))
    .bind(p.awaiting_cg_from.map(day_text))
    .bind(p.guardian_due.map(to_micros))
    .bind(p.rights_due.first().map(|d| day_text(*d)))
    .bind(days_text(&p.rights_due))
    .bind(to_micros(p.updated_at))
    .bind(seq_to_db(p.seq)?)
    .bind(p.id.0)
    .bind(seq_to_db(change.expected_seq)?)
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

async fn insert_tracing_access(tx: &mut PgConnection, a: &TracingAccess) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tracing_access_log (request_id, at, user_id, org_id, action) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(a.request_id)
    .bind(to_micros(a.at))
    .bind(a.user_id.0)
    .bind(a.org_id.0)
    .bind(&a.action)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    Ok(())
}

async fn insert_tracing_change(
    tx: &mut PgConnection,
    kind: &str,
    id: Uuid,
    at: OffsetDateTime,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO tracing_changes (kind, id, at) VALUES ($1, $2, $3) RETURNING seq",
    )
    .bind(kind)
    .bind(id)
    .bind(to_micros(at))
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)
}

fn tracing_header(r: &PgRow) -> StoreResult<TracingRequestHeader> {
    let basis: String = r.try_get("legal_basis").map_err(backend)?;
    let status: String = r.try_get("status").map_err(backend)?;
    Ok(TracingRequestHeader {
        id: r.try_get("id").map_err(backend)?,
        org_id: OrgId(r.try_get("org_id").map_err(backend)?),
        legal_basis: parse_stored(&basis)?,
        status: parse_stored(&status)?,
        filed_at: micros_col(r, "filed_at")?,
        updated_at: micros_col(r, "updated_at")?,
    })
}

/// Append an access record to the global chain. The `UPDATE ... RETURNING` of the head row
/// locks it until the transaction ends, so concurrent writers on any app server queue there
/// and each chains to the previous writer's record.
async fn insert_access(tx: &mut PgConnection, a: &AccessRecord) -> StoreResult<()> {
    let head =
        sqlx::query("UPDATE access_chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
    let seq = seq_from_db(&head, "seq")?;
    let prev = hash_col(&head, "hash")?;
    let hash = access_hash(&prev, seq, a);
    sqlx::query(
        "INSERT INTO access_log (at, user_id, org_id, case_id, action, purpose, seq, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(to_micros(a.at))
    .bind(a.user_id.0)
    .bind(a.org_id.0)
    .bind(a.case_id.map(|c| c.0))
    .bind(&a.action)
    .bind(&a.purpose)
    .bind(seq_to_db(seq)?)
    .bind(prev.as_slice())
    .bind(hash.as_slice())
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    sqlx::query("UPDATE access_chain_head SET hash = $1 WHERE id = 1")
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

fn service_from_row(r: &PgRow) -> StoreResult<ServiceRow> {
    let count = |col: &str| -> StoreResult<u32> {
        let v: i32 = r.try_get(col).map_err(backend)?;
        u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{col} {v}")))
    };
    Ok(ServiceRow {
        id: r.try_get("id").map_err(backend)?,
        org_id: OrgId(r.try_get("org_id").map_err(backend)?),
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
        child_specialised: r.try_get("child_specialised").map_err(backend)?,
        created_at: micros_col(r, "created_at")?,
    })
}

fn referral_from_row(r: &PgRow) -> StoreResult<ServiceReferralRow> {
    Ok(ServiceReferralRow {
        id: r.try_get("id").map_err(backend)?,
        case_id: CaseId(r.try_get("case_id").map_err(backend)?),
        service_id: r.try_get("service_id").map_err(backend)?,
        provider_org: OrgId(r.try_get("provider_org").map_err(backend)?),
        status: parse_stored(r.try_get::<&str, _>("status").map_err(backend)?)?,
        referred_at: micros_col(r, "referred_at")?,
        accepted_at: r
            .try_get::<Option<i64>, _>("accepted_at")
            .map_err(backend)?
            .map(from_micros),
        updated_at: micros_col(r, "updated_at")?,
    })
}

async fn support_writes(tx: &mut PgConnection, case: CaseId, w: &SupportWrites) -> StoreResult<()> {
    for r in &w.referrals {
        sqlx::query(
            "INSERT INTO service_referrals (id, case_id, service_id, provider_org, status, referred_at, accepted_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET status = excluded.status, \
             accepted_at = excluded.accepted_at, updated_at = excluded.updated_at",
        )
        .bind(r.id)
        .bind(r.case_id.0)
        .bind(r.service_id)
        .bind(r.provider_org.0)
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
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET status = excluded.status, \
             answered_at = excluded.answered_at",
        )
        .bind(t.id)
        .bind(t.case_id.0)
        .bind(t.from_org.0)
        .bind(t.to_org.0)
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
            "UPDATE services SET taken = taken + $1 WHERE id = $2 AND taken + $1 <= capacity AND taken + $1 >= 0",
        )
        .bind(*delta)
        .bind(*service)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
    }
    for p in &w.drop_parties {
        sqlx::query(
            "DELETE FROM case_parties WHERE case_id = $1 AND org_id = $2 AND relation = $3",
        )
        .bind(case.0)
        .bind(p.org_id.0)
        .bind(p.relation.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        sqlx::query(
            "DELETE FROM case_visibility WHERE case_id = $1 AND org_id = $2 AND NOT EXISTS \
             (SELECT 1 FROM case_parties WHERE case_id = $1 AND org_id = $2)",
        )
        .bind(case.0)
        .bind(p.org_id.0)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

/// The statistical row a case has now, if any (to subtract its counts before replacing it).
async fn stored_statistics(
    tx: &mut PgConnection,
    case: Uuid,
) -> StoreResult<Option<harbour_store::statistics::StatColumns>> {
    let Some(r) = sqlx::query(&format!(
        "SELECT {} FROM case_statistics WHERE case_id = $1",
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
        sqlx::query_scalar("SELECT form FROM case_exploitation_forms WHERE case_id = $1")
            .bind(case)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
    Ok(Some(statistics_columns(&r, forms)?))
}

/// Add the counters' changes to `statistics_counts`, in key order: every writer takes the
/// counters' row locks in the same order, so two writers cannot deadlock on them.
/// The support rows a case has now, if any (to subtract their counts before replacing them).
async fn stored_support(
    tx: &mut PgConnection,
    case: Uuid,
    old: &harbour_store::statistics::StatColumns,
) -> StoreResult<Option<harbour_store::statistics::SupportColumns>> {
    let Some(u) = sqlx::query(
        "SELECT closed_on, cooperation, compensation FROM case_support_statistics WHERE case_id = $1",
    )
    .bind(case)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?
    else {
        return Ok(None);
    };
    let rights = sqlx::query_as::<_, (String, String, Option<String>, Option<String>)>(
        "SELECT right_code, status, due_on, met_on FROM case_right_statistics WHERE case_id = $1",
    )
    .bind(case)
    .fetch_all(&mut *tx)
    .await
    .map_err(backend)?;
    let amounts = sqlx::query_as::<_, (String, String, i64)>(
        "SELECT stage, currency, amount_minor FROM case_compensation_amounts WHERE case_id = $1",
    )
    .bind(case)
    .fetch_all(&mut *tx)
    .await
    .map_err(backend)?;
    let services = sqlx::query_as::<_, (i32, String, String, Option<i32>)>(
        "SELECT n, service_kind, status, accepted_days FROM case_service_statistics WHERE case_id = $1",
    )
    .bind(case)
    .fetch_all(&mut *tx)
    .await
    .map_err(backend)?;
    Ok(Some(harbour_store::statistics::SupportColumns {
        case_id: case,
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

async fn apply_counts(
    tx: &mut PgConnection,
    deltas: &harbour_store::statistics::CountDeltas,
) -> StoreResult<()> {
    let sql = harbour_store::statistics::upsert_count_sql(|n| format!("${n}"));
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
    tx: &mut PgConnection,
    row: &CaseStatistics,
    deltas: &mut harbour_store::statistics::CountDeltas,
) -> StoreResult<()> {
    let c = harbour_store::statistics::StatColumns::from_row(row);
    // Lock the case first, so that the row read below is the one this write replaces, even
    // when a rebuild and a case change write the same case at once.
    sqlx::query("SELECT id FROM cases WHERE id = $1 FOR UPDATE")
        .bind(c.case_id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    // The rows it replaces leave their groups; erasure never comes here, so erased cases count on.
    if let Some(old) = stored_statistics(tx, c.case_id).await? {
        if let Some(support) = stored_support(tx, c.case_id, &old).await? {
            harbour_store::statistics::add_support_counts(deltas, &support, -1)?;
        }
        harbour_store::statistics::add_counts(deltas, &old, -1);
    }
    harbour_store::statistics::add_counts(deltas, &c, 1);
    // Derived once: the counters and the rows are written from the same columns.
    let support = harbour_store::statistics::SupportColumns::from_row(row);
    harbour_store::statistics::add_support_counts(deltas, &support, 1)?;
    write_support_statistics_delete(&mut *tx, c.case_id).await?;
    sqlx::query("DELETE FROM case_exploitation_forms WHERE case_id = $1")
        .bind(c.case_id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    sqlx::query("DELETE FROM case_statistics WHERE case_id = $1")
        .bind(c.case_id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    sqlx::query(&format!(
        "INSERT INTO case_statistics ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
        harbour_store::statistics::STAT_COLUMNS
    ))
    .bind(c.case_id)
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
            "INSERT INTO case_exploitation_forms (case_id, form, referred_on, referred_quarter, age_at_referral, age_at_exploitation) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(c.case_id)
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
async fn write_support_statistics_delete(tx: &mut PgConnection, id: uuid::Uuid) -> StoreResult<()> {
    for table in harbour_store::statistics::SUPPORT_TABLES {
        sqlx::query(&format!("DELETE FROM {table} WHERE case_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

/// Write a case's rights, redress and service rows inside the caller's transaction.
async fn write_support_statistics(
    tx: &mut PgConnection,
    c: &harbour_store::statistics::SupportColumns,
) -> StoreResult<()> {
    // One statement for all of a case's rights (about 17): statements, not rows, cost here.
    if !c.rights.is_empty() {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO case_right_statistics (case_id, right_code, status, due_on, met_on, referred_on, closed_on) ",
        );
        q.push_values(&c.rights, |mut row, (right, status, due_on, met_on)| {
            row.push_bind(c.case_id)
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
        "INSERT INTO case_support_statistics (case_id, closed_on, cooperation, compensation) VALUES ($1, $2, $3, $4)",
    )
    .bind(c.case_id)
    .bind(&c.closed_on)
    .bind(&c.cooperation)
    .bind(&c.compensation)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    for (stage, currency, amount) in &c.amounts {
        sqlx::query(
            "INSERT INTO case_compensation_amounts (case_id, stage, currency, amount_minor) VALUES ($1, $2, $3, $4)",
        )
        .bind(c.case_id)
        .bind(stage)
        .bind(currency)
        .bind(amount)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    for (n, kind, status, days) in &c.services {
        sqlx::query(
            "INSERT INTO case_service_statistics (case_id, n, service_kind, status, accepted_days) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(c.case_id)
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

fn session_from_row(r: &PgRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        token_hash: r.try_get("token_hash").map_err(backend)?,
        id: r.try_get("id").map_err(backend)?,
        user_id: UserId(r.try_get("user_id").map_err(backend)?),
        kind: r.try_get("kind").map_err(backend)?,
        created_at: micros_col(r, "created_at")?,
        expires_at: micros_col(r, "expires_at")?,
        last_seen_at: micros_col(r, "last_seen_at")?,
    })
}

async fn insert_session_in(conn: &mut PgConnection, s: &SessionRecord) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, id, user_id, kind, created_at, expires_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.token_hash)
    .bind(s.id)
    .bind(s.user_id.0)
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
    conn: &mut PgConnection,
    user: UserId,
    codes: &[Vec<u8>],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    for c in codes {
        sqlx::query(
            "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, NULL)",
        )
        .bind(user.0)
        .bind(c)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

async fn insert_notice(conn: &mut PgConnection, n: &SecurityNotice) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO security_notices (id, user_id, kind, count, at, acknowledged_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(n.id)
    .bind(n.user_id.0)
    .bind(n.kind.as_str())
    .bind(i64::from(n.count.max(1)))
    .bind(to_micros(n.at))
    .bind(n.acknowledged_at.map(to_micros))
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

fn security_key_from_row(r: &PgRow) -> StoreResult<SecurityKey> {
    let count: i64 = r.try_get("sign_count").map_err(backend)?;
    Ok(SecurityKey {
        id: r.try_get("id").map_err(backend)?,
        user_id: UserId(r.try_get("user_id").map_err(backend)?),
        credential_id: r.try_get("credential_id").map_err(backend)?,
        public_key: r.try_get("public_key").map_err(backend)?,
        name: r.try_get("name").map_err(backend)?,
        sign_count: u32::try_from(count)
            .map_err(|_| StoreError::Corrupt(format!("sign count {count}")))?,
        created_at: micros_col(r, "created_at")?,
        last_used_at: r
            .try_get::<Option<i64>, _>("last_used_at")
            .map_err(backend)?
            .map(from_micros),
    })
}

fn access_from_row(r: &PgRow) -> StoreResult<AccessRecord> {
    Ok(AccessRecord {
        at: micros_col(r, "at")?,
        user_id: UserId(r.try_get("user_id").map_err(backend)?),
        org_id: OrgId(r.try_get("org_id").map_err(backend)?),
        case_id: r
            .try_get::<Option<Uuid>, _>("case_id")
            .map_err(backend)?
            .map(CaseId),
        action: r.try_get("action").map_err(backend)?,
        purpose: r.try_get("purpose").map_err(backend)?,
    })
}

/// Chain access records written before the chain existed, in the order they were written. Only
/// while the chain is still empty (the first start after migration 0007): later, a record outside
/// the chain was written behind Harbour's back, and `audit verify` reports it instead.
async fn chain_legacy_access(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let head = sqlx::query("SELECT seq, hash FROM access_chain_head WHERE id = 1 FOR UPDATE")
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    if seq_from_db(&head, "seq")? != 0 {
        return Ok(());
    }
    let rows = sqlx::query("SELECT * FROM access_log WHERE seq IS NULL ORDER BY id")
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut seq = seq_from_db(&head, "seq")?;
    let mut prev = hash_col(&head, "hash")?;
    for r in &rows {
        let id: i64 = r.try_get("id").map_err(backend)?;
        seq += 1;
        let hash = access_hash(&prev, seq, &access_from_row(r)?);
        sqlx::query("UPDATE access_log SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4")
            .bind(seq_to_db(seq)?)
            .bind(prev.as_slice())
            .bind(hash.as_slice())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        prev = hash;
    }
    sqlx::query("UPDATE access_chain_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq_to_db(seq)?)
        .bind(prev.as_slice())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    tx.commit().await.map_err(backend)
}

fn break_glass_from_row(r: &PgRow) -> StoreResult<BreakGlassGrant> {
    Ok(BreakGlassGrant {
        id: r.try_get("id").map_err(backend)?,
        user_id: UserId(r.try_get("user_id").map_err(backend)?),
        org_id: OrgId(r.try_get("org_id").map_err(backend)?),
        case_id: CaseId(r.try_get("case_id").map_err(backend)?),
        wrapped_key: r.try_get("wrapped_key").map_err(backend)?,
        sealed_reason: r.try_get("sealed_reason").map_err(backend)?,
        granted_at: micros_col(r, "granted_at")?,
        expires_at: micros_col(r, "expires_at")?,
    })
}

fn micros_list(rows: Vec<i64>) -> Vec<OffsetDateTime> {
    rows.into_iter().map(from_micros).collect()
}

fn statistics_from_row(r: &PgRow, forms: Vec<String>) -> StoreResult<CaseStatistics> {
    statistics_columns(r, forms)?.into_row()
}

fn statistics_columns(
    r: &PgRow,
    forms: Vec<String>,
) -> StoreResult<harbour_store::statistics::StatColumns> {
    let get_s = |c: &str| r.try_get::<String, _>(c).map_err(backend);
    let get_os = |c: &str| r.try_get::<Option<String>, _>(c).map_err(backend);
    let get_f = |c: &str| r.try_get::<i16, _>(c).map_err(backend);
    let get_of = |c: &str| r.try_get::<Option<i16>, _>(c).map_err(backend);
    let get_oi = |c: &str| r.try_get::<Option<i32>, _>(c).map_err(backend);
    Ok(harbour_store::statistics::StatColumns {
        case_id: r.try_get::<Uuid, _>("case_id").map_err(backend)?,
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

/// Insert a new case inside the caller's transaction (one case, or a bulk load's batch).
async fn create_case_in(
    tx: &mut PgConnection,
    case: &NewCase,
    deltas: &mut harbour_store::statistics::CountDeltas,
) -> StoreResult<()> {
    let p = &case.projection;
    // created_order is an identity column: it numbers cases in creation order.
    sqlx::query(
        "INSERT INTO cases (id, phase, minority, referred_at, referring_org, owner_org, guardian_user, \
         rg_due, awaiting_cg_from, guardian_due, rights_due_first, rights_due, updated_at, seq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(p.id.0)
    .bind(p.phase.as_str())
    .bind(p.minority.as_str())
    .bind(to_micros(p.referred_at))
    .bind(p.referring_org.0)
    .bind(p.owner_org.0)
    .bind(p.guardian.map(|g| g.0))
    .bind(p.rg_due.map(day_text))
    .bind(p.awaiting_cg_from.map(day_text))
    .bind(p.guardian_due.map(to_micros))
    .bind(p.rights_due.first().map(|d| day_text(*d)))
    .bind(days_text(&p.rights_due))
    .bind(to_micros(p.updated_at))
    .bind(seq_to_db(p.seq)?)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    sqlx::query("INSERT INTO case_keys (case_id, wrapped_key) VALUES ($1, $2)")
        .bind(p.id.0)
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
    conn: &mut PgConnection,
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
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        chain_legacy_access(&self.pool).await
    }

    async fn insert_org(&self, org: &Organisation) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org.id.0)
        .bind(&org.name)
        .bind(org.kind.as_str())
        .bind(to_micros(org.created_at))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn get_org(&self, id: OrgId) -> StoreResult<Option<Organisation>> {
        let row = sqlx::query("SELECT * FROM organisations WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(Self::org_from_row).transpose()
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Organisation>> {
        // Bytewise, as SQLite sorts.
        let rows = sqlx::query("SELECT * FROM organisations ORDER BY name COLLATE \"C\"")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(Self::org_from_row).collect()
    }

    async fn insert_user(&self, u: &User) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (id, email, org_id, role, password_hash, locale, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(u.id.0)
        .bind(&u.email)
        .bind(u.org_id.0)
        .bind(u.role.as_str())
        .bind(&u.password_hash)
        .bind(&u.locale)
        .bind(u.active)
        .bind(to_micros(u.created_at))
        .execute(&self.pool)
        .await
        .map_err(|e| match backend(e) {
            StoreError::Duplicate(_) => {
                StoreError::Duplicate(format!("a user with e-mail {}", u.email))
            }
            other => other,
        })?;
        Ok(())
    }

    async fn get_user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(Self::user_from_row).transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(Self::user_from_row).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY email COLLATE \"C\"")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(Self::user_from_row).collect()
    }

    async fn set_user_locale(&self, id: UserId, locale: &str) -> StoreResult<()> {
        let r = sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(id.0)
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
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND expires_at > $1 \
             AND last_seen_at > $3 \
             RETURNING token_hash, id, user_id, kind, created_at, expires_at, last_seen_at",
        )
        .bind(to_micros(now))
        .bind(token_hash)
        .bind(to_micros(idle_cutoff))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
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
             FROM sessions WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 \
             ORDER BY created_at, id",
        )
        .bind(user.0)
        .bind(to_micros(now))
        .bind(to_micros(idle_cutoff))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(session_from_row).collect()
    }

    async fn end_user_session(&self, user: UserId, id: Uuid) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id = $2")
            .bind(user.0)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }

    async fn end_other_sessions(&self, user: UserId, keep_token_hash: &[u8]) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user.0)
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
        // One snapshot for header, key and journal, so the projection's seq matches the events.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let Some(header) = header_of(&mut tx, id).await? else {
            return Ok(None);
        };
        let key: Vec<u8> =
            sqlx::query_scalar("SELECT wrapped_key FROM case_keys WHERE case_id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .unwrap_or_default();
        let rows = sqlx::query("SELECT * FROM case_events WHERE case_id = $1 ORDER BY seq")
            .bind(id.0)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        let events = rows
            .iter()
            .map(Self::event_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(CaseRecord {
            header,
            wrapped_key: key,
            events,
        }))
    }

    async fn case_header(&self, id: CaseId) -> StoreResult<Option<CaseHeader>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        header_of(&mut conn, id).await
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
        let mut q = QueryBuilder::<Postgres>::new("SELECT * FROM (");
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
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        let rows = q.build().fetch_all(&mut *conn).await.map_err(backend)?;
        let projections = rows
            .iter()
            .map(Self::projection_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let ids: Vec<CaseId> = projections.iter().map(|p| p.id).collect();
        let parties = parties_of(&mut conn, &ids).await?;
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
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT case_id FROM case_person_keys WHERE key = ANY($1) ORDER BY case_id",
        )
        .bind(keys)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
        let mut headers = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(h) = header_of(&mut conn, CaseId(id)).await? {
                headers.push(h);
            }
        }
        Ok(headers)
    }

    async fn case_ids(&self, after: Option<CaseId>, limit: u32) -> StoreResult<Vec<CaseId>> {
        let ids: Vec<Uuid> = match after {
            None => sqlx::query_scalar("SELECT id FROM cases ORDER BY created_order LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?,
            Some(a) => sqlx::query_scalar(
                "SELECT id FROM cases WHERE created_order > (SELECT created_order FROM cases WHERE id = $1) \
                 ORDER BY created_order LIMIT $2",
            )
            .bind(a.0)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?,
        };
        Ok(ids.into_iter().map(CaseId).collect())
    }

    async fn insert_service(&self, sv: &ServiceRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO services (id, org_id, kind, name, capacity, taken, languages, accepts, regions, \
             child_specialised, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(sv.id)
        .bind(sv.org_id.0)
        .bind(sv.kind.as_str())
        .bind(&sv.name)
        .bind(i32::try_from(sv.capacity).map_err(|_| StoreError::Backend("capacity out of range".into()))?)
        .bind(i32::try_from(sv.taken).map_err(|_| StoreError::Backend("taken out of range".into()))?)
        .bind(join_list(&sv.languages))
        .bind(join_list(&sv.accepts.iter().map(|a| a.as_str()).collect::<Vec<_>>()))
        .bind(join_list(&sv.regions))
        .bind(sv.child_specialised)
        .bind(to_micros(sv.created_at))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn get_service(&self, id: Uuid) -> StoreResult<Option<ServiceRow>> {
        let row = sqlx::query(&format!(
            "SELECT {SERVICE_COLUMNS} FROM services WHERE id = $1"
        ))
        .bind(id)
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
            "SELECT {SERVICE_COLUMNS} FROM services WHERE ($1::text IS NULL OR kind = $1) \
             ORDER BY name COLLATE \"C\", id"
        ))
        .bind(kind.map(|k| k.as_str()))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(service_from_row).collect()
    }

    async fn service_referral(&self, id: Uuid) -> StoreResult<Option<ServiceReferralRow>> {
        let row = sqlx::query(&format!(
            "SELECT {REFERRAL_COLUMNS} FROM service_referrals WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(referral_from_row).transpose()
    }

    async fn service_referrals_for_org(&self, org: OrgId) -> StoreResult<Vec<ServiceReferralRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {REFERRAL_COLUMNS} FROM service_referrals WHERE provider_org = $1 \
             ORDER BY referred_at DESC, id"
        ))
        .bind(org.0)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(referral_from_row).collect()
    }

    async fn transfers_offered_to(&self, org: OrgId) -> StoreResult<Vec<TransferRow>> {
        let rows = sqlx::query(
            "SELECT * FROM case_transfers WHERE to_org = $1 AND status = 'offered' ORDER BY offered_at, id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(TransferRow {
                    id: r.try_get("id").map_err(backend)?,
                    case_id: CaseId(r.try_get("case_id").map_err(backend)?),
                    from_org: OrgId(r.try_get("from_org").map_err(backend)?),
                    to_org: OrgId(r.try_get("to_org").map_err(backend)?),
                    status: r.try_get("status").map_err(backend)?,
                    offered_at: micros_col(r, "offered_at")?,
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
        let rows = sqlx::query("SELECT * FROM access_log WHERE case_id = $1 ORDER BY id")
            .bind(case.0)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(access_from_row).collect()
    }

    async fn access_chain(&self, after_seq: u64, limit: u32) -> StoreResult<Vec<ChainedAccess>> {
        let rows = sqlx::query("SELECT * FROM access_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(seq_to_db(after_seq)?)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(ChainedAccess {
                    seq: seq_from_db(r, "seq")?,
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
        Ok((seq_from_db(&r, "seq")?, hash_col(&r, "hash")?))
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(g.id)
        .bind(g.user_id.0)
        .bind(g.org_id.0)
        .bind(g.case_id.0)
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
            "SELECT * FROM break_glass WHERE user_id = $1 AND case_id = $2 AND expires_at > $3 \
             AND granted_at <= $3 ORDER BY expires_at DESC LIMIT 1",
        )
        .bind(user.0)
        .bind(case.0)
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
            "SELECT * FROM break_glass WHERE granted_at >= $1 ORDER BY granted_at DESC, id LIMIT $2",
        )
        .bind(to_micros(since))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(break_glass_from_row).collect()
    }

    async fn totp(&self, user: UserId) -> StoreResult<Option<TotpRecord>> {
        let row = sqlx::query("SELECT * FROM totp_factors WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| {
            let confirmed: Option<i64> = r.try_get("confirmed_at").map_err(backend)?;
            Ok(TotpRecord {
                user_id: UserId(r.try_get("user_id").map_err(backend)?),
                wrapped_key: r.try_get("wrapped_key").map_err(backend)?,
                sealed_secret: r.try_get("sealed_secret").map_err(backend)?,
                confirmed_at: confirmed.map(from_micros),
                last_step: seq_from_db(&r, "last_step")?,
                created_at: micros_col(&r, "created_at")?,
            })
        })
        .transpose()
    }

    async fn put_unconfirmed_totp(&self, t: &TotpRecord) -> StoreResult<()> {
        let r = sqlx::query(
            "INSERT INTO totp_factors (user_id, wrapped_key, sealed_secret, confirmed_at, last_step, created_at) \
             VALUES ($1, $2, $3, NULL, 0, $4) \
             ON CONFLICT (user_id) DO UPDATE SET wrapped_key = excluded.wrapped_key, \
             sealed_secret = excluded.sealed_secret, created_at = excluded.created_at \
             WHERE totp_factors.confirmed_at IS NULL",
        )
        .bind(t.user_id.0)
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
            "UPDATE totp_factors SET confirmed_at = $1, last_step = $2 \
             WHERE user_id = $3 AND confirmed_at IS NULL",
        )
        .bind(to_micros(at))
        .bind(seq_to_db(step)?)
        .bind(user.0)
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
            "UPDATE totp_factors SET last_step = $1 WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1",
        )
        .bind(seq_to_db(step)?)
        .bind(user.0)
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
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(to_micros(at))
        .bind(user.0)
        .bind(code_hash)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(r.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user.0)
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
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user.0)
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
            "SELECT 1::BIGINT FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        if confirmed.is_none() {
            return Err(StoreError::Conflict);
        }
        replace_recovery_code_rows(&mut tx, user, codes).await?;
        // ASVS 7.4.3: a change to the factor ends every session of the user, the renewing one
        // included; it continues under the new token of `session`.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
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
        sqlx::query("DELETE FROM webauthn_challenges WHERE expires_at <= $1")
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query(
            "INSERT INTO webauthn_challenges (challenge, user_id, ceremony, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&c.challenge)
        .bind(c.user_id.0)
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
            "DELETE FROM webauthn_challenges WHERE challenge = $1 \
             RETURNING user_id, ceremony, expires_at",
        )
        .bind(challenge)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(r) = row else { return Ok(false) };
        let owner: Uuid = r.try_get("user_id").map_err(backend)?;
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
             created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(key.id)
        .bind(key.user_id.0)
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
             last_used_at FROM security_keys WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user.0)
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
             last_used_at FROM security_keys WHERE credential_id = $1",
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
            "UPDATE security_keys SET sign_count = $1, last_used_at = $2 \
             WHERE id = $3 AND user_id = $4 AND sign_count = $5",
        )
        .bind(i64::from(new_count))
        .bind(to_micros(at))
        .bind(id)
        .bind(user.0)
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
        let r = sqlx::query("DELETE FROM security_keys WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM security_keys WHERE user_id = $1")
            .bind(user.0)
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
             WHERE user_id = $1 ORDER BY at DESC, id LIMIT $2",
        )
        .bind(user.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind").map_err(backend)?;
                let count: i64 = r.try_get("count").map_err(backend)?;
                Ok(SecurityNotice {
                    id: r.try_get("id").map_err(backend)?,
                    user_id: UserId(r.try_get("user_id").map_err(backend)?),
                    kind: SecurityNoticeKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("notice kind {kind}")))?,
                    count: u32::try_from(count)
                        .map_err(|_| StoreError::Corrupt(format!("notice count {count}")))?,
                    at: micros_col(r, "at")?,
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
            "UPDATE security_notices SET acknowledged_at = $1 \
             WHERE user_id = $2 AND acknowledged_at IS NULL",
        )
        .bind(to_micros(at))
        .bind(user.0)
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
        sqlx::query(
            "INSERT INTO login_failures (at, account_key, address_key) VALUES ($1, $2, $3)",
        )
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
            "SELECT at FROM login_failures WHERE account_key = $1 AND at >= $2 ORDER BY at LIMIT 1000",
        )
        .bind(account_key)
        .bind(to_micros(since))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let address: Vec<i64> = sqlx::query_scalar(
            "SELECT at FROM login_failures WHERE address_key = $1 AND at >= $2 ORDER BY at LIMIT 1000",
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
        let failed = sqlx::query("DELETE FROM login_failures WHERE account_key = $1")
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(n.id)
        .bind(to_micros(n.at))
        .bind(n.org_id.0)
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
        u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("count {n}")))
    }

    async fn anonymous_notifications(
        &self,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
    ) -> StoreResult<Vec<AnonymousNotification>> {
        let rows = sqlx::query(
            "SELECT id, at, org_id, sex, age_group, nationality, exploitation_forms, region \
             FROM anonymous_notifications WHERE at >= $1 AND at <= $2 ORDER BY at, id",
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
                    id: r.try_get::<Uuid, _>("id").map_err(backend)?,
                    at: from_micros(r.try_get("at").map_err(backend)?),
                    org_id: OrgId(r.try_get::<Uuid, _>("org_id").map_err(backend)?),
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
        let mut deltas = Default::default();
        write_statistics(&mut tx, row, &mut deltas).await?;
        apply_counts(&mut tx, &deltas).await?;
        tx.commit().await.map_err(backend)
    }

    async fn count_case_statistics(
        &self,
        q: &StatisticsQuery,
    ) -> StoreResult<Vec<StatisticsCount>> {
        let (sql, binds) = q.sql(|n| format!("${n}"));
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        run_counts(&mut conn, &sql, &binds, q.dims.len()).await
    }

    async fn count_statistics(&self, q: &StatisticsQuery) -> StoreResult<Vec<StatisticsCount>> {
        let Some(plan) = q.counts_plan(|n| format!("${n}")) else {
            return self.count_case_statistics(q).await;
        };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        if !plan.edges.is_empty() {
            // One snapshot for the counts and the partial quarters counted from rows.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        let mut parts = vec![run_counts(&mut tx, &plan.sql, &plan.binds, q.dims.len()).await?];
        for edge in &plan.edges {
            let (sql, binds) = edge.sql(|n| format!("${n}"));
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
        // No case change may slip between the recount and its commit.
        sqlx::query("LOCK TABLE case_statistics, case_exploitation_forms, statistics_counts IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("DELETE FROM statistics_counts")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for sql in harbour_store::statistics::rebuild_counts_sql()
            .into_iter()
            .chain(harbour_store::statistics::rebuild_support_counts_sql(
                harbour_store::statistics::Dialect::Postgres,
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
        let (sql, binds) = q.sql(|n| format!("${n}"));
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        run_counts(&mut conn, &sql, &binds, q.key_count()).await
    }

    async fn count_support_statistics(
        &self,
        q: &harbour_store::SupportQuery,
    ) -> StoreResult<Vec<StatisticsCount>> {
        let Some(plan) = q.counts_plan(|n| format!("${n}")) else {
            return self.count_support_rows(q).await;
        };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        if !plan.edges.is_empty() {
            // One snapshot for the counters and the partial quarters counted from rows.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        let counted = run_counts(&mut tx, &plan.sql, &plan.binds, plan.key_count).await?;
        let mut edges = Vec::new();
        for edge in &plan.edges {
            let (sql, binds) = edge.sql(|n| format!("${n}"));
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
                "SELECT {} FROM case_statistics WHERE case_id > $1 ORDER BY case_id LIMIT $2",
                harbour_store::statistics::STAT_COLUMNS
            ))
            .bind(a.0)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?,
            None => sqlx::query(&format!(
                "SELECT {} FROM case_statistics ORDER BY case_id LIMIT $1",
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
                "SELECT form FROM case_exploitation_forms WHERE case_id = $1 ORDER BY form",
            )
            .bind(r.try_get::<Uuid, _>("case_id").map_err(backend)?)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            out.push(statistics_from_row(r, forms)?);
        }
        tx.commit().await.map_err(backend)?;
        Ok(out)
    }

    async fn create_bank(&self, name: &str, at: OffsetDateTime) -> StoreResult<()> {
        sqlx::query("INSERT INTO hash_banks (name, version, created_at) VALUES ($1, 0, $2)")
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
        sqlx::query_scalar("SELECT name FROM hash_banks ORDER BY name COLLATE \"C\"")
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
        let bumped = sqlx::query("UPDATE hash_banks SET version = version + 1 WHERE name = $1")
            .bind(bank)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if bumped.rows_affected() == 0 {
            return Err(StoreError::Missing(format!("bank {bank}")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bank_hashes (bank, hash, label, quality, added_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(bank)
        .bind(&hash[..])
        .bind(label)
        .bind(i32::from(quality))
        .bind(to_micros(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(id)
    }

    async fn remove_bank_hash(&self, bank: &str, id: i64, at: OffsetDateTime) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let r = sqlx::query("UPDATE bank_hashes SET removed_at = $1 WHERE bank = $2 AND id = $3 AND removed_at IS NULL")
            .bind(to_micros(at))
            .bind(bank)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Missing(format!("hash {id} in bank {bank}")));
        }
        sqlx::query("UPDATE hash_banks SET version = version + 1 WHERE name = $1")
            .bind(bank)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn bank_version(&self, bank: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT version FROM hash_banks WHERE name = $1")
            .bind(bank)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)
    }

    async fn bank_hashes(&self, bank: &str) -> StoreResult<Vec<BankHash>> {
        let rows = sqlx::query(
            "SELECT id, hash FROM bank_hashes WHERE bank = $1 AND removed_at IS NULL ORDER BY id",
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
        sqlx::query("INSERT INTO platform_keys (key_hash, name, banks, per_minute, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&k.key_hash)
            .bind(&k.name)
            .bind(k.banks.join("\n"))
            .bind(i32::try_from(k.per_minute).unwrap_or(i32::MAX))
            .bind(to_micros(k.created_at))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn platform_key(&self, key_hash: &[u8]) -> StoreResult<Option<PlatformKey>> {
        let row = sqlx::query("SELECT * FROM platform_keys WHERE key_hash = $1")
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
                per_minute: u32::try_from(r.try_get::<i32, _>("per_minute").map_err(backend)?)
                    .unwrap_or(0),
                created_at: from_micros(r.try_get("created_at").map_err(backend)?),
            })
        })
        .transpose()
    }

    async fn count_platform_request(&self, key_hash: &[u8], minute: i64) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO platform_usage (key_hash, minute, count) VALUES ($1, $2, 1) \
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(h.id)
        .bind(h.org_id.0)
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
        let row = sqlx::query("SELECT * FROM tracing_requests WHERE id = $1")
            .bind(id)
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
                "SELECT {COLS} FROM tracing_requests WHERE org_id = $1 ORDER BY filed_at DESC, id"
            ))
                .bind(o.0)
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
        let r =
            sqlx::query("UPDATE tracing_requests SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(to_micros(at))
                .bind(id)
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
            "SELECT seq, kind, id FROM tracing_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
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
                    id: r.try_get("id").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn tracing_access_log(&self, id: Uuid) -> StoreResult<Vec<TracingAccess>> {
        let rows =
            sqlx::query("SELECT * FROM tracing_access_log WHERE request_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(TracingAccess {
                    request_id: r.try_get("request_id").map_err(backend)?,
                    at: micros_col(r, "at")?,
                    user_id: UserId(r.try_get("user_id").map_err(backend)?),
                    org_id: OrgId(r.try_get("org_id").map_err(backend)?),
                    action: r.try_get("action").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn probe_insert(&self, body: &[u8]) -> StoreResult<i64> {
        sqlx::query_scalar("INSERT INTO bench_probe (body) VALUES ($1) RETURNING id")
            .bind(body)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)
    }

    async fn probe_select(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT body FROM bench_probe WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)
    }

    async fn erase_case(&self, change: &CaseChange, basis: &str) -> StoreResult<()> {
        let id = change.projection.id.0;
        let mut tx = self.pool.begin().await.map_err(backend)?;
        append_in(&mut tx, change).await?;
        sqlx::query("DELETE FROM case_keys WHERE case_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("DELETE FROM case_person_keys WHERE case_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("INSERT INTO case_erasures (case_id, erased_at, basis) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(to_micros(change.projection.updated_at))
            .bind(basis)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn case_erasure(&self, id: CaseId) -> StoreResult<Option<CaseErasure>> {
        let row = sqlx::query("SELECT erased_at, basis FROM case_erasures WHERE case_id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| {
            Ok(CaseErasure {
                at: micros_col(&r, "erased_at")?,
                basis: r.try_get("basis").map_err(backend)?,
            })
        })
        .transpose()
    }

    async fn ended_cases(&self, after: Option<CaseId>, limit: u32) -> StoreResult<Vec<CaseId>> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM cases c WHERE phase IN ('closed', 'disqualified') \
             AND NOT EXISTS (SELECT 1 FROM case_erasures e WHERE e.case_id = c.id) \
             AND created_order > COALESCE((SELECT created_order FROM cases WHERE id = $1), 0) \
             ORDER BY created_order LIMIT $2",
        )
        .bind(after.map(|a| a.0))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        Ok(ids.into_iter().map(CaseId).collect())
    }

    async fn record_keys_not_wrapped_by(
        &self,
        table: SealedKeyTable,
        key_id: &[u8],
        limit: u32,
    ) -> StoreResult<Vec<(uuid::Uuid, Vec<u8>)>> {
        let (t, col) = table.sql_names();
        let rows = sqlx::query(&format!("SELECT {col} AS id, wrapped_key FROM {t} WHERE substring(wrapped_key from 2 for $1) <> $2 ORDER BY {col} LIMIT $3"))
            .bind(key_id.len() as i32)
            .bind(key_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id").map_err(backend)?,
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
        let sql = format!("UPDATE {t} SET wrapped_key = $1 WHERE {col} = $2 AND wrapped_key = $3");
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let mut n = 0;
        for (id, old, new) in batch {
            n += sqlx::query(&sql)
                .bind(new)
                .bind(*id)
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
        sqlx::query_scalar("SELECT wrapped FROM deployment_keys WHERE name = $1")
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
                "INSERT INTO deployment_keys (name, wrapped) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(wrapped)
            .execute(&self.pool)
            .await,
            Some(old) => sqlx::query(
                "UPDATE deployment_keys SET wrapped = $1 WHERE name = $2 AND wrapped = $3",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_checked() {
        assert!(check_database_name("harbour_story_0a1b").is_ok());
        for bad in ["", "Harbour", "a-b", "a\"; DROP", "a b", &"x".repeat(64)] {
            assert!(check_database_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn database_url_swaps_the_database() {
        let u = |url: &str| database_url(url, "other").unwrap();
        assert_eq!(
            u("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/other"
        );
        assert_eq!(
            u("postgres://u:p@h/test?sslmode=disable"),
            "postgres://u:p@h/other?sslmode=disable"
        );
        assert_eq!(u("postgresql://h:5433"), "postgresql://h:5433/other");
        assert_eq!(u("postgres://h?user=x"), "postgres://h/other?user=x");
        assert!(database_url("nonsense", "other").is_err());
        assert!(database_url("postgres://h/test", "Bad-Name").is_err());
    }
}
