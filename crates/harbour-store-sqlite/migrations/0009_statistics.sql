-- Statistics (issue 7): one non-identifying row per case, derived from the journal by the service
-- and written in the same transaction as its events, so published figures are computed, never
-- typed in, and survive the destruction of a case's key (the sealed journal stays; so does this).
-- No names, no birth dates, no free text: age groups, quarter and day of referral, durations.
-- Flags are 0/1 so that both backends read them the same way.
CREATE TABLE case_statistics (
    case_id                 TEXT PRIMARY KEY REFERENCES cases(id),
    referred_on             TEXT NOT NULL,
    referred_quarter        TEXT NOT NULL,
    referrer_kind           TEXT NOT NULL,
    age_at_referral         TEXT NOT NULL,
    age_at_exploitation     TEXT NOT NULL,
    ctdc_age_band           TEXT,
    sex                     TEXT NOT NULL,
    nationality             TEXT,
    region                  TEXT,
    online_recruitment      SMALLINT NOT NULL,
    county_lines            SMALLINT NOT NULL,
    rg_outcome              TEXT,
    rg_quarter              TEXT,
    rg_days                 INTEGER,
    rg_within_target        SMALLINT,
    cg_outcome              TEXT,
    cg_quarter              TEXT,
    cg_days                 INTEGER,
    cg_within_target        SMALLINT,
    guardian_hours          INTEGER,
    guardian_within_target  SMALLINT,
    phase                   TEXT NOT NULL,
    closure                 TEXT
);
CREATE INDEX case_statistics_referred ON case_statistics (referred_on);
-- Covering indexes in the order of the dashboard's GROUP BYs, each ending with the referral day
-- so a period filter stays inside the index: every dashboard query is an index scan.
CREATE INDEX case_statistics_by_quarter ON case_statistics (referred_quarter, age_at_exploitation, referred_on);
CREATE INDEX case_statistics_by_referrer ON case_statistics (referrer_kind, referred_on);
CREATE INDEX case_statistics_by_rg ON case_statistics (rg_quarter, rg_outcome, referred_on);
CREATE INDEX case_statistics_by_cg ON case_statistics (cg_quarter, cg_outcome, referred_on);
CREATE INDEX case_statistics_rg_days ON case_statistics (rg_days, rg_within_target, referred_on);
CREATE INDEX case_statistics_cg_days ON case_statistics (cg_days, referred_on);
CREATE INDEX case_statistics_guardian ON case_statistics (guardian_hours, referred_on);
CREATE INDEX case_statistics_phase ON case_statistics (phase, referred_on);
CREATE INDEX case_statistics_guardian_late ON case_statistics (age_at_referral, guardian_within_target, phase, referred_on);

-- Several forms per case; the referral day, quarter and age groups are repeated so that the
-- tables by form need no join.
CREATE TABLE case_exploitation_forms (
    case_id              TEXT NOT NULL REFERENCES case_statistics(case_id),
    form                 TEXT NOT NULL,
    referred_on          TEXT NOT NULL,
    referred_quarter     TEXT NOT NULL,
    age_at_referral      TEXT NOT NULL,
    age_at_exploitation  TEXT NOT NULL,
    PRIMARY KEY (case_id, form)
);
CREATE INDEX case_exploitation_forms_referred ON case_exploitation_forms (referred_on);
CREATE INDEX case_exploitation_forms_by_age ON case_exploitation_forms (form, age_at_exploitation, referred_on);
