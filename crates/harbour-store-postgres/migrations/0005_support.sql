-- Support (issue 5): the service directory and where each service referral stands. Nothing
-- personal: the need, consent and everything about the person stay sealed in the case journal.
CREATE TABLE services (
    id                 UUID PRIMARY KEY,
    org_id             UUID NOT NULL REFERENCES organisations(id),
    kind               TEXT NOT NULL,
    name               TEXT NOT NULL,
    capacity           INTEGER NOT NULL CHECK (capacity >= 0),
    taken              INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    languages          TEXT NOT NULL,
    accepts            TEXT NOT NULL,
    regions            TEXT NOT NULL,
    child_specialised  BOOLEAN NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX services_by_kind ON services (kind, name);
CREATE TABLE service_referrals (
    id            UUID PRIMARY KEY,
    case_id       UUID NOT NULL REFERENCES cases(id),
    service_id    UUID NOT NULL REFERENCES services(id),
    provider_org  UUID NOT NULL REFERENCES organisations(id),
    status        TEXT NOT NULL,
    referred_at   BIGINT NOT NULL,
    accepted_at   BIGINT,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX service_referrals_by_provider ON service_referrals (provider_org, referred_at DESC);
CREATE INDEX service_referrals_by_case ON service_referrals (case_id);
