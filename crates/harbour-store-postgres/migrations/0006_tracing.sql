-- Family tracing requests: the header identifies nobody (filing organisation, legal basis,
-- status, times); who is sought and who asks are sealed in `payload` with the request's own key,
-- wrapped by the master key like a case key. Reads and writes are logged in their own table.
CREATE TABLE tracing_requests (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES organisations(id),
    legal_basis  TEXT NOT NULL,
    status       TEXT NOT NULL,
    filed_at     BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    wrapped_key  BYTEA NOT NULL,
    payload      BYTEA NOT NULL
);
CREATE INDEX tracing_requests_by_org ON tracing_requests (org_id, filed_at);
CREATE TABLE tracing_access_log (
    id          BIGSERIAL PRIMARY KEY,
    request_id  UUID NOT NULL,
    at          BIGINT NOT NULL,
    user_id     UUID NOT NULL,
    org_id      UUID NOT NULL,
    action      TEXT NOT NULL
);
CREATE INDEX tracing_access_by_request ON tracing_access_log (request_id, id);
