#!/usr/bin/env bash
# Installs what the end-to-end tests (test/e2e) need: Chromium, ripgrep and the Kerberos headers from Debian, and
# code-server with its bundled VS Code built for this machine's Node, into .cache/e2e/ (ignored by git). It lives
# outside the project's node_modules so that `npm ci` stays fast and the project's lockfile does not carry
# code-server's few hundred packages.
#
# Idempotent: a finished run writes a stamp holding this script's hash, and a later run with the same script only
# checks the Debian packages and the stamp. Set ROUTE_DOCTOR_E2E_DIR to install elsewhere (for example a folder that
# outlives fresh clones).
# Usage: bash scripts/e2e-setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3 # The newest code-server whose engines.node accepts Node 20.
E2E_DIR="${ROUTE_DOCTOR_E2E_DIR:-$PWD/.cache/e2e}"
STAMP="$E2E_DIR/setup.stamp"
# ripgrep replaces the binary that @vscode/ripgrep's postinstall would download, libkrb5-dev lets the `kerberos`
# native module build, and the DejaVu fonts give the screenshots legible text.
DEBIAN_PACKAGES=(chromium ripgrep libkrb5-dev fonts-dejavu-core)

started=$SECONDS
say() { printf 'e2e-setup [%3d s]: %s\n' "$((SECONDS - started))" "$*"; }

# When this runs under `npm run`, npm's own variables describe the Route Doctor project; the nested npm commands
# below must find their own package.json files instead.
unset npm_config_local_prefix npm_config_prefix npm_package_json

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present: ${DEBIAN_PACKAGES[*]}"
fi

want="code-server $CODE_SERVER_VERSION $(sha256sum "$0" | cut -d' ' -f1)"
code_server="$E2E_DIR/node_modules/code-server"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$code_server/out/node/entry.js" ]; then
  say "code-server $CODE_SERVER_VERSION already set up in $E2E_DIR"
  exit 0
fi

# Starting over is simpler and safer than resuming after a failed or outdated run: the steps below are not
# individually idempotent (symlinks, partial native builds). Only what this script made is removed, since
# ROUTE_DOCTOR_E2E_DIR may name a folder that holds other things.
say "setting up code-server $CODE_SERVER_VERSION in $E2E_DIR (a few minutes; needs only the npm registry)"
mkdir -p "$E2E_DIR"
rm -rf "$STAMP" "$E2E_DIR/node_modules" "$E2E_DIR/package.json" "$E2E_DIR/package-lock.json" "$E2E_DIR/rebuild.log"
echo '{ "private": true, "description": "code-server for Route Doctor end-to-end tests; made by scripts/e2e-setup.sh" }' >"$E2E_DIR/package.json"

# code-server's postinstall would download things and expects a global install; the steps after this one do its work
# by hand, without the downloads.
say "npm install code-server@$CODE_SERVER_VERSION"
(cd "$E2E_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")

vscode="$code_server/lib/vscode"
say "npm install in lib/vscode (VS Code's server dependencies)"
(cd "$vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

# @vscode/ripgrep's postinstall downloads a ripgrep binary from GitHub, which is not reachable; Debian's works the
# same for VS Code's search.
mkdir -p "$vscode/node_modules/@vscode/ripgrep/bin"
ln -sf /usr/bin/rg "$vscode/node_modules/@vscode/ripgrep/bin/rg"

# Builds the native modules (kerberos, node-pty, spdlog, …) for this Node, with one compiler per core. node-pty's
# extra post-install step (it asks npx for node-gyp to write compile_commands.json) fails after pty.node is built, so
# the exit status is not trusted and its long output goes to a log; the check below looks for the modules themselves.
say "npm rebuild in lib/vscode (native modules; takes the longest; log in $E2E_DIR/rebuild.log)"
(cd "$vscode" && JOBS=max npm rebuild --loglevel=error >"$E2E_DIR/rebuild.log" 2>&1) || say "npm rebuild exited non-zero (expected: node-pty's post-install step); checking the native modules"
for module in node-pty/build/Release/pty.node @vscode/spdlog/build/Release/spdlog.node kerberos/build/Release/kerberos.node \
  native-watchdog/build/Release/watchdog.node; do
  if [ ! -f "$vscode/node_modules/$module" ]; then
    tail -n 40 "$E2E_DIR/rebuild.log" >&2
    say "missing native module after npm rebuild: $module (full log: $E2E_DIR/rebuild.log)" >&2
    exit 1
  fi
done

# VS Code loads some modules from node_modules.asar, the name its packaged builds use.
ln -sfn node_modules "$vscode/node_modules.asar"

say "npm install in lib/vscode/extensions (built-in extensions' dependencies)"
(cd "$vscode/extensions" && npm install --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)

say "npm rebuild argon2 (code-server's password hashing, loaded at start even with --auth none)"
(cd "$E2E_DIR" && npm rebuild argon2 --loglevel=error)

echo "$want" >"$STAMP"
say "done: $code_server/out/node/entry.js"
