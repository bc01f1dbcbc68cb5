#!/usr/bin/env bash
# Builds the real OpenTelemetry Collector used by the end-to-end tests, once,
# with the collector builder (ocb) from the Go module proxy, and caches the
# binary outside the repository. Prints the binary's path on stdout.
# Version 0.145.0: the module proxy serves every module this set needs at
# that version (several later contrib releases are refused there).
#   TFO_OTELCOL_CACHE  where to keep it (default: ~/.cache/tfo-agent)
#   TFO_OTELCOL_BIN    use this binary instead of building one
set -euo pipefail

if [[ -n "${TFO_OTELCOL_BIN:-}" ]]; then
  echo "$TFO_OTELCOL_BIN"
  exit 0
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config="$here/otelcol/builder-config.yaml"
version="0.145.0"
hash="$(sha256sum "$config" | cut -c1-12)"
cache="${TFO_OTELCOL_CACHE:-$HOME/.cache/tfo-agent}/otelcol-$version-$hash"
# Windows (Git Bash on CI's Windows runner): Go names the binary .exe.
exe=""
[[ "${OS:-}" == Windows_NT ]] && exe=.exe
bin="$cache/otelcol-tfo-test$exe"

if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "ensure-otelcol: Go is needed to build the test collector" >&2; exit 1; }
mkdir -p "$cache"
lock="$cache.lock"
exec 9>"$lock"
# Git Bash on Windows has no flock; CI there builds it once per job anyway.
if command -v flock >/dev/null; then flock 9; fi
if [[ ! -x "$bin" ]]; then
  echo "ensure-otelcol: building the OpenTelemetry Collector $version with ocb (one-off, cached in $cache)" >&2
  gobin="$cache/gobin"
  GOBIN="$gobin" go install "go.opentelemetry.io/collector/cmd/builder@v$version" >&2
  work="$(mktemp -d)"
  cp "$config" "$work/builder-config.yaml"
  (cd "$work" && "$gobin/builder" --config builder-config.yaml >&2)
  cp "$work/_build/otelcol-tfo-test$exe" "$bin.tmp"
  mv "$bin.tmp" "$bin"
  rm -rf "$work"
fi
echo "$bin"
