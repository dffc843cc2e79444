#!/usr/bin/env bash
# PostgreSQL's cost per click by COPY batch size: the same Zipf clicks, in the app's COPY format,
# written batch by batch into the app's schema (indexes and click_counts trigger in place).
# Usage: bench/clicks/run.sh        (settings: environment variables, see README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${BENCH_DB:=shortener_bench_clicks}"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"
# shellcheck source=zipf-clicks.sh
source "$HERE/zipf-clicks.sh"

: "${BENCH_CLICKS:=250000}"
: "${BENCH_LINKS:=100000}"
: "${BENCH_USERS:=1000}"
: "${BENCH_ZIPF_S:=1.0}"
: "${BENCH_SEED:=1}"
: "${BENCH_BATCH_SIZES:=250 500 1000 2000}"
: "${BENCH_ROUNDS:=2}"
: "${BENCH_PREFILL:=0}"

require psql awk split

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_ROOT/results/clicks-$STAMP"
mkdir -p "$RESULTS"
WORK="$(mktemp -d /tmp/shortener-clicks-bench.XXXXXX)"
trap 'psql_bench -d postgres -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

migrated_database "$BENCH_DB"
log "Schema of $(ls "$REPO_ROOT"/src/main/resources/db/migration/V*.sql | wc -l) migrations in $BENCH_DB"

log "Generating $BENCH_CLICKS clicks (Zipf s=$BENCH_ZIPF_S over $BENCH_LINKS links)"
zipf_clicks "$WORK/clicks.csv"

{
    echo "# Click COPY benchmark $STAMP"
    echo
    echo "$(machine_facts) · $(psql_bench -d "$BENCH_DB" -Atc 'SELECT version()' | cut -d, -f1)"
    echo "$BENCH_CLICKS clicks, Zipf s=$BENCH_ZIPF_S over $BENCH_LINKS links, into events already holding $BENCH_PREFILL; one psql session sends one \\copy per batch (autocommit), as one click writer does"
    echo
    echo "| batch size | round | seconds | µs per click |"
    echo "|---|---|---|---|"
} >"$RESULTS/summary.md"

for size in $BENCH_BATCH_SIZES; do
    rm -rf "$WORK/batches" && mkdir "$WORK/batches"
    split -l "$size" -d -a 6 "$WORK/clicks.csv" "$WORK/batches/b"
    for f in "$WORK"/batches/b*; do
        echo "\\copy events (url_id, user_id, event_type, \"timestamp\", details) FROM '$f' (FORMAT csv)"
    done >"$WORK/copy.sql"
    for ((round = 1; round <= BENCH_ROUNDS; round++)); do
        psql_bench -d "$BENCH_DB" -qc "TRUNCATE events, click_counts"
        if ((BENCH_PREFILL > 0)); then
            # Events already stored, their links skewed toward low ids; not counted in click_counts.
            psql_bench -d "$BENCH_DB" -q \
                -c "ALTER TABLE events DISABLE TRIGGER events_count_clicks" \
                -c "INSERT INTO events (url_id, user_id, event_type, \"timestamp\", details)
                    SELECT u, (u - 1) % $BENCH_USERS + 1, 'click', timestamp '2026-11-27 12:00',
                           jsonb_build_object('short_code', 'c' || u, 'original_url', 'https://example.com/articles/' || u,
                                              'referrer', null, 'user_agent', null)
                    FROM (SELECT (($BENCH_LINKS - 1) * power(random(), 3))::bigint + 1 AS u
                          FROM generate_series(1, $BENCH_PREFILL)) picked" \
                -c "ALTER TABLE events ENABLE TRIGGER events_count_clicks" \
                -c "VACUUM ANALYZE events"
        fi
        psql_bench -d "$BENCH_DB" -qc "CHECKPOINT"
        start=$(date +%s%N)
        psql_bench -d "$BENCH_DB" -f "$WORK/copy.sql" >/dev/null
        end=$(date +%s%N)
        stored="$(psql_bench -d "$BENCH_DB" -Atc "SELECT count(*) - $BENCH_PREFILL || ' ' || (SELECT sum(clicks) FROM click_counts) FROM events")"
        [[ "$stored" == "$BENCH_CLICKS $BENCH_CLICKS" ]] || die "stored events and counted clicks: $stored, expected $BENCH_CLICKS each"
        awk -v size="$size" -v round="$round" -v ns=$((end - start)) -v n="$BENCH_CLICKS" \
            'BEGIN { printf "| %d | %d | %.2f | %.1f |\n", size, round, ns / 1e9, ns / 1e3 / n }' >>"$RESULTS/summary.md"
        log "batch $size round $round done"
    done
done

cat "$RESULTS/summary.md"
log "Summary written to $RESULTS/summary.md"
