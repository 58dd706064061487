#!/usr/bin/env bash
# Installs what building and testing Courier needs on a fresh machine with no
# internet but the package registries. Idempotent: each step checks first, so a
# second run takes seconds. Usage: scripts/setup.sh [--test]
#   --test  also installs the browsers, nginx and the npm test packages.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
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

npm_packages=("binaryen@$BINARYEN_VERSION")
$want_test && npm_packages+=("playwright-core@1.64.1" "tus-js-client@4.3.1")
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
  # The cluster tests put three nodes behind a real load balancer.
  command -v nginx >/dev/null || pkgs+=(nginx-light)
  # The migration e2e test loads a version-1 database dump.
  command -v sqlite3 >/dev/null || pkgs+=(sqlite3)
  if [ ${#pkgs[@]} -gt 0 ]; then
    say "installing Debian packages: ${pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
  if ! cargo nextest --version >/dev/null 2>&1; then
    say "installing cargo-nextest"
    cargo install --locked cargo-nextest
  fi
fi
say "ready"
