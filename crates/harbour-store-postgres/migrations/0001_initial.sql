-- Harbour schema v1 (PostgreSQL). The same tables, columns and indexes as the SQLite schema of
-- the same version. Instants are microseconds since the epoch (BIGINT); days are YYYY-MM-DD text,
-- collated bytewise ("C") so that they compare as dates do whatever the database's locale.
-- Nothing personal is stored in clear: case content lives sealed in case_events.payload.

CREATE TABLE organisations (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id             UUID PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    org_id         UUID NOT NULL REFERENCES organisations(id),
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    locale         TEXT NOT NULL,
    active         BOOLEAN NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash    BYTEA PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);

CREATE TABLE cases (
    id                UUID PRIMARY KEY,
    created_order     BIGINT GENERATED ALWAYS AS IDENTITY,
    phase             TEXT NOT NULL,
    minority          TEXT NOT NULL,
    referred_at       BIGINT NOT NULL,
    referring_org     UUID NOT NULL REFERENCES organisations(id),
    owner_org         UUID NOT NULL REFERENCES organisations(id),
    guardian_user     UUID,
    rg_due            TEXT COLLATE "C",
    awaiting_cg_from  TEXT COLLATE "C",
    guardian_due      BIGINT,
    updated_at        BIGINT NOT NULL,
    seq               BIGINT NOT NULL
);
CREATE INDEX cases_by_referral ON cases (referred_at DESC, id DESC);
CREATE UNIQUE INDEX cases_by_creation ON cases (created_order);
CREATE INDEX cases_by_guardian ON cases (guardian_user) WHERE guardian_user IS NOT NULL;

CREATE TABLE case_keys (
    case_id      UUID PRIMARY KEY REFERENCES cases(id),
    wrapped_key  BYTEA NOT NULL
);

CREATE TABLE case_parties (
    case_id   UUID NOT NULL REFERENCES cases(id),
    org_id    UUID NOT NULL REFERENCES organisations(id),
    relation  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_id, org_id, relation)
);
CREATE INDEX case_parties_by_org ON case_parties (org_id, case_id);

CREATE TABLE case_events (
    case_id    UUID NOT NULL REFERENCES cases(id),
    seq        BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    actor      UUID NOT NULL,
    actor_org  UUID NOT NULL,
    kind       TEXT NOT NULL,
    payload    BYTEA NOT NULL,
    prev_hash  BYTEA NOT NULL,
    hash       BYTEA NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE access_log (
    id       BIGSERIAL PRIMARY KEY,
    at       BIGINT NOT NULL,
    user_id  UUID NOT NULL,
    org_id   UUID NOT NULL,
    case_id  UUID,
    action   TEXT NOT NULL,
    purpose  TEXT
);
CREATE INDEX access_log_by_case ON access_log (case_id, id);

CREATE TABLE anonymous_notifications (
    id                  UUID PRIMARY KEY,
    at                  BIGINT NOT NULL,
    org_id              UUID NOT NULL REFERENCES organisations(id),
    sex                 TEXT NOT NULL,
    age_group           TEXT NOT NULL,
    nationality         TEXT,
    exploitation_forms  TEXT NOT NULL,
    region              TEXT
);

-- The cheapest possible write and read, as the baseline benchmarks compare against.
CREATE TABLE bench_probe (
    id    BIGSERIAL PRIMARY KEY,
    body  BYTEA NOT NULL
);
