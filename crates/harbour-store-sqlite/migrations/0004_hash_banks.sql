-- Hash banks for image takedown: PDQ hashes (256 bits) of images made during exploitation, with
-- internal labels and tombstones, and the API keys platforms use to match uploads against them.
CREATE TABLE hash_banks (
    name        TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE bank_hashes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    bank        TEXT NOT NULL REFERENCES hash_banks(name),
    hash        BLOB NOT NULL,
    label       TEXT NOT NULL,
    quality     INTEGER NOT NULL,
    added_at    INTEGER NOT NULL,
    removed_at  INTEGER
);
CREATE INDEX bank_hashes_by_bank ON bank_hashes (bank, id);
CREATE TABLE platform_keys (
    key_hash    BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    banks       TEXT NOT NULL,
    per_minute  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE platform_usage (
    key_hash  BLOB NOT NULL,
    minute    INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (key_hash, minute)
);
