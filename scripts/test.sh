#!/usr/bin/env bash
# The whole test suite, as `npm test` and CI run it:
#   1. cargo test: parsers and delta maths on fixture trees;
#   2. the package is (re)built, so the specs load what a user would;
#   3. the real OpenTelemetry Collector is built once (cached outside the repo), and Debian's
#      chromium is installed when missing (the status page's browser test drives it);
#   4. node's test runner: __test__ specs, then end-to-end tests against real peers;
#   5. the Windows build under Wine (scripts/test-windows.sh, which installs what it needs;
#      capped at TFO_WINDOWS_TIMEOUT, 600 s, for its tests, plus a one-off setup).
# TFO_TEST_FILES narrows step 4 (e.g. TFO_TEST_FILES=__test__/config.spec.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== cargo test"
cargo test --workspace --quiet

echo "== build"
npm run --silent build

echo "== OpenTelemetry Collector"
TFO_OTELCOL_BIN="$(bash scripts/ensure-otelcol.sh)"
export TFO_OTELCOL_BIN
echo "using $TFO_OTELCOL_BIN"

echo "== Chromium"
TFO_CHROMIUM_BIN="$(bash scripts/ensure-chromium.sh)"
export TFO_CHROMIUM_BIN
echo "using $TFO_CHROMIUM_BIN"

echo "== node --test"
shopt -s nullglob
files=(${TFO_TEST_FILES:-__test__/*.spec.ts e2e/*.e2e.ts})
node --import tsx --test --test-reporter=spec "${files[@]}"

if [[ -z "${TFO_TEST_FILES:-}" ]]; then
  echo "== Windows build under Wine"
  bash scripts/test-windows.sh
fi
