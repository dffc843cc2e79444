#!/usr/bin/env bash
# Gatling user-flow simulation against a running shortener, or against one started here.
# Usage: bench/gatling/run.sh [BASE_URL]      (settings: environment variables, see README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Its own database, Redis index and port, so it can run next to bench/redirect.
: "${BENCH_DB:=shortener_bench_gatling}"
: "${BENCH_REDIS_DB:=12}"
: "${BENCH_APP_PORT:=18472}"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

: "${GATLING_RATE:=5}"
: "${GATLING_RAMP:=10}"
: "${GATLING_DURATION:=60}"
: "${GATLING_ACTIONS:=30}"
: "${GATLING_REDIRECTS:=5}"
: "${GATLING_THINK_MS:=100}"
: "${GATLING_P95_MS:=50}"
: "${GATLING_P99_MS:=200}"
: "${GATLING_REDIRECT_P99_MS:=30}"
: "${GATLING_MAX_FAILED_PERCENT:=0}"
: "${GATLING_ARGS:=}"
: "${GATLING_WARMUP:=30}"

require curl
BASE="${1:-${GATLING_BASE_URL:-}}"
WORK="$(mktemp -d /tmp/shortener-gatling.XXXXXX)"
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if [[ -z "$BASE" ]]; then
    require psql redis-cli
    reset_data_stores
    start_app "$WORK"
    BASE="$APP_URL"
fi
curl -sf -o /dev/null "$BASE/health" || die "$BASE/health does not answer"
log "Gatling against $BASE: $GATLING_RATE users/s for ${GATLING_DURATION}s after a ${GATLING_RAMP}s ramp (load $(cut -d' ' -f1-3 /proc/loadavg))"

# gatling [MAVEN ARGS...]: one run of the simulation with the settings above, unless overridden
gatling() {
    # shellcheck disable=SC2086
    (cd "$REPO_ROOT" && ./mvnw -B -f bench/gatling/pom.xml gatling:test \
    -Dbase="$BASE" -Drate="$GATLING_RATE" -Dramp="$GATLING_RAMP" -Dduration="$GATLING_DURATION" \
    -Dactions="$GATLING_ACTIONS" -Dredirects="$GATLING_REDIRECTS" -DthinkMs="$GATLING_THINK_MS" \
    -Dp95Ms="$GATLING_P95_MS" -Dp99Ms="$GATLING_P99_MS" -DredirectP99Ms="$GATLING_REDIRECT_P99_MS" \
    -DmaxFailedPercent="$GATLING_MAX_FAILED_PERCENT" $GATLING_ARGS "$@")
}

# A JVM just started spends its first half-minute compiling: the same flows at half the rate
# first, their report and assertions ignored, so the measured run sees the service warm.
if [[ -n "${APP_PID:-}" ]] && ((GATLING_WARMUP > 0)); then
    log "Warm-up: ${GATLING_WARMUP}s at half the rate (not measured)"
    gatling -Drate="$(awk -v r="$GATLING_RATE" 'BEGIN { print r / 2 }')" -Dramp=5 -Dduration="$GATLING_WARMUP" \
        -Dp95Ms=1000000 -Dp99Ms=1000000 -DredirectP99Ms=1000000 -DmaxFailedPercent=100 >"$WORK/warmup.log" 2>&1 \
        || log "Warm-up run ended with an error (ignored): $(tail -1 "$WORK/warmup.log")"
fi

status=0
gatling || status=$?

report="$(ls -td "$HERE"/target/gatling/*/ 2>/dev/null | head -1 || true)"
[[ -n "$report" ]] && log "HTML report: ${report}index.html"
if [[ -n "${APP_PID:-}" ]]; then
    log "Clicks lost by the app (shortener_clicks_lost_total): $(metric "$(metrics_snapshot)" shortener_clicks_lost_total)"
fi
((status == 0)) && log "Assertions hold" || log "Gatling failed or an assertion did not hold (exit $status)"
exit "$status"
