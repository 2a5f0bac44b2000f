-- Keyed hashes (HMAC with a key derived from the master key) of normalised person names, so a
-- referral can find a possible duplicate without any name stored in clear.
CREATE TABLE case_person_keys (
    key      BYTEA NOT NULL,
    case_id  UUID NOT NULL REFERENCES cases(id),
    PRIMARY KEY (key, case_id)
);
