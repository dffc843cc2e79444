#!/usr/bin/env bash
# Writes the metric families that the stack's exporters export, one "name type" per line, from a
# real scrape of each exporter (Debian's packages, started here against the local PostgreSQL,
# Redis and an nginx with stub_status). MonitoringConfigTest checks every name that a rule or a
# panel reads against these files, so re-run this after adding an exporter or a collector:
#
#   apt-get install prometheus-node-exporter prometheus-postgres-exporter \
#       prometheus-redis-exporter prometheus-nginx-exporter nginx
#   deploy/prometheus/exporter-metrics/capture.sh
#
# cAdvisor and the Barman Cloud plugin are not packaged: their files are the documented lists.
set -euo pipefail

OUT="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# Scrapes $2 until it answers (10 s at most) and writes the families of its "# TYPE" lines to $1.
capture() {
    local file="$1" url="$2" version="$3" body=""
    for _ in $(seq 1 50); do
        body="$(curl -fsS --max-time 2 "$url" 2>/dev/null)" && break
        sleep 0.2
    done
    [[ -n "$body" ]] || { echo "no answer from $url" >&2; exit 1; }
    {
        echo "# $version, scraped from $url by capture.sh"
        awk '$1 == "#" && $2 == "TYPE" { print $3, $4 }' <<<"$body" | sort -u
    } >"$OUT/$file"
    echo "$file: $(($(wc -l <"$OUT/$file") - 1)) families"
}

version() { "$1" --version 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1; }

# (The backup metrics that the node exporter's textfile collector adds are read from the "# TYPE"
# lines of deploy/backup.sh by the test itself.)
prometheus-node-exporter --web.listen-address=127.0.0.1:19100 >"$WORK/node.log" 2>&1 &
PIDS+=($!)

DATA_SOURCE_NAME="postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable" \
    prometheus-postgres-exporter --web.listen-address=127.0.0.1:19187 >"$WORK/postgres.log" 2>&1 &
PIDS+=($!)

prometheus-redis-exporter -web.listen-address 127.0.0.1:19121 \
    -redis.addr redis://127.0.0.1:6379 >"$WORK/redis.log" 2>&1 &
PIDS+=($!)

cat >"$WORK/nginx.conf" <<NGINX
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events {}
http {
    access_log off;
    server { listen 127.0.0.1:18081; location /stub_status { stub_status; } }
}
NGINX
nginx -c "$WORK/nginx.conf" &
PIDS+=($!)
prometheus-nginx-exporter -web.listen-address 127.0.0.1:19113 \
    -nginx.scrape-uri http://127.0.0.1:18081/stub_status >"$WORK/nginx-exporter.log" 2>&1 &
PIDS+=($!)

capture node-exporter.txt http://127.0.0.1:19100/metrics "node_exporter $(version prometheus-node-exporter)"
capture postgres-exporter.txt http://127.0.0.1:19187/metrics "postgres_exporter $(version prometheus-postgres-exporter)"
capture redis-exporter.txt http://127.0.0.1:19121/metrics "redis_exporter $(prometheus-redis-exporter -version 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)"
capture nginx-exporter.txt http://127.0.0.1:19113/metrics "nginx-prometheus-exporter $(prometheus-nginx-exporter -version 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)"
