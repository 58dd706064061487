#!/usr/bin/env bash
# Builds the app (Trunk, release, wasm-opt) into dist/, with brotli and gzip
# copies of its files (scripts/precompress.mjs), and the server into
# target/server/courier-server. Assumes scripts/setup.sh has run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

trunk build --release --skip-version-check
cargo build --profile server -p courier-server

node scripts/precompress.mjs dist

wasm=$(ls dist/*.wasm)
printf '[build] app wasm: %s bytes raw, %s bytes brotli\n' "$(stat -c %s "$wasm")" "$(stat -c %s "$wasm.br")"
