#!/usr/bin/env bash
# Soak: SOAK_SECONDS (600) of mixed load on one instance against the machine's PostgreSQL and
# Redis. An import of SOAK_LINKS links through /urls/bulk first; then, together, redirects (wrk,
# Zipf over the imported codes) and a loop of link creations, link changes and event reads.
# Reports errors (0 allowed), heap after a full GC at the start and at the end (growth < 10%
# allowed), open files, threads, the click journal's size and the clicks not yet in PostgreSQL,
# once a minute; at the end, clicks stored against redirects answered. Exits non-zero when a bound
# is broken. Usage: bench/soak/run.sh        (settings: environment variables below)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${BENCH_DB:=shortener_soak}"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"
: "${SOAK_SECONDS:=600}"
: "${SOAK_LINKS:=20000}"
: "${SOAK_CONNECTIONS:=16}"
: "${SOAK_SAMPLE_SECONDS:=60}"
# Pause between rounds of the write loop: 4 rounds (8 writes) a second stay below the write limit
# of one client (RATE_LIMIT_WRITES, 600 a minute).
: "${SOAK_WRITE_PAUSE:=0.25}"

require wrk psql redis-cli curl jq awk
bench_workspace soak

click_events() {
    curl -sf -D - -o /dev/null "$APP_URL/events?event_type=click&per_page=1" \
        | awk 'tolower($1) == "x-total-count:" { gsub(/\r/, "", $2); print $2 }'
}

# Heap in use after a full collection (BENCH_JAVA_OPTS uses the parallel collector).
heap_after_gc() {
    "$JAVA_HOME/bin/jcmd" "$APP_PID" GC.run >/dev/null
    metric "$(metrics_snapshot)" jvm_memory_used_bytes 'area="heap"'
}

SAMPLES="$RESULTS/samples.md"
sample() { # SECONDS_INTO_THE_RUN
    local m
    m="$(metrics_snapshot)"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$1" \
        "$(($(metric "$m" jvm_memory_used_bytes 'area="heap"') / 1048576))" \
        "$(find "/proc/$APP_PID/fd" -mindepth 1 -maxdepth 1 | wc -l)" \
        "$(awk '/^Threads:/ { print $2 }' "/proc/$APP_PID/status")" \
        "$(metric "$m" shortener_clicks_journal_bytes)" \
        "$(metric "$m" shortener_clicks_backlog)" >>"$SAMPLES"
}

# Creates a link, changes it and reads a page of events, until END (epoch seconds); counts
# rounds and answers other than expected into $WORK/writes.
writes() {
    local end="$1" rounds=0 errors=0 status id
    while (($(date +%s) < end)); do
        status="$(curl -sS -o "$WORK/created.json" -w '%{http_code}' -H 'Content-Type: application/json' \
            -d "{\"original_url\":\"https://example.com/soak/$rounds\"}" "$APP_URL/urls")" || status=000
        if [[ "$status" == 201 ]]; then
            id="$(jq -r .id "$WORK/created.json")"
            status="$(curl -sS -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
                -d '{"title":"soaked"}' "$APP_URL/urls/$id")" || status=000
            [[ "$status" == 200 ]] || errors=$((errors + 1))
        else
            errors=$((errors + 1))
        fi
        status="$(curl -sS -o /dev/null -w '%{http_code}' "$APP_URL/events?per_page=20")" || status=000
        [[ "$status" == 200 ]] || errors=$((errors + 1))
        rounds=$((rounds + 1))
        sleep "$SOAK_WRITE_PAUSE"
    done
    echo "$rounds $errors" >"$WORK/writes"
}

reset_data_stores
start_app "$WORK"

CODES="$WORK/codes.txt"
awk -v n="$SOAK_LINKS" 'BEGIN {
    srand(7); a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    while (count < n) {
        c = ""; for (i = 0; i < 7; i++) c = c substr(a, int(rand() * 62) + 1, 1)
        if (!(c in seen)) { seen[c] = 1; count++; print c }
    }
}' >"$CODES"
{ echo "short_code,original_url"; awk '{ printf "%s,https://example.com/soak/%d/%s\n", $1, NR, $1 }' "$CODES"; } \
    >"$WORK/urls.csv"
log "Importing $SOAK_LINKS links through /urls/bulk"
status="$(curl -sS -o "$RESULTS/import.json" -w '%{http_code}' -F "file=@$WORK/urls.csv;type=text/csv" \
    "$APP_URL/urls/bulk")"
[[ "$status" == 201 && "$(jq -r .imported "$RESULTS/import.json")" == "$SOAK_LINKS" ]] \
    || die "the import was answered $status: $(head -c 300 "$RESULTS/import.json")"

HEAP_START="$(heap_after_gc)"
printf '| s | heap used (MiB) | open files | threads | journal (bytes) | clicks not yet stored |\n|---|---|---|---|---|---|\n' \
    >"$SAMPLES"
sample 0
END=$(($(date +%s) + SOAK_SECONDS))
writes "$END" &
WRITER=$!
log "Soaking for $SOAK_SECONDS s: wrk at $SOAK_CONNECTIONS connections and the write loop"
wrk -t2 -c"$SOAK_CONNECTIONS" -d"${SOAK_SECONDS}s" --latency -s "$BENCH_ROOT/redirect/zipf.lua" "$APP_URL" \
    -- "$CODES" zipf 1.0 1 >"$RESULTS/wrk.txt" &
WRK=$!
for ((t = SOAK_SAMPLE_SECONDS; t < SOAK_SECONDS; t += SOAK_SAMPLE_SECONDS)); do
    sleep "$SOAK_SAMPLE_SECONDS"
    sample "$t"
done
wait "$WRK"
wait "$WRITER"
sample "$SOAK_SECONDS"
HEAP_END="$(heap_after_gc)"

read -r ROUNDS WRITE_ERRORS <"$WORK/writes"
REQUESTS="$(awk '/requests in/ { print $1 }' "$RESULTS/wrk.txt")"
NON_3XX="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$RESULTS/wrk.txt")"
SOCKET="$(awk '/Socket errors:/ { gsub(/[^0-9 ]/, " "); s = 0; for (i = 1; i <= NF; i++) s += $i; print s }' "$RESULTS/wrk.txt")"
P99="$(awk '$1 == "99%" { print $2 }' "$RESULTS/wrk.txt")"
CLICKS="$(click_events)"
GROWTH="$(awk -v a="$HEAP_START" -v b="$HEAP_END" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')"
ERRORS=$((${NON_3XX:-0} + ${SOCKET:-0} + WRITE_ERRORS))

{
    echo "$(machine_facts) · $SOAK_SECONDS s · $SOAK_LINKS imported links · wrk -t2 -c$SOAK_CONNECTIONS Zipf 1.0 · a write loop (create, change, event page) every $SOAK_WRITE_PAUSE s"
    echo
    echo "Redirects: $REQUESTS answered, p99 $P99; writes: $ROUNDS rounds of create + change + event page."
    echo "Errors: ${NON_3XX:-0} redirects not 3xx, ${SOCKET:-0} socket errors, $WRITE_ERRORS writes or reads not as expected."
    echo "Heap after a full GC: $((HEAP_START / 1048576)) MiB at the start, $((HEAP_END / 1048576)) MiB at the end ($GROWTH%)."
    echo "Clicks stored: $CLICKS for $REQUESTS redirects answered."
    echo
    cat "$SAMPLES"
} | tee "$RESULTS/summary.md"

failed=0
((ERRORS == 0)) || { log "FAILED: $ERRORS errors"; failed=1; }
awk -v g="$GROWTH" 'BEGIN { exit !(g < 10) }' || { log "FAILED: heap grew $GROWTH%"; failed=1; }
((CLICKS >= REQUESTS && CLICKS <= REQUESTS + SOAK_CONNECTIONS)) \
    || { log "FAILED: $CLICKS clicks stored for $REQUESTS redirects"; failed=1; }
exit "$failed"
