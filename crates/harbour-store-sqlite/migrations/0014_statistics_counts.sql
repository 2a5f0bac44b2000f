-- Statistics at scale (issue 7): the dashboard's groupings, pre-aggregated. One counter per
-- (grouping, referral quarter, referral day or '' for the whole quarter, keys): how many
-- statistical rows (or rows x exploitation form) fall in it. Kept exactly equal to a GROUP BY over
-- case_statistics by the store, which adds the new row's counters and subtracts the old row's in
-- the same transaction as the row (harbour-store/src/statistics.rs, CUBES). An empty key is a NULL
-- column; unused keys are empty. `harbour statistics rebuild` recounts, `statistics check` compares.
CREATE TABLE statistics_counts (
    cube     TEXT NOT NULL,
    quarter  TEXT NOT NULL,
    day      TEXT NOT NULL,
    k1       TEXT NOT NULL,
    k2       TEXT NOT NULL,
    k3       TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (cube, day, quarter, k1, k2, k3)
);

-- Count what is already there (the same statements as `rebuild_counts_sql`): per-day groupings
-- are kept per day and per quarter.
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'age_at_exploitation', s.referred_quarter, s.referred_on, COALESCE(s.age_at_exploitation, ''), '', '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, s.referred_on, COALESCE(s.age_at_exploitation, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'age_at_exploitation', s.referred_quarter, '', COALESCE(s.age_at_exploitation, ''), '', '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, COALESCE(s.age_at_exploitation, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'form_age_at_exploitation', f.referred_quarter, f.referred_on, COALESCE(f.form, ''), COALESCE(f.age_at_exploitation, ''), '', COUNT(*) FROM case_exploitation_forms f
    GROUP BY f.referred_quarter, f.referred_on, COALESCE(f.form, ''), COALESCE(f.age_at_exploitation, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'form_age_at_exploitation', f.referred_quarter, '', COALESCE(f.form, ''), COALESCE(f.age_at_exploitation, ''), '', COUNT(*) FROM case_exploitation_forms f
    GROUP BY f.referred_quarter, COALESCE(f.form, ''), COALESCE(f.age_at_exploitation, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'referrer_kind', s.referred_quarter, s.referred_on, COALESCE(s.referrer_kind, ''), '', '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, s.referred_on, COALESCE(s.referrer_kind, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'referrer_kind', s.referred_quarter, '', COALESCE(s.referrer_kind, ''), '', '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, COALESCE(s.referrer_kind, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'reasonable_grounds', s.referred_quarter, s.referred_on, COALESCE(s.rg_quarter, ''), COALESCE(s.rg_outcome, ''), '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, s.referred_on, COALESCE(s.rg_quarter, ''), COALESCE(s.rg_outcome, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'reasonable_grounds', s.referred_quarter, '', COALESCE(s.rg_quarter, ''), COALESCE(s.rg_outcome, ''), '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, COALESCE(s.rg_quarter, ''), COALESCE(s.rg_outcome, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'conclusive_grounds', s.referred_quarter, s.referred_on, COALESCE(s.cg_quarter, ''), COALESCE(s.cg_outcome, ''), '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, s.referred_on, COALESCE(s.cg_quarter, ''), COALESCE(s.cg_outcome, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'conclusive_grounds', s.referred_quarter, '', COALESCE(s.cg_quarter, ''), COALESCE(s.cg_outcome, ''), '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, COALESCE(s.cg_quarter, ''), COALESCE(s.cg_outcome, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'reasonable_grounds_days', s.referred_quarter, '', COALESCE(CAST(s.rg_days AS TEXT), ''), COALESCE(CAST(s.rg_within_target AS TEXT), ''), '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, COALESCE(CAST(s.rg_days AS TEXT), ''), COALESCE(CAST(s.rg_within_target AS TEXT), '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'conclusive_grounds_days', s.referred_quarter, '', COALESCE(CAST(s.cg_days AS TEXT), ''), '', '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, COALESCE(CAST(s.cg_days AS TEXT), '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'guardian_hours', s.referred_quarter, '', COALESCE(CAST(s.guardian_hours AS TEXT), ''), '', '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, COALESCE(CAST(s.guardian_hours AS TEXT), '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'status', s.referred_quarter, s.referred_on, COALESCE(s.phase, ''), '', '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, s.referred_on, COALESCE(s.phase, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'status', s.referred_quarter, '', COALESCE(s.phase, ''), '', '', COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, COALESCE(s.phase, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'guardian_late', s.referred_quarter, s.referred_on, COALESCE(s.age_at_referral, ''), COALESCE(CAST(s.guardian_within_target AS TEXT), ''), COALESCE(s.phase, ''), COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, s.referred_on, COALESCE(s.age_at_referral, ''), COALESCE(CAST(s.guardian_within_target AS TEXT), ''), COALESCE(s.phase, '');
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'guardian_late', s.referred_quarter, '', COALESCE(s.age_at_referral, ''), COALESCE(CAST(s.guardian_within_target AS TEXT), ''), COALESCE(s.phase, ''), COUNT(*) FROM case_statistics s
    GROUP BY s.referred_quarter, COALESCE(s.age_at_referral, ''), COALESCE(CAST(s.guardian_within_target AS TEXT), ''), COALESCE(s.phase, '');
