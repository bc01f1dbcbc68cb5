#!/usr/bin/env bash
# Exactly what CI's lint job runs: formatting, clippy, types, then the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
npx prettier --check .
npx tsc --noEmit -p tsconfig.json
npm test
