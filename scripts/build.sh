#!/usr/bin/env bash
# Builds the app (Trunk and scripts/app.sh, release, wasm-opt) into dist/, with brotli and gzip
# copies of its files (scripts/precompress.mjs), and the server into
# target/server/courier-server. Assumes scripts/setup.sh has run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

trunk build --release --skip-version-check
cargo build --profile server -p courier-server

node scripts/precompress.mjs dist

# The first load's wasm, then each part loaded on first use (scripts/app.sh).
for wasm in dist/app/*/courier_bg.wasm dist/app/*/split_*.wasm dist/app/*/chunk_*.wasm; do
  printf '[build] %s: %s bytes raw, %s bytes brotli\n' "$(basename "$wasm")" "$(stat -c %s "$wasm")" "$(stat -c %s "$wasm.br")"
done
