#!/usr/bin/env bash
# Runs every test: formatting and clippy, protocol and server tests (nextest, storage on SQLite
# and PostgreSQL), the crash test's short form on one node and on a
# three-node cluster, then end-to-end tests in headless Chromium and Firefox
# ESR against a real server (and a cluster behind nginx). Installs and
# builds whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
scripts/setup.sh --test
scripts/build.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# The storage conformance suite also runs against the local PostgreSQL.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
# Habits first: formatted, and clippy clean (warnings are errors) for the
# host crates and the app.
cargo fmt --all --check
cargo clippy -p courier-protocol -p courier-server -p courier-sfu -p courier-bench --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p courier -- -D warnings
# The app's pure logic (acts on a message, windows, the outbox, schema
# steps) is tested on the host, with its tests linted there too.
cargo clippy -p courier --tests -- -D warnings
cargo nextest run -p courier-protocol -p courier-server -p courier-sfu -p courier-bench -p courier --no-fail-fast
# The crash test's short form: 100 clients, 3 SIGKILLs, then the checker;
# on one node (SQLite), then on three (PostgreSQL + NATS, random victims).
cargo build --profile server -p courier-bench
target/server/courier-bench crash --kills 3
target/server/courier-bench crash --kills 3 --nodes 3
# One file at a time: the machine has two cores and each file runs browsers.
node --test --test-concurrency=1 tests/e2e/
printf '[test] all tests passed in %ss\n' "$(( $(date +%s) - started ))"
