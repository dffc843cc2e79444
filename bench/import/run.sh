#!/usr/bin/env bash
# Import benchmark (issue 5): a 1,000,000-row users.csv imported through the API against
# `psql \copy` of the same file into the same table, in the same run.
# Usage: bench/import/run.sh        (settings: environment variables, see README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Defaults of this benchmark, before common.sh fills in the shared ones: its own database, Redis
# database and port (the redirect benchmark may run at the same time). The JVM options are
# common.sh's: the Dockerfile's, with the heap of the benchmarks.
: "${BENCH_DB:=shortener_import_bench}"
: "${BENCH_REDIS_DB:=13}"
: "${BENCH_APP_PORT:=18472}"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

: "${BENCH_ROWS:=1000000}"
: "${BENCH_SEED:=1}"
: "${BENCH_ROUNDS:=2}"
: "${BENCH_MAX_RATIO:=2}"
: "${BENCH_POLL:=0.2}"
: "${BENCH_TIMEOUT:=600}"
: "${BENCH_JFR:=false}"
: "${BENCH_WAIT_FOR_LOAD:=0}"
: "${BENCH_APP_ARGS:=}"
: "${BENCH_FILE:=}"
: "${BENCH_WARMUP_ROWS:=100000}"
: "${BENCH_REIMPORT:=false}"

require psql redis-cli curl jq awk
[[ "$BENCH_ROWS" -ge 1 ]] || die "BENCH_ROWS must be positive"
[[ "$BENCH_ROUNDS" -ge 1 ]] || die "BENCH_ROUNDS must be positive"

bench_workspace import

COLUMNS_LIST="id,username,email,created_at"
ROWS="$WORK/rows.tsv"
: >"$ROWS"

now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
sql() { psql_bench -d "$BENCH_DB" -Atc "$1"; }

# The users file: the jar's generator (seed format, ids 1..N, unique e-mail addresses), or BENCH_FILE.
users_file() {
    if [[ -n "$BENCH_FILE" ]]; then
        [[ -r "$BENCH_FILE" ]] || die "BENCH_FILE $BENCH_FILE cannot be read"
        FILE="$BENCH_FILE"
    else
        log "Generating $BENCH_ROWS users (seed $BENCH_SEED)"
        "$JAVA_HOME/bin/java" -jar "$(app_jar)" generate --users "$BENCH_ROWS" --urls 0 --events 0 \
            --seed "$BENCH_SEED" --out "$WORK/generated" >&2 || die "the generator failed"
        FILE="$WORK/generated/users.csv"
    fi
    [[ "$(head -1 "$FILE" | tr -d '\r')" == "$COLUMNS_LIST" ]] || die "$FILE does not start with the header $COLUMNS_LIST"
    RECORDS=$(($(wc -l <"$FILE") - 1))
    local distinct
    distinct="$(awk -F, 'NR > 1 { seen[tolower($3)] = 1 } END { print length(seen) }' "$FILE")"
    [[ "$distinct" == "$RECORDS" ]] || die "$FILE has $RECORDS records but $distinct distinct e-mail addresses"
    FILE_BYTES="$(stat -c %s "$FILE")"
    log "$FILE: $RECORDS records, $FILE_BYTES bytes"
}

# An empty users table (the table Flyway created, with its indexes), written out to disk, so
# that every measurement starts from the same state.
empty_users() {
    sql "SET client_min_messages = warning; TRUNCATE users RESTART IDENTITY CASCADE" >/dev/null
    sql "CHECKPOINT" >/dev/null
}

# A digest of the users table, to tell that both loads wrote the same rows.
users_digest() {
    sql "SELECT count(*) || ' ' || md5(string_agg(id || ',' || username || ',' || email || ',' || created_at, E'\\n' ORDER BY id)) FROM users"
}

# measure_copy ROUND: \copy of the file into the users table.
measure_copy() {
    local round="$1" load0 mt0 start seconds count digest
    empty_users
    wait_for_quiet
    load0="$(loadavg)"
    mt0="$(machine_ticks)"
    log "Round $round: psql \\copy (load $load0)"
    start="$(now)"
    psql_bench -d "$BENCH_DB" -c "\\copy users ($COLUMNS_LIST) FROM '$FILE' (FORMAT csv, HEADER)" >/dev/null
    seconds="$(seconds_since "$start")"
    local busy load1
    busy="$(share_since 1 "$mt0")"
    load1="$(loadavg)"
    read -r count digest <<<"$(users_digest)"
    log "Round $round: \\copy $seconds s, $count rows"
    printf 'copy\t%s\t%s\t%s\t%s\t-\t-\t-\t%s\t%s\t%s\n' "$round" "$seconds" "$count" "$digest" \
        "$busy" "$load0" "$load1" >>"$ROWS"
}

# api_import FILE NAME: uploads the file with Prefer: respond-async, then GETs /imports/{id}
# until the job ends. Times from the start of the upload to the first answer that shows the job
# finished (API_SECONDS) and to the upload's answer (API_UPLOADED); the last answer is in JOB.
api_import() {
    local file="$1" name="$2" start status
    local answer="$RESULTS/$name-upload.json"
    JOB="$RESULTS/$name-job.json"
    start="$(now)"
    status="$(curl -sS -o "$answer" -w '%{http_code}' -H 'Prefer: respond-async' \
        -F "file=@$file;type=text/csv" "$APP_URL/users/bulk")" || die "the upload failed"
    API_UPLOADED="$(seconds_since "$start")"
    [[ "$status" == 202 ]] || die "the upload was answered $status: $(head -c 500 "$answer")"
    local id state deadline
    id="$(jq -r .id "$answer")"
    log "$name: job $id stored in $API_UPLOADED s; following it"
    deadline=$(($(date +%s) + BENCH_TIMEOUT))
    while true; do
        curl -sSf -o "$JOB" "$APP_URL/imports/$id" || die "GET /imports/$id failed"
        state="$(jq -r .state "$JOB")"
        [[ "$state" == completed || "$state" == failed ]] && break
        (($(date +%s) < deadline)) || die "job $id still $state after $BENCH_TIMEOUT s"
        sleep "$BENCH_POLL"
    done
    API_SECONDS="$(seconds_since "$start")"
}

# A production instance has run for a while: its code is compiled. The first BENCH_WARMUP_ROWS
# records go through the whole pipeline once before anything is measured.
warm_up() {
    ((BENCH_WARMUP_ROWS > 0)) || return 0
    head -n $((BENCH_WARMUP_ROWS + 1)) "$FILE" >"$WORK/warm-up.csv"
    log "Warm-up: $BENCH_WARMUP_ROWS rows through the API"
    api_import "$WORK/warm-up.csv" warm-up
    [[ "$(jq -r .rows_imported "$JOB")" == "$BENCH_WARMUP_ROWS" ]] || die "the warm-up import did not import every row: $(cat "$JOB")"
    log "Warm-up: imported in $API_SECONDS s"
}

# measure_api ROUND: the file through the API, timed from the start of the upload to the end of
# the job.
measure_api() {
    local round="$1" load0 mt0 cpu0
    empty_users
    wait_for_quiet
    load0="$(loadavg)"
    mt0="$(machine_ticks)"
    cpu0="$(cpu_ticks "$APP_PID")"
    log "Round $round: POST /users/bulk (load $load0)"
    api_import "$FILE" "api-r$round"
    local seconds="$API_SECONDS" cpu1 busy load1
    cpu1="$(cpu_ticks "$APP_PID")"
    busy="$(share_since 1 "$mt0")"
    load1="$(loadavg)"
    local state imported failed count digest app_cpu
    state="$(jq -r .state "$JOB")"
    imported="$(jq -r .rows_imported "$JOB")"
    failed="$(jq -r .rows_failed "$JOB")"
    read -r count digest <<<"$(users_digest)"
    app_cpu="$(awk -v d=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", d / hz }')"
    log "Round $round: API $seconds s (job $state, stored after $API_UPLOADED s), $imported imported, $failed failed, $count rows"
    printf 'api\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$seconds" "$count" "$digest" \
        "$imported" "$failed" "$state" "$busy" "$load0" "$load1" "$API_UPLOADED" "$app_cpu" \
        "$(jq -r .elapsed_seconds "$JOB")" >>"$ROWS"
}

# The same file once more through the API into the full table: every row exists, so every chunk
# takes the staging table and the set-based upsert, and nothing may change. Not part of the
# acceptance; BENCH_REIMPORT=true.
measure_reimport() {
    local load0
    sql "CHECKPOINT" >/dev/null
    wait_for_quiet
    load0="$(loadavg)"
    log "Re-import: POST /users/bulk into the full table (load $load0)"
    api_import "$FILE" reimport
    local count digest
    read -r count digest <<<"$(users_digest)"
    log "Re-import: $API_SECONDS s, $(jq -r .rows_imported "$JOB") imported, $count rows"
    printf 'reimport\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "-" "$API_SECONDS" "$count" "$digest" \
        "$(jq -r .rows_imported "$JOB")" "$(jq -r .rows_failed "$JOB")" "$(jq -r .state "$JOB")" "$load0" "$(loadavg)" >>"$ROWS"
}

main() {
    log "Load average at start: $(loadavg); results in $RESULTS"
    users_file
    reset_data_stores
    # shellcheck disable=SC2086
    start_app "$WORK" $(jfr_option "$RESULTS/app.jfr") $BENCH_APP_ARGS
    sql "SELECT 1 FROM users LIMIT 1" >/dev/null || die "the app did not create the users table"
    warm_up
    local round
    for ((round = 1; round <= BENCH_ROUNDS; round++)); do
        # odd rounds \copy first, even rounds the API first
        if ((round % 2 == 1)); then
            measure_copy "$round"
            measure_api "$round"
        else
            measure_api "$round"
            measure_copy "$round"
        fi
    done
    [[ "$BENCH_REIMPORT" == true ]] && measure_reimport
    metrics_snapshot >"$RESULTS/metrics-after.txt" || true
    cp "$WORK/app.log" "$RESULTS/app.log"
    report | tee "$RESULTS/summary.md"
    log "Summary written to $RESULTS/summary.md"
}

report() {
    cat <<EOF
# Import benchmark $STAMP

$(machine_facts)
app: -Xmx$BENCH_HEAP $BENCH_JAVA_OPTS $BENCH_APP_ARGS · file: $RECORDS users, $FILE_BYTES bytes$([[ -z "$BENCH_FILE" ]] && echo " (generated, seed $BENCH_SEED)") · PostgreSQL $(sql "SHOW server_version") · warm-up: $BENCH_WARMUP_ROWS rows through the API · acceptance: API ≤ ${BENCH_MAX_RATIO}× \\copy

| round | \\copy s | API s | API / \\copy | rows after \\copy | rows after API | job imported / failed | upload stored s | job elapsed s | app CPU s | machine busy % (\\copy / API) | load \\copy: before → after | load API: before → after |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
EOF
    awk -F'\t' '
        $1 == "copy" { copy[$2] = $0 }
        $1 == "api" { api[$2] = $0; if ($2 > rounds) rounds = $2 }
        END {
            for (r = 1; r <= rounds; r++) {
                split(copy[r], c, "\t"); split(api[r], a, "\t")
                printf "| %d | %.2f | %.2f | %.2f× | %s | %s | %s / %s | %s | %s | %s | %s / %s | %s → %s | %s → %s |\n",
                    r, c[3], a[3], (c[3] > 0 ? a[3] / c[3] : 0), c[4], a[4], a[6], a[7], a[12], a[14], a[13],
                    c[9], a[9], c[10], c[11], a[10], a[11]
            }
        }' "$ROWS"
    awk -F'\t' '
        $1 == "copy" { copy = $3 }
        $1 == "reimport" {
            printf "\nRe-import of the same file into the full table (every row exists: staging table and set-based upsert): %.2f s = %.2f× the last \\copy, job %s, %s imported / %s failed, %s rows after it, load %s → %s\n",
                $3, (copy > 0 ? $3 / copy : 0), $8, $6, $7, $4, $9, $10
        }' "$ROWS"
    echo
    echo "## Acceptance (issue 5)"
    awk -F'\t' -v rows="$RECORDS" -v max="$BENCH_MAX_RATIO" '
        $1 == "copy" { copy[$2] = $0 }
        $1 == "api" { api[$2] = $0; if ($2 > rounds) rounds = $2 }
        $1 == "reimport" { reimport = $0 }
        function verdict(ok, text) { printf "- %s %s\n", ok ? "PASS" : "FAIL", text; if (!ok) failed = 1 }
        END {
            for (r = 1; r <= rounds; r++) {
                split(copy[r], c, "\t"); split(api[r], a, "\t")
                ratio = c[3] > 0 ? a[3] / c[3] : 0
                verdict(ratio <= max, sprintf("round %d: API %.2f s = %.2f× \\copy %.2f s (<= %s×)", r, a[3], ratio, c[3], max))
                verdict(a[8] == "completed" && a[4] == rows && a[6] == rows && a[7] == 0,
                    sprintf("round %d: job %s, %s imported, %s failed; SELECT count(*) FROM users = %s (exactly %s)", r, a[8], a[6], a[7], a[4], rows))
                verdict(c[4] == rows, sprintf("round %d: \\copy loaded %s rows (%s)", r, c[4], rows))
                verdict(a[5] == c[5], sprintf("round %d: the API wrote the same rows as \\copy (md5 of the table %s)", r, a[5] == c[5] ? "equal" : "differs"))
            }
            if (reimport != "") {
                split(reimport, x, "\t")
                verdict(x[8] == "completed" && x[4] == rows && x[6] == rows && x[7] == 0 && x[5] == c[5],
                    sprintf("re-import: job %s, %s imported, %s failed, %s rows, the table %s (idempotent upsert)", x[8], x[6], x[7], x[4], x[5] == c[5] ? "unchanged" : "CHANGED"))
            }
            exit failed
        }' "$ROWS" && echo "Verdict: PASS" || echo "Verdict: FAIL"
}

main "$@"
