-- One row per (organisation, case) the organisation is a party to, carrying the referral time so
-- an organisation's case list walks an index in order instead of testing every case.
CREATE TABLE case_visibility (
    org_id       UUID NOT NULL REFERENCES organisations(id),
    case_id      UUID NOT NULL REFERENCES cases(id),
    referred_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, case_id)
);
CREATE INDEX case_visibility_by_time ON case_visibility (org_id, referred_at DESC, case_id DESC);
INSERT INTO case_visibility (org_id, case_id, referred_at)
    SELECT p.org_id, p.case_id, c.referred_at FROM case_parties p JOIN cases c ON c.id = p.case_id
    ON CONFLICT DO NOTHING;
