# Shared by the benchmark scripts (sourced, not run): the jar, the app against the machine's
# PostgreSQL and Redis, nginx, and cleanup of everything they start.
# shellcheck shell=bash

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$BENCH_ROOT/.." && pwd)"

: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME

: "${BENCH_PG_HOST:=127.0.0.1}"
: "${BENCH_PG_PORT:=5432}"
: "${BENCH_PG_USER:=postgres}"
: "${BENCH_DB:=shortener_bench}"
: "${BENCH_REDIS_HOST:=127.0.0.1}"
: "${BENCH_REDIS_PORT:=6379}"
: "${BENCH_REDIS_DB:=11}"
: "${BENCH_APP_PORT:=18470}"
: "${BENCH_MANAGEMENT_PORT:=$((BENCH_APP_PORT + 100))}"
: "${BENCH_HEAP:=256m}"
: "${BENCH_JAVA_OPTS:=-XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError}"
: "${BENCH_KEEP_DB:=false}"

BENCH_PIDS=()

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

require() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is needed (Debian package: $tool)"
    done
}

psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -h "$BENCH_PG_HOST" -p "$BENCH_PG_PORT" -U "$BENCH_PG_USER" "$@"; }
redis_bench() { redis-cli -h "$BENCH_REDIS_HOST" -p "$BENCH_REDIS_PORT" -n "$BENCH_REDIS_DB" "$@"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The application jar: reused when it is newer than every source file and the pom, built otherwise.
app_jar() {
    local jar
    jar="$(ls -t "$REPO_ROOT"/target/shortener-*.jar 2>/dev/null | grep -v -- '-plain' | head -1 || true)"
    if [[ -n "$jar" && -z "$(find "$REPO_ROOT/src/main" "$REPO_ROOT/pom.xml" -newer "$jar" -type f -print -quit)" ]]; then
        log "Reusing $jar"
    else
        log "Building the jar (./mvnw -B -q package -DskipTests)"
        (cd "$REPO_ROOT" && ./mvnw -B -q package -DskipTests -Dspotless.check.skip=true) >&2 || die "build failed"
        jar="$(ls -t "$REPO_ROOT"/target/shortener-*.jar | grep -v -- '-plain' | head -1)"
    fi
    printf '%s\n' "$jar"
}

# A fresh database and an empty Redis database for this run.
reset_data_stores() {
    require psql redis-cli
    psql_bench -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB" \
        || die "cannot recreate database $BENCH_DB on $BENCH_PG_HOST:$BENCH_PG_PORT"
    [[ "$(redis_bench flushdb)" == OK ]] || die "cannot flush Redis database $BENCH_REDIS_DB"
    log "Database $BENCH_DB recreated; Redis database $BENCH_REDIS_DB flushed"
}

# migrated_database DB [VERSION]: DB created afresh with the app's migrations applied by psql, in
# version order (a glob puts V10 before V2), each file in a transaction of its own as Flyway does,
# but for those that build an index CONCURRENTLY, which cannot run in one; up to VERSION if given.
# Java migrations (src/main/java/db/migration) are not applied: V34 adds an index of a user's
# events other than clicks, which no click writes to.
migrated_database() {
    psql_bench -d postgres -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" \
        || die "cannot recreate database $1 on $BENCH_PG_HOST:$BENCH_PG_PORT"
    local migration version
    for migration in $(find "$REPO_ROOT/src/main/resources/db/migration" -name 'V*.sql' | sort -V); do
        version="${migration##*/V}"
        version="${version%%__*}"
        ((version <= ${2:-999999})) || break
        local whole=(--single-transaction)
        grep -q CONCURRENTLY "$migration" && whole=()
        psql_bench -d "$1" "${whole[@]}" -f "$migration" >/dev/null || die "applying $migration failed"
    done
}

drop_data_stores() {
    if [[ "$BENCH_KEEP_DB" != true ]]; then
        psql_bench -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
        redis_bench flushdb >/dev/null 2>&1 || true
    fi
}

# start_app WORK_DIR [EXTRA_JAVA_OPTS...]: the app in external mode on 127.0.0.1:$BENCH_APP_PORT.
# Sets APP_PID, APP_URL and MANAGEMENT_URL (/metrics, on 127.0.0.1:$BENCH_MANAGEMENT_PORT).
start_app() {
    local dir="$1"
    shift
    local jar
    jar="$(app_jar)"
    port_free "$BENCH_APP_PORT" || die "port $BENCH_APP_PORT is taken (set BENCH_APP_PORT)"
    port_free "$BENCH_MANAGEMENT_PORT" || die "port $BENCH_MANAGEMENT_PORT is taken (set BENCH_MANAGEMENT_PORT)"
    mkdir -p "$dir/data"
    # shellcheck disable=SC2086
    env SERVER_PORT="$BENCH_APP_PORT" SERVER_ADDRESS=127.0.0.1 \
        MANAGEMENT_PORT="$BENCH_MANAGEMENT_PORT" MANAGEMENT_ADDRESS=127.0.0.1 \
        DATABASE_HOST="$BENCH_PG_HOST" DATABASE_PORT="$BENCH_PG_PORT" DATABASE_NAME="$BENCH_DB" \
        DATABASE_USER="$BENCH_PG_USER" DATABASE_PASSWORD="${BENCH_PG_PASSWORD:-}" \
        REDIS_URL="redis://$BENCH_REDIS_HOST:$BENCH_REDIS_PORT/$BENCH_REDIS_DB" \
        SHORTENER_DATA_DIR="$dir/data" \
        "$JAVA_HOME/bin/java" "-Xmx$BENCH_HEAP" $BENCH_JAVA_OPTS "$@" -jar "$jar" >"$dir/app.log" 2>&1 &
    APP_PID=$!
    BENCH_PIDS+=("$APP_PID")
    APP_URL="http://127.0.0.1:$BENCH_APP_PORT"
    MANAGEMENT_URL="http://127.0.0.1:$BENCH_MANAGEMENT_PORT"
    local waited=0
    until curl -sf -o /dev/null "$APP_URL/health"; do
        kill -0 "$APP_PID" 2>/dev/null || { tail -30 "$dir/app.log" >&2; die "the app exited; log in $dir/app.log"; }
        ((waited++ < 240)) || die "the app did not answer /health within 120 s"
        sleep 0.5
    done
    log "App pid $APP_PID on $APP_URL (-Xmx$BENCH_HEAP $BENCH_JAVA_OPTS $*)"
}

# jfr_option FILE: the JVM option recording a JFR profile into FILE when BENCH_JFR=true, else nothing.
jfr_option() {
    if [[ "${BENCH_JFR:-false}" == true ]]; then
        echo "-XX:StartFlightRecording=filename=$1,settings=profile,dumponexit=true"
    fi
}

# Graceful stop (the click recorder flushes), then a hard one if it hangs.
stop_pid() {
    local pid="$1" i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.5
    done
    log "pid $pid did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

# start_nginx WORK_DIR PORT: nginx with its own prefix, config and pid file, answering every
# request with a static 302. Sets NGINX_PID and NGINX_URL.
start_nginx() {
    local dir="$1/nginx" port="$2"
    require nginx
    port_free "$port" || die "port $port is taken (set BENCH_NGINX_PORT)"
    mkdir -p "$dir/logs" "$dir/temp"
    sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" "$BENCH_ROOT/redirect/nginx.conf" >"$dir/nginx.conf"
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" || die "nginx did not start; see $dir/logs/error.log"
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -s "$dir/nginx.pid" ]] && break
        sleep 0.1
    done
    NGINX_PID="$(cat "$dir/nginx.pid")"
    BENCH_PIDS+=("$NGINX_PID")
    NGINX_URL="http://127.0.0.1:$port"
    log "nginx pid $NGINX_PID on $NGINX_URL"
}

# Stops what this script started, newest first. Installed as the EXIT trap by each runner.
# bench_workspace NAME: sets STAMP, RESULTS (bench/results/NAME-STAMP, created) and WORK (a
# temporary directory), with traps that run cleanup and remove WORK on exit or Ctrl-C.
bench_workspace() {
    STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
    RESULTS="$BENCH_ROOT/results/$1-$STAMP"
    mkdir -p "$RESULTS"
    WORK="$(mktemp -d "/tmp/shortener-$1-bench.XXXXXX")"
    trap 'cleanup; rm -rf "$WORK"' EXIT
    trap 'exit 130' INT TERM
}

cleanup() {
    local i
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
        stop_pid "${BENCH_PIDS[i]}"
    done
    BENCH_PIDS=()
    drop_data_stores
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Waits (up to 15 min) until the 1-minute load average is below BENCH_WAIT_FOR_LOAD, if set.
wait_for_quiet() {
    [[ "${BENCH_WAIT_FOR_LOAD:-0}" == 0 ]] && return 0
    local i
    for ((i = 0; i < 90; i++)); do
        awk -v max="$BENCH_WAIT_FOR_LOAD" '{ exit !($1 < max) }' /proc/loadavg && return 0
        ((i % 6 == 0)) && log "Waiting for load average < $BENCH_WAIT_FOR_LOAD (now $(loadavg))"
        sleep 10
    done
    log "Load average still $(loadavg); measuring anyway"
}

# CPU ticks (user + system) of the given pids.
cpu_ticks() {
    local pid total=0 t
    for pid in "$@"; do
        t="$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)"
        total=$((total + t))
    done
    echo "$total"
}
# busy, total and stolen jiffies of the whole machine (steal: time the hypervisor gave to others)
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9 }' /proc/stat; }
# share_since FIELD BEFORE [AFTER]: the percentage of the machine's jiffies between two
# machine_ticks snapshots (AFTER: now) that were busy (FIELD 1) or stolen (FIELD 3).
share_since() {
    awk -v f="$1" -v a="$2" -v b="${3:-$(machine_ticks)}" \
        'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f", 100 * (y[f] - x[f]) / (y[2] - x[2]) }'
}

# The commit measured ("+dirty" when src or pom.xml have uncommitted changes).
bench_commit() {
    local commit
    commit="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [[ -n "$(git -C "$REPO_ROOT" status --porcelain -- src pom.xml 2>/dev/null)" ]]; then commit="$commit+dirty"; fi
    echo "$commit"
}

# One line for a summary: commit, CPUs, CPU model, JVM.
machine_facts() {
    echo "commit $(bench_commit) · $(nproc) CPUs · $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo) · $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
}

# metric SCRAPE NAME LABEL_FILTER... : the sum of a Prometheus counter over the series whose
# labels contain every given label="value" pair, in a scrape of the app's /metrics (management port), rounded.
# metric_scaled SCALE SCRAPE NAME LABEL_FILTER... : the same sum times SCALE (1000: seconds to ms).
metrics_snapshot() { curl -sf "$MANAGEMENT_URL/metrics"; }
metric() { metric_scaled 1 "$@"; }
metric_scaled() {
    local scale="$1" text="$2" name="$3"
    shift 3
    awk -v scale="$scale" -v name="$name" -v filters="$*" '
        BEGIN { n = split(filters, f, " ") }
        index($0, name "{") == 1 || $1 == name {
            ok = 1
            for (i = 1; i <= n; i++) if (index($0, f[i]) == 0) ok = 0
            if (ok) sum += $NF
        }
        END { printf "%.0f\n", sum * scale }' <<<"$text"
}

# page_latencies CONNECTIONS DURATION PAGE... : each PAGE is "name|path|target p95 ms|header" (target
# empty: measured, not judged; header optional). Per page a 5 s warm-up, then wrk -t1 -cCONNECTIONS
# -dDURATION, with the page's header, else BENCH_HEADER when set and a 10 s timeout (a slow page is measured, not an error); appends "| name | req/s | p50 | p95 | p99 | errors | target |"
# rows to $RESULTS/summary.md and the raw wrk output to $RESULTS/wrk-<name>.txt. Sets VERDICT=FAIL
# when a page answers other than 200, misses its target or has errors (VERDICT starts as PASS).
page_latencies() {
    local connections="$1" duration="$2"
    shift 2
    local header=()
    [[ -n "${BENCH_HEADER:-}" ]] && header=(-H "$BENCH_HEADER")
    cat >"$WORK/latency.lua" <<'LUA'
done = function(summary, latency, requests)
    io.write(string.format("LATENCY p50=%.2f p95=%.2f p99=%.2f requests=%d errors=%d\n",
        latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
        summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
LUA
    : "${VERDICT:=PASS}"
    local entry name path target own status out rps p50 p95 p99 errors
    for entry in "$@"; do
        IFS='|' read -r name path target own <<<"$entry"
        local with=("${header[@]}")
        [[ -n "$own" ]] && with=(-H "$own")
        status="$(curl -s -o /dev/null -w '%{http_code}' "${with[@]}" "$APP_URL$path")"
        [[ "$status" == 200 ]] || die "$path answered $status"
        wrk -t1 -c"$connections" -d5s --timeout 10s "${with[@]}" "$APP_URL$path" >/dev/null
        out="$(wrk -t1 -c"$connections" -d"$duration" --timeout 10s "${with[@]}" -s "$WORK/latency.lua" "$APP_URL$path")"
        printf '%s\n' "$out" >"$RESULTS/wrk-$(echo "$name" | tr -c 'a-z0-9' '-').txt"
        rps="$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")"
        p50=- p95=- p99=- errors=unknown
        read -r p50 p95 p99 errors < <(sed -n 's/^LATENCY p50=\([0-9.]*\) p95=\([0-9.]*\) p99=\([0-9.]*\) requests=[0-9]* errors=\([0-9]*\)$/\1 \2 \3 \4/p' <<<"$out") || true
        echo "| $name | $rps | $p50 | $p95 | $p99 | $errors | ${target:+≤ $target ms} |" >>"$RESULTS/summary.md"
        log "$name: $rps req/s, p95 $p95 ms"
        if [[ "$errors" != 0 ]] || { [[ -n "$target" ]] && awk -v p="$p95" -v t="$target" 'BEGIN { exit !(p == "-" || p > t) }'; }; then
            VERDICT=FAIL
        fi
    done
}
