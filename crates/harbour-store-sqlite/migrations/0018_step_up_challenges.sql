-- Issue 6 follow-up: security keys answer step-ups too. A step-up challenge is its own ceremony,
-- so a challenge issued to sign in cannot answer a step-up, nor the reverse. SQLite cannot
-- change a CHECK, so the table is rebuilt (nothing refers to it; its rows live 5 minutes).
CREATE TABLE webauthn_challenges_new (
    challenge   BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    ceremony    TEXT NOT NULL CHECK (ceremony IN ('registration', 'authentication', 'step-up')),
    expires_at  INTEGER NOT NULL
);
INSERT INTO webauthn_challenges_new (challenge, user_id, ceremony, expires_at)
    SELECT challenge, user_id, ceremony, expires_at FROM webauthn_challenges;
DROP TABLE webauthn_challenges;
ALTER TABLE webauthn_challenges_new RENAME TO webauthn_challenges;
CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges (expires_at);
