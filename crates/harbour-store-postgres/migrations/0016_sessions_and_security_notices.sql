-- Issue 6 (ASVS 7.5.2, 6.3.7, 6.3.5): users list and end their own sessions, and are told about
-- changes to their authentication and failed sign-in attempts.

-- Each session gets a random public name (a UUID) for its user's list: never the token or its
-- hash. Sessions that exist already get one here; Harbour always supplies it afterwards.
ALTER TABLE sessions ADD COLUMN id UUID NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE sessions ALTER COLUMN id DROP DEFAULT;
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Notices to one user about their own account; nothing in them the user does not know (no
-- address, no device). `count` is the number of failed attempts for `failed_sign_ins`.
CREATE TABLE security_notices (
    id               UUID PRIMARY KEY,
    user_id          UUID NOT NULL REFERENCES users(id),
    kind             TEXT NOT NULL
                     CHECK (kind IN ('second_factor_reset', 'recovery_codes_renewed', 'failed_sign_ins')),
    count            BIGINT NOT NULL CHECK (count >= 1),
    at               BIGINT NOT NULL,
    acknowledged_at  BIGINT
);
CREATE INDEX security_notices_by_user ON security_notices (user_id, at);
