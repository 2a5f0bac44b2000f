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

-- Several forms per case; the referral day is repeated so that a period filter needs no join.
CREATE TABLE case_exploitation_forms (
    case_id           TEXT NOT NULL REFERENCES case_statistics(case_id),
    form              TEXT NOT NULL,
    referred_on       TEXT NOT NULL,
    referred_quarter  TEXT NOT NULL,
    PRIMARY KEY (case_id, form)
);
CREATE INDEX case_exploitation_forms_referred ON case_exploitation_forms (referred_on);
