-- Family tracing requests: the header identifies nobody (filing organisation, legal basis,
-- status, times); who is sought and who asks are sealed in `payload` with the request's own key,
-- wrapped by the master key like a case key. Reads and writes are logged in their own table.
CREATE TABLE tracing_requests (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    legal_basis  TEXT NOT NULL,
    status       TEXT NOT NULL,
    filed_at     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    wrapped_key  BLOB NOT NULL,
    payload      BLOB NOT NULL
);
CREATE INDEX tracing_requests_by_org ON tracing_requests (org_id, filed_at);
CREATE TABLE tracing_access_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  TEXT NOT NULL,
    at          INTEGER NOT NULL,
    user_id     TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    action      TEXT NOT NULL
);
CREATE INDEX tracing_access_by_request ON tracing_access_log (request_id, id);
