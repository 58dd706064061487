#!/usr/bin/env bash
# Installs what building and testing Courier needs on a fresh machine with no
# internet but the package registries. Idempotent: each step checks first, so a
# second run takes seconds. Usage: scripts/setup.sh [--test]
#   --test  also installs the browsers, nginx, the npm test packages and
#           moto (an S3 server for the blob store's tests).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
WASM_SPLIT_VERSION=0.2.4
MOTO_VERSION=5.2.1
# Where moto goes if python3 lacks it: a virtualenv of its own (Debian's
# python3 refuses `pip install` outside one). server/tests/common/s3.rs
# looks here first.
MOTO_VENV="$HOME/.local/share/courier/moto"
want_test=false
[ "${1:-}" = "--test" ] && want_test=true

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '[setup] %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The test command checks formatting and lints.
if $want_test; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$component"; then
      say "adding the $component component"
      rustup component add "$component"
    fi
  done
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# The CLI must equal the wasm-bindgen crate that Cargo.lock pins.
bindgen_version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version"
  # Not --locked: its lockfile wants a webpki-roots the registry lacks.
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# Cuts the parts loaded on first use out of the app's wasm (scripts/app.sh).
# It has no --version; cargo's list of installed packages says which.
if ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "installing wasm_split_cli_support $WASM_SPLIT_VERSION"
  cargo install --locked wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary
fi

npm_packages=("binaryen@$BINARYEN_VERSION")
$want_test && npm_packages+=("playwright-core@1.64.1" "tus-js-client@4.3.1" "axe-core@4.14.1" "selenium-webdriver@4.54.0")
missing=()
for p in "${npm_packages[@]}"; do
  name=${p%@*}; version=${p##*@}
  have=$(node -p "try{require('./node_modules/$name/package.json').version}catch(e){''}" 2>/dev/null || true)
  [ "$have" = "$version" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing npm packages: ${missing[*]}"
  npm install --no-audit --no-fund --no-save "${npm_packages[@]}"
fi

if $want_test; then
  pkgs=()
  command -v chromium >/dev/null || pkgs+=(chromium)
  command -v chromedriver >/dev/null || pkgs+=(chromium-driver)
  command -v firefox-esr >/dev/null || pkgs+=(firefox-esr)
  # WebKit: WebKitGTK's MiniBrowser and WebDriver, under Xvfb (no headless mode).
  command -v WebKitWebDriver >/dev/null || pkgs+=(webkit2gtk-driver)
  command -v xvfb-run >/dev/null || pkgs+=(xvfb)
  command -v xauth >/dev/null || pkgs+=(xauth)
  # Calls through a TURN relay are tested against Debian's coturn.
  command -v turnserver >/dev/null || pkgs+=(coturn)
  # The cluster tests put three nodes behind a real load balancer.
  command -v nginx >/dev/null || pkgs+=(nginx-light)
  # The migration e2e test loads a version-1 database dump.
  command -v sqlite3 >/dev/null || pkgs+=(sqlite3)
  # The S3 blob store's tests run against moto's S3 server: present if the
  # virtualenv or python3 has the pinned version (and its server extra).
  moto_of() { "$1" -c 'import flask, moto; print(moto.__version__)' 2>/dev/null || true; }
  want_moto=false
  if [ "$(moto_of "$MOTO_VENV/bin/python")" != "$MOTO_VERSION" ] &&
     { [ "$(moto_of python3)" != "$MOTO_VERSION" ] || ! command -v moto_server >/dev/null; }; then
    want_moto=true
    python3 -c 'import venv, ensurepip' 2>/dev/null || pkgs+=(python3-venv)
  fi
  if [ ${#pkgs[@]} -gt 0 ]; then
    say "installing Debian packages: ${pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
  if $want_moto; then
    say "installing moto[server] $MOTO_VERSION in $MOTO_VENV"
    rm -rf "$MOTO_VENV"
    python3 -m venv "$MOTO_VENV"
    "$MOTO_VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  fi
  if ! cargo nextest --version >/dev/null 2>&1; then
    say "installing cargo-nextest"
    cargo install --locked cargo-nextest
  fi
fi
say "ready"
