#!/usr/bin/env bash
# Installs Debian's `chromium` for the status page's browser test when it is missing, and
# prints the path of the browser on stdout. Nothing downloads a browser build of its own:
# the test drives this system Chromium over CDP with puppeteer-core.
#   TFO_CHROMIUM_BIN  use this browser instead
set -euo pipefail

if [[ -n "${TFO_CHROMIUM_BIN:-}" ]]; then
  echo "$TFO_CHROMIUM_BIN"
  exit 0
fi

find_browser() {
  command -v chromium || command -v chromium-browser || true
}

bin="$(find_browser)"
if [[ -z "$bin" ]]; then
  command -v apt-get >/dev/null || {
    echo "ensure-chromium: no chromium on PATH and no apt-get to install it; set TFO_CHROMIUM_BIN" >&2
    exit 1
  }
  sudo=""
  [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
  echo "ensure-chromium: installing Debian's chromium (one-off)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Other installs may hold dpkg's lock: wait for it rather than fail.
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
  bin="$(find_browser)"
  [[ -n "$bin" ]] || { echo "ensure-chromium: chromium did not install" >&2; exit 1; }
fi
echo "$bin"
