-- Security (issue 6, access half): a hash-chained access log, break-glass grants, TOTP second
-- factors with recovery codes, and login throttling counted in the database.

-- Every access record takes the next number of one global chain. Rows written before this
-- migration are chained in id order when the store starts (see `migrate`).
ALTER TABLE access_log ADD COLUMN seq INTEGER;
ALTER TABLE access_log ADD COLUMN prev_hash BLOB;
ALTER TABLE access_log ADD COLUMN hash BLOB;
CREATE UNIQUE INDEX access_log_by_seq ON access_log (seq);

-- One row: the last seq handed out and its hash. Writers update it first, which serialises them.
CREATE TABLE access_chain_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  BLOB NOT NULL
);
INSERT INTO access_chain_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TABLE break_glass (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id),
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    case_id        TEXT NOT NULL REFERENCES cases(id),
    wrapped_key    BLOB NOT NULL,
    sealed_reason  BLOB NOT NULL,
    granted_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX break_glass_by_user_case ON break_glass (user_id, case_id, expires_at);
CREATE INDEX break_glass_by_time ON break_glass (granted_at);

CREATE TABLE totp_factors (
    user_id        TEXT PRIMARY KEY REFERENCES users(id),
    wrapped_key    BLOB NOT NULL,
    sealed_secret  BLOB NOT NULL,
    confirmed_at   INTEGER,
    last_step      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users(id),
    code_hash  BLOB NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- Keyed hashes of the e-mail address tried and of the client address: nothing readable.
CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    account_key  BLOB NOT NULL,
    address_key  BLOB NOT NULL
);
CREATE INDEX login_failures_by_account ON login_failures (account_key, at);
CREATE INDEX login_failures_by_address ON login_failures (address_key, at);
