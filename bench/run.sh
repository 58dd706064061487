#!/usr/bin/env bash
# The standard benchmark suite: builds the servers and the load generator,
# raises the open-file limit, runs everything and writes bench/RESULTS.md
# (server figures) and bench/BROWSER.md (the app's, in headless Chromium).
# Usage: bench/run.sh [suite flags…]   (bench/run.sh crash --kills 10 for the crash test alone;
# bench/run.sh media [--mb 1024 --rss-mb 4096] for files beside a plain axum handler and ServeDir;
# bench/run.sh sfu [--rooms 16 --per-room 6 --seconds 10] for the streams the SFU forwards within half
# a core and the delay it adds, beside a UDP relay)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --profile server -p courier-server -p courier-bench
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ $# -eq 0 ]; then
  target/server/courier-bench suite
  # The app's figures (a 100,000-message chat) in headless Chromium.
  scripts/build.sh
  exec node bench/browser.mjs
fi
exec target/server/courier-bench "$@"
