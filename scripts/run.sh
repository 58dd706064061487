#!/usr/bin/env bash
# Runs Courier on one node: SQLite and files under ./data (or $COURIER_DATA),
# listening on 127.0.0.1:8080 (or $COURIER_LISTEN). Installs and builds
# whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec target/server/courier-server \
  --listen "${COURIER_LISTEN:-127.0.0.1:8080}" \
  --data "${COURIER_DATA:-data}" \
  --static-dir dist "$@"
