-- Support (issue 5): the service directory and where each service referral stands. Nothing
-- personal: the need, consent and everything about the person stay sealed in the case journal.
CREATE TABLE services (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organisations(id),
    kind               TEXT NOT NULL,
    name               TEXT NOT NULL,
    capacity           INTEGER NOT NULL CHECK (capacity >= 0),
    taken              INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    languages          TEXT NOT NULL,
    accepts            TEXT NOT NULL,
    regions            TEXT NOT NULL,
    child_specialised  INTEGER NOT NULL,
    created_at         INTEGER NOT NULL
);
CREATE INDEX services_by_kind ON services (kind, name);
CREATE TABLE service_referrals (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases(id),
    service_id    TEXT NOT NULL REFERENCES services(id),
    provider_org  TEXT NOT NULL REFERENCES organisations(id),
    status        TEXT NOT NULL,
    referred_at   INTEGER NOT NULL,
    accepted_at   INTEGER,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX service_referrals_by_provider ON service_referrals (provider_org, referred_at DESC);
CREATE INDEX service_referrals_by_case ON service_referrals (case_id);
