-- Issue 6 (ASVS 6.3.3 at L3): WebAuthn security keys as a phishing-resistant second factor.

-- A user's registered credentials. The public key is the COSE bytes the authenticator sent; the
-- credential id is unique across users (an authenticator never reuses one).
CREATE TABLE security_keys (
    id             UUID PRIMARY KEY,
    user_id        UUID NOT NULL REFERENCES users(id),
    credential_id  BYTEA NOT NULL UNIQUE,
    public_key     BYTEA NOT NULL,
    name           TEXT NOT NULL,
    sign_count     BIGINT NOT NULL CHECK (sign_count >= 0),
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT
);
CREATE INDEX security_keys_by_user ON security_keys (user_id, created_at);

-- Challenges issued and not yet answered: random, bound to a user and a ceremony, short-lived,
-- deleted at the first answer.
CREATE TABLE webauthn_challenges (
    challenge   BYTEA PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users(id),
    ceremony    TEXT NOT NULL CHECK (ceremony IN ('registration', 'authentication')),
    expires_at  BIGINT NOT NULL
);
CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges (expires_at);

ALTER TABLE security_notices DROP CONSTRAINT security_notices_kind_check;
ALTER TABLE security_notices ADD CONSTRAINT security_notices_kind_check
    CHECK (kind IN ('second_factor_reset', 'recovery_codes_renewed', 'failed_sign_ins',
                    'security_key_added', 'security_key_removed'));
