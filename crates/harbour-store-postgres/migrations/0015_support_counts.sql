-- Statistics at scale (issue 7): the rights, redress and service figures pre-aggregated like the
-- dashboard's other groupings (migration 0014), per referral quarter. Lateness as at any day is
-- a difference of two running counts: rights that became late by that day (`rights_late_from`)
-- and rights that stopped being late by it (`rights_late_until`), each kept per day and per
-- quarter of that day (harbour-store/src/statistics.rs, "pre-aggregated rights"). The store keeps
-- them in step with the rows in the same transaction; `harbour statistics rebuild` recounts.
-- Count what is already there (the same statements as `rebuild_support_counts_sql`):
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'rights', s.referred_quarter, '', r.right_code, r.status, '', COUNT(*) FROM case_right_statistics r JOIN case_statistics s ON s.case_id = r.case_id
    GROUP BY s.referred_quarter, r.right_code, r.status;
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'rights_late_from', q, start_on, right_code, status, '', COUNT(*) FROM (SELECT q, right_code, status, start_on, CASE WHEN end_on IS NULL THEN NULL WHEN end_on > start_on THEN end_on ELSE start_on END AS until_on FROM (SELECT s.referred_quarter AS q, r.right_code, r.status, to_char(CAST(r.due_on AS DATE) + 1, 'YYYY-MM-DD') AS start_on, CASE WHEN r.met_on IS NULL THEN r.closed_on WHEN r.closed_on IS NULL OR r.met_on < r.closed_on THEN r.met_on ELSE r.closed_on END AS end_on FROM case_right_statistics r JOIN case_statistics s ON s.case_id = r.case_id WHERE r.due_on IS NOT NULL) x) y WHERE start_on IS NOT NULL
    GROUP BY q, start_on, right_code, status;
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'rights_late_from_q', q, '', right_code, status, SUBSTR(start_on, 1, 4) || '-Q' || CAST((CAST(SUBSTR(start_on, 6, 2) AS INTEGER) + 2) / 3 AS TEXT), COUNT(*) FROM (SELECT q, right_code, status, start_on, CASE WHEN end_on IS NULL THEN NULL WHEN end_on > start_on THEN end_on ELSE start_on END AS until_on FROM (SELECT s.referred_quarter AS q, r.right_code, r.status, to_char(CAST(r.due_on AS DATE) + 1, 'YYYY-MM-DD') AS start_on, CASE WHEN r.met_on IS NULL THEN r.closed_on WHEN r.closed_on IS NULL OR r.met_on < r.closed_on THEN r.met_on ELSE r.closed_on END AS end_on FROM case_right_statistics r JOIN case_statistics s ON s.case_id = r.case_id WHERE r.due_on IS NOT NULL) x) y WHERE start_on IS NOT NULL
    GROUP BY q, right_code, status, SUBSTR(start_on, 1, 4) || '-Q' || CAST((CAST(SUBSTR(start_on, 6, 2) AS INTEGER) + 2) / 3 AS TEXT);
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'rights_late_until', q, until_on, right_code, status, '', COUNT(*) FROM (SELECT q, right_code, status, start_on, CASE WHEN end_on IS NULL THEN NULL WHEN end_on > start_on THEN end_on ELSE start_on END AS until_on FROM (SELECT s.referred_quarter AS q, r.right_code, r.status, to_char(CAST(r.due_on AS DATE) + 1, 'YYYY-MM-DD') AS start_on, CASE WHEN r.met_on IS NULL THEN r.closed_on WHEN r.closed_on IS NULL OR r.met_on < r.closed_on THEN r.met_on ELSE r.closed_on END AS end_on FROM case_right_statistics r JOIN case_statistics s ON s.case_id = r.case_id WHERE r.due_on IS NOT NULL) x) y WHERE until_on IS NOT NULL
    GROUP BY q, until_on, right_code, status;
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'rights_late_until_q', q, '', right_code, status, SUBSTR(until_on, 1, 4) || '-Q' || CAST((CAST(SUBSTR(until_on, 6, 2) AS INTEGER) + 2) / 3 AS TEXT), COUNT(*) FROM (SELECT q, right_code, status, start_on, CASE WHEN end_on IS NULL THEN NULL WHEN end_on > start_on THEN end_on ELSE start_on END AS until_on FROM (SELECT s.referred_quarter AS q, r.right_code, r.status, to_char(CAST(r.due_on AS DATE) + 1, 'YYYY-MM-DD') AS start_on, CASE WHEN r.met_on IS NULL THEN r.closed_on WHEN r.closed_on IS NULL OR r.met_on < r.closed_on THEN r.met_on ELSE r.closed_on END AS end_on FROM case_right_statistics r JOIN case_statistics s ON s.case_id = r.case_id WHERE r.due_on IS NOT NULL) x) y WHERE until_on IS NOT NULL
    GROUP BY q, right_code, status, SUBSTR(until_on, 1, 4) || '-Q' || CAST((CAST(SUBSTR(until_on, 6, 2) AS INTEGER) + 2) / 3 AS TEXT);
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'cooperation', s.referred_quarter, '', t.cooperation, '', '', COUNT(*) FROM case_support_statistics t JOIN case_statistics s ON s.case_id = t.case_id
    GROUP BY s.referred_quarter, t.cooperation;
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'compensation', s.referred_quarter, '', t.compensation, '', '', COUNT(*) FROM case_support_statistics t JOIN case_statistics s ON s.case_id = t.case_id
    GROUP BY s.referred_quarter, t.compensation;
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'compensation_amounts', s.referred_quarter, '', t.stage, t.currency, '', COUNT(*) FROM case_compensation_amounts t JOIN case_statistics s ON s.case_id = t.case_id
    GROUP BY s.referred_quarter, t.stage, t.currency;
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'compensation_sums', s.referred_quarter, '', t.stage, t.currency, '', SUM(t.amount_minor) FROM case_compensation_amounts t JOIN case_statistics s ON s.case_id = t.case_id
    GROUP BY s.referred_quarter, t.stage, t.currency;
INSERT INTO statistics_counts (cube, quarter, day, k1, k2, k3, n)
    SELECT 'service_acceptance', s.referred_quarter, '', CAST(t.accepted_days AS TEXT), '', '', COUNT(*) FROM case_service_statistics t JOIN case_statistics s ON s.case_id = t.case_id WHERE t.accepted_days IS NOT NULL
    GROUP BY s.referred_quarter, CAST(t.accepted_days AS TEXT);
