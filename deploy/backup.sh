#!/usr/bin/env bash
# Nightly logical backup of the compose stack's PostgreSQL, run from the host's cron (docs/deploy.md):
# a custom-format pg_dump into BACKUP_DIR, checked by pg_restore --list, older dumps pruned, and
# the time of the last success written for the node exporter's textfile collector, which the
# ShortenerBackupStale alert reads. A failed run leaves no partial dump and does not move that time.
#
# Settings (environment): BACKUP_DIR (/var/backups/shortener), BACKUP_KEEP_DAYS (14),
# BACKUP_METRICS_DIR (/var/lib/shortener/metrics, mounted into the node exporter), DOCKER (docker).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DOCKER="${DOCKER:-docker}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/shortener}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
METRICS_DIR="${BACKUP_METRICS_DIR:-/var/lib/shortener/metrics}"

cd "$ROOT"
mkdir -p "$BACKUP_DIR" "$METRICS_DIR"
target="$BACKUP_DIR/$(date -u +%F).dump"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

# The container's own POSTGRES_USER and POSTGRES_DB: the same .env the stack was started with.
# shellcheck disable=SC2016
"$DOCKER" compose exec -T postgres sh -c 'pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Fc' >"$partial"
# shellcheck disable=SC2016
"$DOCKER" compose exec -T postgres sh -c 'pg_restore --list' <"$partial" >/dev/null
mv "$partial" "$target"
find "$BACKUP_DIR" -name '*.dump' -mtime +"$KEEP_DAYS" -delete

size=$(stat -c %s "$target")
metrics="$METRICS_DIR/backup.prom"
cat >"$metrics.$$" <<METRICS
# HELP backup_last_success_timestamp_seconds When the latest backup succeeded.
# TYPE backup_last_success_timestamp_seconds gauge
backup_last_success_timestamp_seconds{target="postgres"} $(date +%s)
# HELP backup_last_size_bytes Size of the latest successful backup.
# TYPE backup_last_size_bytes gauge
backup_last_size_bytes{target="postgres"} $size
METRICS
mv "$metrics.$$" "$metrics"
echo "backup: $target ($size bytes)"
