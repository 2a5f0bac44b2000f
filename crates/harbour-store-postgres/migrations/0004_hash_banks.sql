-- Hash banks for image takedown: PDQ hashes (256 bits) of images made during exploitation, with
-- internal labels and tombstones, and the API keys platforms use to match uploads against them.
CREATE TABLE hash_banks (
    name        TEXT PRIMARY KEY,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE bank_hashes (
    id          BIGSERIAL PRIMARY KEY,
    bank        TEXT NOT NULL REFERENCES hash_banks(name),
    hash        BYTEA NOT NULL,
    label       TEXT NOT NULL,
    quality     INTEGER NOT NULL,
    added_at    BIGINT NOT NULL,
    removed_at  BIGINT
);
CREATE INDEX bank_hashes_by_bank ON bank_hashes (bank, id);
CREATE TABLE platform_keys (
    key_hash    BYTEA PRIMARY KEY,
    name        TEXT NOT NULL,
    banks       TEXT NOT NULL,
    per_minute  INTEGER NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE platform_usage (
    key_hash  BYTEA NOT NULL,
    minute    BIGINT NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (key_hash, minute)
);
