#!/usr/bin/env bash
# Fuzz every parser of outside input for a short while each (FUZZ_SECONDS, default 10).
# Crashes found are copied into fuzz/regressions/<target>/, where `cargo test` replays them
# (crates/harbour/tests/fuzz_regressions.rs); commit them with the fix.
#
# Only the stable toolchain is installed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly
# flags. The targets are safe Rust, so they run without a sanitizer (much faster to build);
# debug assertions are on so integer overflow panics. Set FUZZ_SANITIZER=address to use ASan.
set -euo pipefail
cd "$(dirname "$0")"
SECS=${FUZZ_SECONDS:-10}
SANITIZER=${FUZZ_SANITIZER:-none}
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$PWD/target}
TARGETS=(json_inputs policy_toml indicator_toml match_csv pdq_bank pdq_image webauthn)
if [ $# -gt 0 ]; then TARGETS=("$@"); fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

flags=(--sanitizer "$SANITIZER" --debug-assertions)
cargo fuzz build "${flags[@]}"

failed=()
for t in "${TARGETS[@]}"; do
  corpus=$(mktemp -d)
  cp seeds/"$t"/* "$corpus"/ 2>/dev/null || true
  cp regressions/"$t"/* "$corpus"/ 2>/dev/null || true
  mkdir -p artifacts/"$t"
  echo "fuzz: $t for ${SECS}s"
  if cargo fuzz run "${flags[@]}" "$t" "$corpus" -- \
      -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=0 >"$corpus.log" 2>&1; then
    grep -E "^(Done|#[0-9]+ +DONE)" "$corpus.log" | tail -n 1 || true
  else
    failed+=("$t")
    tail -n 30 "$corpus.log"
    mkdir -p regressions/"$t"
    for f in artifacts/"$t"/*; do
      [ -f "$f" ] && cp "$f" regressions/"$t"/ && echo "fuzz: kept $f as regressions/$t/$(basename "$f")"
    done
  fi
  rm -rf "$corpus" "$corpus.log"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs kept under fuzz/regressions/; fix, then run cargo test)"
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} passed, 0 failed"
