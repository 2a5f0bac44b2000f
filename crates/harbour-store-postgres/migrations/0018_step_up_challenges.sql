-- Issue 6 follow-up: security keys answer step-ups too. A step-up challenge is its own ceremony,
-- so a challenge issued to sign in cannot answer a step-up, nor the reverse.
ALTER TABLE webauthn_challenges DROP CONSTRAINT webauthn_challenges_ceremony_check;
ALTER TABLE webauthn_challenges ADD CONSTRAINT webauthn_challenges_ceremony_check
    CHECK (ceremony IN ('registration', 'authentication', 'step-up'));
