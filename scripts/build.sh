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
# Node's zlib, not the brotli tool: a machine that only runs Courier has
# Node (for wasm-opt) but not necessarily brotli.
br=$(node -e '
  const zlib = require("zlib");
  const bytes = require("fs").readFileSync(process.argv[1]);
  const q = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } };
  process.stdout.write(String(zlib.brotliCompressSync(bytes, q).length));
' "$wasm")
printf '[build] app wasm: %s bytes raw, %s bytes brotli\n' "$raw" "$br"
