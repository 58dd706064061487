#!/usr/bin/env bash
# Runs a local three-node Courier cluster: three courier-server processes
# sharing one PostgreSQL database and NATS, behind nginx (WebSocket-aware)
# on 127.0.0.1:8080. Ctrl-C stops it all.
#   COURIER_POSTGRES  database URL (default: database courier_cluster on the local server)
#   COURIER_NATS      NATS URL (default nats://127.0.0.1:4222)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
scripts/build.sh

db_url=${COURIER_POSTGRES:-postgres://root@127.0.0.1:5432/courier_cluster}
if [ -z "${COURIER_POSTGRES:-}" ]; then
  pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  psql -h 127.0.0.1 -d test -tAc "SELECT 1 FROM pg_database WHERE datname = 'courier_cluster'" | grep -q 1 \
    || psql -h 127.0.0.1 -d test -qc "CREATE DATABASE courier_cluster"
fi
nats_url=${COURIER_NATS:-nats://127.0.0.1:4222}
run=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; nginx -p "$run" -c nginx.conf -s stop 2>/dev/null; rm -rf "$run"' EXIT

for port in 8081 8082 8083; do
  target/server/courier-server --listen "127.0.0.1:$port" --data "$run/node$port" --static-dir dist \
    --postgres "$db_url" --nats "$nats_url" --allowed-origin http://127.0.0.1:8080 \
    --trust-forwarded-for &
  pids+=($!)
done

cat > "$run/nginx.conf" <<CONF
worker_processes 1;
error_log $run/error.log;
pid $run/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  upstream courier { server 127.0.0.1:8081; server 127.0.0.1:8082; server 127.0.0.1:8083; }
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:8080;
    location / {
      proxy_pass http://courier;
      proxy_http_version 1.1;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_read_timeout 120s;
      # A node that dies mid-request: try the next one.
      proxy_next_upstream error timeout;
    }
  }
}
CONF
nginx -p "$run" -c nginx.conf
echo "Courier cluster is running at http://127.0.0.1:8080/ (nodes on 8081-8083)"
wait
