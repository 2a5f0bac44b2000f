-- Harbour schema v1 (SQLite). Instants are microseconds since the epoch; days are YYYY-MM-DD text.
-- Nothing personal is stored in clear: case content lives sealed in case_events.payload.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    locale         TEXT NOT NULL,
    active         INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash    BLOB PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);

CREATE TABLE cases (
    id                TEXT PRIMARY KEY,
    created_order     INTEGER NOT NULL,
    phase             TEXT NOT NULL,
    minority          TEXT NOT NULL,
    referred_at       INTEGER NOT NULL,
    referring_org     TEXT NOT NULL REFERENCES organisations(id),
    owner_org         TEXT NOT NULL REFERENCES organisations(id),
    guardian_user     TEXT,
    rg_due            TEXT,
    awaiting_cg_from  TEXT,
    guardian_due      INTEGER,
    updated_at        INTEGER NOT NULL,
    seq               INTEGER NOT NULL
);
CREATE INDEX cases_by_referral ON cases (referred_at DESC, id DESC);
CREATE UNIQUE INDEX cases_by_creation ON cases (created_order);
CREATE INDEX cases_by_guardian ON cases (guardian_user) WHERE guardian_user IS NOT NULL;

CREATE TABLE case_keys (
    case_id      TEXT PRIMARY KEY REFERENCES cases(id),
    wrapped_key  BLOB NOT NULL
);

CREATE TABLE case_parties (
    case_id   TEXT NOT NULL REFERENCES cases(id),
    org_id    TEXT NOT NULL REFERENCES organisations(id),
    relation  TEXT NOT NULL,
    PRIMARY KEY (case_id, org_id, relation)
);
CREATE INDEX case_parties_by_org ON case_parties (org_id, case_id);

CREATE TABLE case_events (
    case_id    TEXT NOT NULL REFERENCES cases(id),
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    actor_org  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    payload    BLOB NOT NULL,
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE access_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    user_id  TEXT NOT NULL,
    org_id   TEXT NOT NULL,
    case_id  TEXT,
    action   TEXT NOT NULL,
    purpose  TEXT
);
CREATE INDEX access_log_by_case ON access_log (case_id, id);

CREATE TABLE anonymous_notifications (
    id                  TEXT PRIMARY KEY,
    at                  INTEGER NOT NULL,
    org_id              TEXT NOT NULL REFERENCES organisations(id),
    sex                 TEXT NOT NULL,
    age_group           TEXT NOT NULL,
    nationality         TEXT,
    exploitation_forms  TEXT NOT NULL,
    region              TEXT
);

-- The cheapest possible write and read, as the baseline benchmarks compare against.
CREATE TABLE bench_probe (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    body  BLOB NOT NULL
);
