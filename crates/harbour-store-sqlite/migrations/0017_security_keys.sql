-- Issue 6 (ASVS 6.3.3 at L3): WebAuthn security keys as a phishing-resistant second factor.

-- A user's registered credentials. The public key is the COSE bytes the authenticator sent; the
-- credential id is unique across users (an authenticator never reuses one).
CREATE TABLE security_keys (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id),
    credential_id  BLOB NOT NULL UNIQUE,
    public_key     BLOB NOT NULL,
    name           TEXT NOT NULL,
    sign_count     INTEGER NOT NULL CHECK (sign_count >= 0),
    created_at     INTEGER NOT NULL,
    last_used_at   INTEGER
);
CREATE INDEX security_keys_by_user ON security_keys (user_id, created_at);

-- Challenges issued and not yet answered: random, bound to a user and a ceremony, short-lived,
-- deleted at the first answer.
CREATE TABLE webauthn_challenges (
    challenge   BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    ceremony    TEXT NOT NULL CHECK (ceremony IN ('registration', 'authentication')),
    expires_at  INTEGER NOT NULL
);
CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges (expires_at);

-- Two new notice kinds: SQLite cannot change a CHECK, so the table is rebuilt (nothing refers
-- to it).
CREATE TABLE security_notices_0017 (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id),
    kind             TEXT NOT NULL
                     CHECK (kind IN ('second_factor_reset', 'recovery_codes_renewed', 'failed_sign_ins',
                                     'security_key_added', 'security_key_removed')),
    count            INTEGER NOT NULL CHECK (count >= 1),
    at               INTEGER NOT NULL,
    acknowledged_at  INTEGER
);
INSERT INTO security_notices_0017 (id, user_id, kind, count, at, acknowledged_at)
    SELECT id, user_id, kind, count, at, acknowledged_at FROM security_notices;
DROP TABLE security_notices;
ALTER TABLE security_notices_0017 RENAME TO security_notices;
CREATE INDEX security_notices_by_user ON security_notices (user_id, at);
