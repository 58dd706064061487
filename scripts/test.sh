#!/usr/bin/env bash
# Runs every test: protocol and server tests (nextest), then end-to-end tests
# in headless Chromium and Firefox ESR against a real server. Installs and
# builds whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
scripts/setup.sh --test
scripts/build.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo nextest run -p courier-protocol -p courier-server --no-fail-fast
# One file at a time: the machine has two cores and each file runs browsers.
node --test --test-concurrency=1 tests/e2e/
printf '[test] all tests passed in %ss\n' "$(( $(date +%s) - started ))"
