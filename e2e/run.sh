#!/usr/bin/env bash
# Harbour's browser tests: headless Chromium (Debian's package) driven by playwright-core, axe-core
# on every page, a real `harbour serve --demo` per run. Works from a clean checkout: installs
# Chromium and Node if missing, `npm ci`, builds the binary, runs `node --test`. Exits non-zero on
# any failure. Screenshots of every page land in e2e/screenshots/ (or $HARBOUR_E2E_SCREENSHOTS).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need_apt=()
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "e2e: installing ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

cd "$here"
npm ci --no-audit --no-fund --loglevel=error

cd "$root"
cargo build -q -p harbour
target_dir=${CARGO_TARGET_DIR:-$root/target}
export HARBOUR_BIN=${HARBOUR_BIN:-$target_dir/debug/harbour}

cd "$here"
rm -rf "${HARBOUR_E2E_SCREENSHOTS:-$here/screenshots}"
node --test --test-concurrency=1 tests/
