-- Security (issue 6, access half): a hash-chained access log, break-glass grants, TOTP second
-- factors with recovery codes, and login throttling counted in the database.

-- Every access record takes the next number of one global chain. Rows written before this
-- migration are chained in id order when the store starts (see `migrate`).
ALTER TABLE access_log ADD COLUMN seq BIGINT;
ALTER TABLE access_log ADD COLUMN prev_hash BYTEA;
ALTER TABLE access_log ADD COLUMN hash BYTEA;
CREATE UNIQUE INDEX access_log_by_seq ON access_log (seq);

-- One row: the last seq handed out and its hash. Writers update it first, which serialises them.
CREATE TABLE access_chain_head (
    id    INT PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  BYTEA NOT NULL
);
INSERT INTO access_chain_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

CREATE TABLE break_glass (
    id             UUID PRIMARY KEY,
    user_id        UUID NOT NULL REFERENCES users(id),
    org_id         UUID NOT NULL REFERENCES organisations(id),
    case_id        UUID NOT NULL REFERENCES cases(id),
    wrapped_key    BYTEA NOT NULL,
    sealed_reason  BYTEA NOT NULL,
    granted_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX break_glass_by_user_case ON break_glass (user_id, case_id, expires_at);
CREATE INDEX break_glass_by_time ON break_glass (granted_at);

CREATE TABLE totp_factors (
    user_id        UUID PRIMARY KEY REFERENCES users(id),
    wrapped_key    BYTEA NOT NULL,
    sealed_secret  BYTEA NOT NULL,
    confirmed_at   BIGINT,
    last_step      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    user_id    UUID NOT NULL REFERENCES users(id),
    code_hash  BYTEA NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- Keyed hashes of the e-mail address tried and of the client address: nothing readable.
CREATE TABLE login_failures (
    id           BIGSERIAL PRIMARY KEY,
    at           BIGINT NOT NULL,
    account_key  BYTEA NOT NULL,
    address_key  BYTEA NOT NULL
);
CREATE INDEX login_failures_by_account ON login_failures (account_key, at);
CREATE INDEX login_failures_by_address ON login_failures (address_key, at);
