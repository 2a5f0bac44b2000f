#!/usr/bin/env bash
# harbour-pdq vs Meta's reference (PyPI pdqhash) and faiss, in one run.
# Usage: benches/pdq/run.sh [N...]    (bank sizes; default 1000000)
# Env: OUT (results dir, default /tmp/pdq-bench), VENV (default /work/venv-pdq),
#      QUERIES (default 1000 up to 2M hashes, 200 above: faiss' multi-hash
#      index answers about 2 queries/s at 10M), SECONDS_PER_HASH_BENCH (default 10).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REF="$ROOT/../shared/pdq-reference/images"
OUT="${OUT:-/tmp/pdq-bench}"
VENV="${VENV:-/work/venv-pdq}"
QUERIES="${QUERIES:-}"
SECS="${SECONDS_PER_HASH_BENCH:-10}"
SIZES=("${@:-1000000}")
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-pdq}"

[ -d "$REF" ] || { echo "reference images not found at $REF" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q pdqhash faiss-cpu numpy
PY="$VENV/bin/python"

FEATURES=()
if pkg-config --exists libturbojpeg 2>/dev/null; then FEATURES=(--features libjpeg-turbo); fi
cargo build --release -p harbour-pdq --example pdq_bench "${FEATURES[@]}"
BENCH="$CARGO_TARGET_DIR/release/examples/pdq_bench"

mkdir -p "$OUT"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
  echo "cores: $(nproc)  rustc: $(rustc --version)  python: $($PY --version 2>&1)"
  echo "pdqhash: $($PY -c 'import pdqhash; print(pdqhash.__version__)')  faiss: $($PY -c 'import faiss; print(faiss.__version__)')"
  echo "features: ${FEATURES[*]:-none}"
} > "$OUT/env.txt"

# Hashing: decode every reference image once, both sides hash the same pixels.
rm -rf "$OUT/rgb"
mapfile -t IMAGES < <(find "$REF" -type f \( -name '*.jpg' -o -name '*.png' \) | sort)
"$BENCH" prepare-images "$OUT/rgb" "${IMAGES[@]}" > "$OUT/images.txt"
"$BENCH" hash-bench "$OUT/rgb" "$SECS" > "$OUT/rust_hash.json"
"$PY" "$ROOT/benches/pdq/peer.py" hash-bench "$OUT/rgb" "$SECS" > "$OUT/peer_hash.json"

# Matching.
rm -f "$OUT"/rust_match_*.json "$OUT"/peer_match_*.json
for N in "${SIZES[@]}"; do
  D="$OUT/data-$N"
  Q="${QUERIES:-$([ "$N" -le 2000000 ] && echo 1000 || echo 200)}"
  "$BENCH" gen-hashes "$D" "$N" "$Q" 42 > /dev/null
  "$BENCH" match-bench "$D" 31 > "$OUT/rust_match_$N.json"
  "$PY" "$ROOT/benches/pdq/peer.py" match-bench "$D" 31 > "$OUT/peer_match_$N.json"
  rm -f "$D/db.bin"
done

"$PY" "$ROOT/benches/pdq/peer.py" report "$OUT" | tee "$OUT/report.md"
cat "$OUT/env.txt"
