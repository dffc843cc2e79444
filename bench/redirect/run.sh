#!/usr/bin/env bash
# Redirect benchmark (issue 3): the app against nginx's static 302, same wrk script, same run.
# Usage: bench/redirect/run.sh        (settings: environment variables, see README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

: "${BENCH_NGINX_PORT:=18471}"
: "${BENCH_LINKS:=100000}"
: "${BENCH_USERS:=1000}"
: "${BENCH_CONNECTIONS:=50 256}"
: "${BENCH_THREADS:=2}"
: "${BENCH_DURATION:=20s}"
: "${BENCH_WARMUP:=5s}"
: "${BENCH_SETTLE:=150}"
: "${BENCH_ZIPF_S:=1.0}"
: "${BENCH_SEED:=1}"
: "${BENCH_ROUNDS:=1}"
: "${BENCH_COUNT_RESPONSES:=false}"
: "${BENCH_JFR:=false}"
: "${BENCH_WAIT_FOR_LOAD:=0}"
: "${BENCH_APP_ARGS:=}"

require wrk nginx psql redis-cli curl awk
[[ "$BENCH_THREADS" -ge 1 ]] || die "BENCH_THREADS must be positive"

bench_workspace redirect

nginx_pids() { echo "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); }

# Click events in the database, read through the API: GET /events flushes this instance's
# recorder first, so every click it has taken is counted.
click_events() {
    curl -sf -D - -o /dev/null "$APP_URL/events?event_type=click&per_page=1" \
        | awk 'tolower($1) == "x-total-count:" { gsub(/\r/, "", $2); print $2 }'
}

seed() {
    local codes="$WORK/codes.txt"
    log "Seeding $BENCH_USERS users and $BENCH_LINKS links"
    # Random base62 codes of 7 characters, as the app makes them; line order is the Zipf rank.
    awk -v n="$BENCH_LINKS" -v seed="$BENCH_SEED" 'BEGIN {
        srand(seed); a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        while (count < n) {
            c = ""; for (i = 0; i < 7; i++) c = c substr(a, int(rand() * 62) + 1, 1)
            if (!(c in seen)) { seen[c] = 1; count++; print c }
        }
    }' >"$codes"
    awk -v users="$BENCH_USERS" '{
        printf "%d,%s,https://example.com/articles/%d/%s,Link %d\n", (NR - 1) % users + 1, $1, NR, $1, NR
    }' "$codes" >"$WORK/urls.csv"
    psql_bench -d "$BENCH_DB" >/dev/null <<SQL
INSERT INTO users (id, username, email)
SELECT i, 'bench' || i, 'bench' || i || '@example.com' FROM generate_series(1, $BENCH_USERS) i;
SELECT setval('users_id_seq', $BENCH_USERS);
\copy urls (user_id, short_code, original_url, title) FROM '$WORK/urls.csv' (FORMAT csv)
ANALYZE users;
ANALYZE urls;
SQL

    local seeded
    seeded="$(psql_bench -d "$BENCH_DB" -Atc 'SELECT count(*) FROM urls')"
    [[ "$seeded" == "$BENCH_LINKS" ]] || die "seeded $seeded links, expected $BENCH_LINKS"
    CODES="$codes"
}

# Touches every code once (wrk walking the code list), so both cache levels hold all of them.
warm_cache() {
    local before after m
    m="$(metrics_snapshot)"
    before="$(metric "$m" shortener_cache_requests_total 'level="near"' 'result="miss"')"
    log "Warming the cache: every code once"
    local i start=0
    for ((i = 0; i < 60; i++)); do
        wrk -t"$BENCH_THREADS" -c64 -d5s -s "$HERE/zipf.lua" "$APP_URL" -- "$CODES" seq "$BENCH_THREADS" "$start" \
            >"$WORK/warm.txt"
        cat "$WORK/warm.txt" >>"$RESULTS/warm-cache.txt"
        start=$((start + $(field "$WORK/warm.txt" requests)))
        m="$(metrics_snapshot)"
        after="$(metric "$m" shortener_cache_requests_total 'level="near"' 'result="miss"')"
        ((after - before >= BENCH_LINKS)) && break
    done
    log "Cache warm: $((after - before)) near-cache misses filled"
}

# Runs the Zipf load for BENCH_SETTLE seconds (in 5 s steps, each logged with the JIT's work in it)
# so that the measured runs see the service in its steady state: a service runs for days. Without
# it, the compilers took up to 8 s during a 20 s run on a 2-vCPU machine, and the first wave of
# near-cache refreshes (REDIRECT_NEAR_CACHE_REFRESH, 2 min after the warm-up loaded every link)
# fell into a measured run, with the Redis client code it compiles.
settle() {
    local conns="${BENCH_CONNECTIONS%% *}" step steps=$((BENCH_SETTLE / 5)) before after
    SETTLED="no settling load"
    ((steps > 0)) || return 0
    log "Settling: $BENCH_SETTLE s of the Zipf load at $conns connections"
    for ((step = 1; step <= steps; step++)); do
        before="$(metric "$(metrics_snapshot)" jvm_compilation_time_ms_total)"
        wrk_run "$APP_URL" "$conns" 5s "$WORK/settle.txt"
        after="$(metric "$(metrics_snapshot)" jvm_compilation_time_ms_total)"
        printf '%s\t%s\n' "$step" "$((after - before))" >>"$RESULTS/settle-jit-ms.tsv"
    done
    SETTLED="after $((steps * 5)) s of settling load at $conns connections (JIT in its last 5 s: $((after - before)) ms)"
    log "Settled: ${SETTLED#after }"
}

wrk_run() { # URL CONNECTIONS DURATION OUTPUT
    local count=""
    [[ "$BENCH_COUNT_RESPONSES" == true ]] && count=count
    wrk -t"$BENCH_THREADS" -c"$2" -d"$3" --latency -s "$HERE/zipf.lua" "$1" \
        -- "$CODES" zipf "$BENCH_ZIPF_S" "$BENCH_SEED" $count >"$4"
}

field() { grep '^RESULT ' "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }

ROWS="$WORK/rows.tsv"
: >"$ROWS"

# measure TARGET URL CONNECTIONS ROUND: warm-up, then the measured run; appends a row to $ROWS.
measure() {
    local target="$1" url="$2" conns="$3" round="$4"
    local out="$RESULTS/$target-c$conns-r$round.txt"
    local pids
    if [[ "$target" == app ]]; then pids="$APP_PID"; else pids="$(nginx_pids)"; fi
    wait_for_quiet
    wrk_run "$url" "$conns" "$BENCH_WARMUP" "$RESULTS/$target-c$conns-r$round-warmup.txt"
    sleep 1
    local m0="" c0=0
    if [[ "$target" == app ]]; then
        c0="$(click_events)"
        m0="$(metrics_snapshot)"
    fi
    local load0 cpu0 mt0
    load0="$(loadavg)"
    cpu0="$(cpu_ticks $pids)"
    mt0="$(machine_ticks)"
    log "$target, $conns connections, $BENCH_DURATION (load $load0)"
    wrk_run "$url" "$conns" "$BENCH_DURATION" "$out"
    local cpu1 mt1 load1
    cpu1="$(cpu_ticks $pids)"
    mt1="$(machine_ticks)"
    load1="$(loadavg)"

    local requests rps p50 p99 errors status r302 counted
    requests="$(field "$out" requests)"
    rps="$(field "$out" rps)"
    p50="$(field "$out" p50_us)"
    p99="$(field "$out" p99_us)"
    status="$(field "$out" status)"
    errors=$(($(field "$out" connect) + $(field "$out" read) + $(field "$out" write) + $(field "$out" timeout)))
    counted="$(field "$out" counted)"
    if [[ "$counted" == 1 ]]; then
        r302="$(field "$out" r302)"
        errors=$((errors + $(field "$out" non3xx) + $(field "$out" r3xx_other)))
    else
        r302=$((requests - status))
        errors=$((errors + status))
    fi
    local cpu_us busy steal
    cpu_us="$(awk -v d=$((cpu1 - cpu0)) -v r="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", r ? d / hz * 1e6 / r : 0 }')"
    busy="$(share_since 1 "$mt0" "$mt1")"
    steal="$(share_since 3 "$mt0" "$mt1")"

    local served="-" clicks="-" hit="-" db="-" paced="-" gc="-" jit="-"
    if [[ "$target" == app ]]; then
        sleep 1 # requests wrk gave up on at the end are still answered
        local c1 m1
        c1="$(click_events)"
        m1="$(metrics_snapshot)"
        clicks=$((c1 - c0))
        served=0
        local outcome
        for outcome in near_hit redis_hit db_hit; do
            served=$((served + $(metric "$m1" shortener_redirects_total "outcome=\"$outcome\"") - $(metric "$m0" shortener_redirects_total "outcome=\"$outcome\"")))
        done
        local hits misses
        hits=$(($(metric "$m1" shortener_cache_requests_total 'level="near"' 'result="hit"') - $(metric "$m0" shortener_cache_requests_total 'level="near"' 'result="hit"')))
        misses=$(($(metric "$m1" shortener_cache_requests_total 'level="near"' 'result="miss"') - $(metric "$m0" shortener_cache_requests_total 'level="near"' 'result="miss"')))
        hit="$(awk -v h="$hits" -v m="$misses" 'BEGIN { printf "%.3f", (h + m) ? 100 * h / (h + m) : 0 }')"
        db=$(($(metric "$m1" shortener_redirects_total 'outcome="db_hit"') - $(metric "$m0" shortener_redirects_total 'outcome="db_hit"')))
        # What else the app did meanwhile (these include the second after wrk stopped)
        paced="$(awk -v p=$(($(metric "$m1" shortener_clicks_paced_total) - $(metric "$m0" shortener_clicks_paced_total))) -v s="$served" 'BEGIN { printf "%.0f", s ? 100 * p / s : 0 }')"
        gc="$(($(metric "$m1" jvm_gc_pause_seconds_count) - $(metric "$m0" jvm_gc_pause_seconds_count))) / $(($(metric_scaled 1000 "$m1" jvm_gc_pause_seconds_sum) - $(metric_scaled 1000 "$m0" jvm_gc_pause_seconds_sum)))"
        jit=$(($(metric "$m1" jvm_compilation_time_ms_total) - $(metric "$m0" jvm_compilation_time_ms_total)))
        printf '%s\n' "$m1" >"$RESULTS/metrics-after-c$conns-r$round.txt"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$target" "$conns" "$round" "$rps" "$p50" "$p99" "$errors" "$r302" "$served" "$clicks" "$hit" "$db" \
        "$cpu_us" "$busy" "$load0" "$load1" "$paced" "$gc" "$jit" "$steal" >>"$ROWS"
}

main() {
    log "Load average at start: $(loadavg); results in $RESULTS"
    reset_data_stores
    # shellcheck disable=SC2086
    start_app "$WORK" $(jfr_option "$RESULTS/app.jfr") $BENCH_APP_ARGS
    seed
    warm_cache
    settle
    start_nginx "$WORK" "$BENCH_NGINX_PORT"

    local round conns
    for ((round = 1; round <= BENCH_ROUNDS; round++)); do
        for conns in $BENCH_CONNECTIONS; do
            measure app "$APP_URL" "$conns" "$round"
            measure nginx "$NGINX_URL" "$conns" "$round"
        done
    done
    local lost
    lost="$(metric "$(metrics_snapshot)" shortener_clicks_lost_total)"
    cp "$WORK/app.log" "$RESULTS/app.log"
    report "$lost" | tee "$RESULTS/summary.md"
    log "Summary written to $RESULTS/summary.md"
}

report() {
    local lost="$1"
    cat <<EOF
# Redirect benchmark $STAMP

$(machine_facts)
app: -Xmx$BENCH_HEAP $BENCH_JAVA_OPTS $BENCH_APP_ARGS · $BENCH_LINKS links, Zipf s=$BENCH_ZIPF_S · wrk -t$BENCH_THREADS -d$BENCH_DURATION --latency (after a $BENCH_WARMUP warm-up) · measured $SETTLED · 302s counted $([[ "$BENCH_COUNT_RESPONSES" == true ]] && echo "in response()" || echo "as requests minus non-3xx")

| target | conns | round | req/s | p50 ms | p99 ms | errors | 302s (wrk) | 302s (app) | clicks | near hit % | db lookups | CPU µs/req | machine busy % | load before → after | paced % | GC pauses (n / ms) | JIT ms | steal % | app/nginx |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
EOF
    awk -F'\t' '
        { row[NR] = $0; if ($1 == "nginx") nginx[$2 "/" $3] = $4 }
        END {
            for (i = 1; i <= NR; i++) {
                split(row[i], f, "\t")
                ratio = (f[1] == "app" && nginx[f[2] "/" f[3]] > 0) ? sprintf("%.1f%%", 100 * f[4] / nginx[f[2] "/" f[3]]) : "-"
                printf "| %s | %s | %s | %.0f | %.2f | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s → %s | %s | %s | %s | %s | %s |\n",
                    f[1], f[2], f[3], f[4], f[5] / 1000, f[6] / 1000, f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15], f[16], f[17], f[18], f[19], f[20], ratio
            }
        }' "$ROWS"
    echo
    echo "Clicks lost (shortener_clicks_lost_total): $lost"
    echo
    echo "## Acceptance (issue 3)"
    awk -F'\t' -v lost="$lost" '
        $1 == "nginx" { nginx[$2 "/" $3] = $4 }
        $1 == "app" { app[++apps] = $0 }
        function verdict(ok, text) { printf "- %s %s\n", ok ? "PASS" : "FAIL", text; if (!ok) failed = 1 }
        END {
            for (i = 1; i <= apps; i++) {
                split(app[i], f, "\t"); c = f[2]; r = f[3]; key = c "/" r
                ratio = nginx[key] > 0 ? f[4] / nginx[key] : 0
                verdict(ratio >= 0.25, sprintf("c=%s r=%s: throughput %.1f%% of nginx (>= 25%%, aim 50%%)", c, r, 100 * ratio))
                limit = c <= 50 ? 10 : 30
                verdict(f[6] / 1000 <= limit, sprintf("c=%s r=%s: p99 %.2f ms (<= %d ms)", c, r, f[6] / 1000, limit))
                verdict(f[7] == 0, sprintf("c=%s r=%s: %s errors (0)", c, r, f[7]))
                # wrk does not count the answers to requests still in flight when it stops, so the
                # app may have answered (and recorded) up to one more request per connection.
                ok = f[10] == f[9] && f[9] >= f[8] && f[9] - f[8] <= c
                verdict(ok, sprintf("c=%s r=%s: clicks %s = 302s answered by the app %s (wrk counted %s, %s still in flight at its stop)", c, r, f[10], f[9], f[8], f[9] - f[8]))
                verdict(f[11] >= 99, sprintf("c=%s r=%s: near-cache hit ratio %s%% (>= 99%%)", c, r, f[11]))
            }
            verdict(lost == 0, "no click lost")
            exit failed
        }' "$ROWS" && echo "Verdict: PASS" || echo "Verdict: FAIL"
}

main "$@"
