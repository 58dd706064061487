#!/usr/bin/env bash
# Builds the app (Trunk, release, wasm-opt) into dist/ and the server into
# target/server/courier-server. Assumes scripts/setup.sh has run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

trunk build --release --skip-version-check
cargo build --profile server -p courier-server

wasm=$(ls dist/*.wasm)
raw=$(stat -c %s "$wasm")
br=$(brotli -c -q 11 "$wasm" | wc -c)
printf '[build] app wasm: %s bytes raw, %s bytes brotli\n' "$raw" "$br"
