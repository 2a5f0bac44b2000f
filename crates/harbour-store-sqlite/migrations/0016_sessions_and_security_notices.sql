-- Issue 6 (ASVS 7.5.2, 6.3.7, 6.3.5): users list and end their own sessions, and are told about
-- changes to their authentication and failed sign-in attempts.

-- Each session gets a random public name (a UUID) for its user's list: never the token or its
-- hash. Sessions that exist already get one here.
ALTER TABLE sessions ADD COLUMN id TEXT;
UPDATE sessions SET id = lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
    || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-'
    || hex(randomblob(6))
);
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Notices to one user about their own account; nothing in them the user does not know (no
-- address, no device). `count` is the number of failed attempts for `failed_sign_ins`.
CREATE TABLE security_notices (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id),
    kind             TEXT NOT NULL
                     CHECK (kind IN ('second_factor_reset', 'recovery_codes_renewed', 'failed_sign_ins')),
    count            INTEGER NOT NULL CHECK (count >= 1),
    at               INTEGER NOT NULL,
    acknowledged_at  INTEGER
);
CREATE INDEX security_notices_by_user ON security_notices (user_id, at);
