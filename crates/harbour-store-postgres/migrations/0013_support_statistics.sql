-- Statistics of rights access, redress and services (issue 7, "Rights access"): non-identifying
-- facts derived from the journal with the case's statistical row and written in the same
-- transaction. No reasons, no names, no free text: right codes and statuses, days, stages and
-- sums of money. Cases written before this migration get their rows from `statistics rebuild`.

-- One row per right the person was eligible for (the catalogue's rights for their age group).
-- Lateness is counted as at a day a report chooses: due before it, not met by it, case open.
-- The referral day and closing day are repeated so the rights tables need no join.
CREATE TABLE case_right_statistics (
    case_id     UUID NOT NULL REFERENCES case_statistics(case_id),
    right_code  TEXT NOT NULL,
    status      TEXT NOT NULL,
    due_on      TEXT COLLATE "C",
    met_on      TEXT COLLATE "C",
    referred_on TEXT COLLATE "C" NOT NULL,
    closed_on   TEXT COLLATE "C",
    PRIMARY KEY (case_id, right_code)
);
-- Covering, in the order of the rights table's GROUP BY.
CREATE INDEX case_right_statistics_by_right ON case_right_statistics (right_code, status, due_on, met_on, closed_on, referred_on);

-- One row per case: the day it closed, the cooperation outcome (declined and whether support
-- went on afterwards) and the furthest compensation stage reached.
CREATE TABLE case_support_statistics (
    case_id       UUID PRIMARY KEY REFERENCES case_statistics(case_id),
    closed_on     TEXT COLLATE "C",
    cooperation   TEXT NOT NULL,
    compensation  TEXT NOT NULL
);

-- Sums of compensation per case, stage and currency (minor units).
CREATE TABLE case_compensation_amounts (
    case_id       UUID NOT NULL REFERENCES case_statistics(case_id),
    stage         TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL,
    PRIMARY KEY (case_id, stage, currency)
);

-- One row per service referral: kind, where it stands, days from referral to acceptance.
CREATE TABLE case_service_statistics (
    case_id        UUID NOT NULL REFERENCES case_statistics(case_id),
    n              INTEGER NOT NULL,
    service_kind   TEXT NOT NULL,
    status         TEXT NOT NULL,
    accepted_days  INTEGER,
    PRIMARY KEY (case_id, n)
);
