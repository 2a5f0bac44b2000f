#!/usr/bin/env bash
# Inflate a benchmark database's statistical projection by copying every case's statistical,
# rights, redress and service rows R times under new case ids, then recount statistics_counts
# with exactly the statements of migrations 0014 and 0015. Only for benchmarks.
set -euo pipefail
db=$1; copies=$2; repo=${3:-$(cd "$(dirname "$0")/../.." && pwd)}
sql=$(mktemp)
# Copies differ from the originals in the UUID version digit (4, or 7 for bench-filled cases, in an original).
{
  echo "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -262144;"
  echo "CREATE TEMP TABLE orig AS SELECT case_id FROM case_statistics;"
  echo "BEGIN;"
  for c in $(seq 1 "$copies"); do
    nid="substr(t.case_id, 1, 14) || char(96 + $c) || substr(t.case_id, 16)"
    for t in case_statistics case_exploitation_forms case_right_statistics case_support_statistics case_compensation_amounts case_service_statistics; do
      cols=$(sqlite3 "$db" "SELECT group_concat(name, ', ') FROM pragma_table_info('$t') WHERE name <> 'case_id'")
      tcols=$(sqlite3 "$db" "SELECT group_concat('t.' || name, ', ') FROM pragma_table_info('$t') WHERE name <> 'case_id'")
      echo "INSERT INTO $t (case_id, $cols) SELECT $nid, $tcols FROM $t t JOIN orig o ON o.case_id = t.case_id;"
    done
  done
  echo "DELETE FROM statistics_counts;"
  sed -n '/^INSERT INTO/,$p' "$repo/crates/harbour-store-sqlite/migrations/0014_statistics_counts.sql"
  sed -n '/^INSERT INTO/,$p' "$repo/crates/harbour-store-sqlite/migrations/0015_support_counts.sql"
  echo "COMMIT;"
} > "$sql"
time sqlite3 "$db" < "$sql"
sqlite3 "$db" "SELECT COUNT(*) FROM case_statistics; SELECT COUNT(*) FROM case_right_statistics; SELECT COUNT(*) FROM statistics_counts;"
