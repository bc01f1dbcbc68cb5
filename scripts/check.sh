#!/usr/bin/env bash
# Exactly what CI's lint job runs: formatting, clippy, types, then the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# The other platforms the packages promise, type-checked and linted from here (the
# runners prove them at run time). napi-build wants a libnode.dll for windows-gnu;
# `cargo clippy` links nothing, so an empty stand-in serves.
stand_in="$(mktemp -d)"
trap 'rm -rf "$stand_in"' EXIT
touch "$stand_in/libnode.dll"
for target in x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc x86_64-pc-windows-gnu; do
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
  LIBNODE_PATH="$stand_in" cargo clippy --workspace --all-targets --target "$target" -- -D warnings
done
npx prettier --check .
npx tsc --noEmit -p tsconfig.json
npm test
