-- Erasure by key destruction: a case whose wrapped key and person keys were deleted is recorded
-- here (when, and on what basis); its sealed journal and non-identifying projection stay.
CREATE TABLE case_erasures (
    case_id    UUID PRIMARY KEY REFERENCES cases(id),
    erased_at  BIGINT NOT NULL,
    basis      TEXT COLLATE "C" NOT NULL
);
-- Keys of the deployment kept wrapped under the master key, so they survive its rotation (the
-- blind-index key: every stored keyed hash was made with it).
CREATE TABLE deployment_keys (
    name     TEXT COLLATE "C" PRIMARY KEY,
    wrapped  BYTEA NOT NULL
);
