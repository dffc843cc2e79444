#!/usr/bin/env bash
# Crash benchmark (ADR 0002): redirect load, kill -9 of the app in the middle of it, a start on
# the same data directory, then clicks stored against 302s answered. The difference is what the
# crash lost: the clicks still in memory, those of one CLICKS_FLUSH_INTERVAL (20 ms) plus the
# journal's write and fsync in progress. Reported as clicks and as milliseconds of clicks at the
# round's rate; the bound stated in ADR 0007 is 50 ms.
# Usage: bench/crash/run.sh        (settings: environment variables below)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

: "${BENCH_LINKS:=1000}"
: "${BENCH_CONNECTIONS:=50}"
: "${BENCH_THREADS:=2}"
: "${BENCH_KILL_AFTER:=10}"
: "${BENCH_ROUNDS:=3}"

require wrk psql redis-cli curl awk
bench_workspace crash

click_events() {
    curl -sf -D - -o /dev/null "$APP_URL/events?event_type=click&per_page=1" \
        | awk 'tolower($1) == "x-total-count:" { gsub(/\r/, "", $2); print $2 }'
}
field() { grep '^RESULT ' "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }

seed() {
    CODES="$WORK/codes.txt"
    seq -f 'crash%07g' 1 "$BENCH_LINKS" >"$CODES"
    psql_bench -d "$BENCH_DB" >/dev/null <<SQL
INSERT INTO users (id, username, email) VALUES (1, 'crash', 'crash@example.com');
INSERT INTO urls (user_id, short_code, original_url, title)
SELECT 1, 'crash' || lpad(i::text, 7, '0'), 'https://example.com/' || i, 'Link ' || i
FROM generate_series(1, $BENCH_LINKS) i;
SQL
}

# Clicks stored, once the restarted app has loaded its journal: the count no longer moves.
settled_clicks() {
    local last=-1 now i
    for ((i = 0; i < 60; i++)); do
        now="$(click_events)"
        [[ "$now" == "$last" ]] && { echo "$now"; return; }
        last="$now"
        sleep 1
    done
    echo "$last"
}

ROWS="$WORK/rows.tsv"
: >"$ROWS"
main() {
    log "Load average at start: $(loadavg); results in $RESULTS"
    reset_data_stores
    start_app "$WORK"
    seed
    local round before r302 rps after lost ms
    for ((round = 1; round <= BENCH_ROUNDS; round++)); do
        before="$(settled_clicks)"
        log "Round $round: $BENCH_CONNECTIONS connections, kill -9 after $BENCH_KILL_AFTER s"
        wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$((BENCH_KILL_AFTER + 3))s" -s "$BENCH_ROOT/redirect/zipf.lua" \
            "$APP_URL" -- "$CODES" zipf 1.0 "$round" count >"$RESULTS/wrk-r$round.txt" &
        local wrk_pid=$!
        sleep "$BENCH_KILL_AFTER"
        kill -KILL "$APP_PID"
        wait "$wrk_pid" || true
        r302="$(field "$RESULTS/wrk-r$round.txt" r302)"
        rps=$((r302 / BENCH_KILL_AFTER))
        start_app "$WORK"
        after="$(settled_clicks)"
        lost=$((r302 - (after - before)))
        ms="$(awk -v r="$rps" -v l="$lost" 'BEGIN { printf "%.1f", r ? 1000 * l / r : 0 }')"
        log "Round $round: $r302 redirects answered (about $rps/s), $((after - before)) clicks stored, $lost lost ($ms ms of clicks)"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$r302" "$rps" "$((after - before))" "$lost" "$ms" >>"$ROWS"
        grep -h "Click journal\|damaged record" "$WORK/app.log" | tail -2 >&2 || true
    done
    {
        echo "# Crash benchmark: kill -9 under redirect load"
        echo
        echo "$(machine_facts)"
        echo
        echo "| round | 302s answered | req/s | clicks stored | lost | lost, ms of clicks |"
        echo "|---|---|---|---|---|---|"
        awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$ROWS"
    } | tee "$RESULTS/summary.md"
}

main "$@"
