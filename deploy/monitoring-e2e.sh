#!/usr/bin/env bash
# End-to-end check of the alerting loop on this machine, without containers:
#   the shortener jar (embedded PostgreSQL and Redis) -> a real Prometheus evaluating the shipped
#   rules -> a real Alertmanager with the shipped routing -> a local webhook receiver standing in
#   for Discord and for the heartbeat service; and the trace path: the jar exports spans over
#   OTLP/HTTP to a local receiver standing in for Tempo (the tests' OtlpReceiver).
# Errors are real: the embedded Redis is frozen (SIGSTOP), so GET /health/ready answers 503 until
# it is resumed. The script waits until ShortenerHigh5xxRatio and the API's burn-rate alert reach
# the Discord receiver and the Watchdog the heartbeat receiver (and never Discord), prints the
# payloads and stops everything it started. Before that, a run of the jar with tracing on creates a
# link through the API, and the script waits for that request's trace, with its JDBC and Redis spans
# beneath the server span.
#
# Usage: deploy/monitoring-e2e.sh [--build]   (needs: java 21+, python3, curl and the Debian
#        packages prometheus and prometheus-alertmanager)
# Ports (loopback only): app 18081, Prometheus 19090, Alertmanager 19093, receiver 19095,
#        OTLP receiver 19318.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
APP_PORT=18081
MANAGEMENT_PORT=18181
PROM_PORT=19090
AM_PORT=19093
RECEIVER_PORT=19095
OTLP_PORT=19318
TIMEOUT_SECONDS="${E2E_TIMEOUT_SECONDS:-300}"

WORK=$(mktemp -d -t shortener-monitoring-e2e.XXXXXX)
PIDS=()
FROZEN_REDIS=""

log() { printf '%s e2e: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

cleanup() {
    local status=$?
    if [[ -n "$FROZEN_REDIS" ]]; then
        kill -CONT "$FROZEN_REDIS" 2>/dev/null || true
    fi
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        kill "${PIDS[$i]}" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [[ $status -ne 0 ]]; then
        log "FAILED; logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
    exit $status
}
trap cleanup EXIT INT TERM

need() { command -v "$1" >/dev/null || { echo "missing $1: $2" >&2; exit 2; }; }
need python3 "install python3"
need curl "install curl"
need prometheus "apt-get install -y prometheus"
need prometheus-alertmanager "apt-get install -y prometheus-alertmanager"
need promtool "apt-get install -y prometheus"
need amtool "apt-get install -y prometheus-alertmanager"

wait_for() { # url seconds
    for _ in $(seq 1 "$2"); do
        curl -sf -o /dev/null "$1" && return 0
        sleep 1
    done
    echo "timed out waiting for $1" >&2
    return 1
}

JAR=$(ls target/shortener-*.jar 2>/dev/null | grep -v original | head -1 || true)
if [[ "${1:-}" == "--build" || -z "$JAR" ]]; then
    log "building the jar"
    ./mvnw -B -q package -DskipTests >"$WORK/build.log" 2>&1
    JAR=$(ls target/shortener-*.jar | grep -v original | head -1)
fi
# The OTLP receiver is test code: compiled test classes and the test classpath.
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$WORK/test-classpath" >"$WORK/test-build.log" 2>&1

# --- configuration derived from the shipped files ---------------------------------------------
mkdir -p "$WORK/rules" "$WORK/received" "$WORK/templates"
# Alerts wait seconds instead of minutes; expressions and thresholds are the shipped ones.
sed -E 's/^(\s+)for: .*/\1for: 10s/' deploy/prometheus/rules/alerts.yml >"$WORK/rules/alerts.yml"
cp deploy/prometheus/rules/recording.yml "$WORK/rules/"
python3 - "$ROOT/deploy/prometheus/prometheus.yml" "$WORK" "$MANAGEMENT_PORT" "$AM_PORT" >"$WORK/prometheus.yml" <<'PY'
import re, sys
text, work, management_port, am_port = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3], sys.argv[4]
head, _, jobs = text.partition("scrape_configs:\n")
# Keep the application's job only: the exporters of the compose stack do not run here.
blocks = re.split(r"(?m)^(?=  - job_name: )", jobs)
kept = [b for b in blocks if b.startswith("  - job_name: shortener")]
head = re.sub(r"scrape_interval: \S+", "scrape_interval: 1s", head)
head = re.sub(r"scrape_timeout: \S+", "scrape_timeout: 1s", head)
head = re.sub(r"evaluation_interval: \S+", "evaluation_interval: 1s", head)
head = head.replace("/etc/prometheus/rules/", work + "/rules/").replace("alertmanager:9093", "127.0.0.1:" + am_port)
job = kept[0].replace('["app1:8081", "app2:8081"]', '["127.0.0.1:' + management_port + '"]')
print(head + "scrape_configs:\n" + job, end="")
PY
# Same routing, grouping and inhibitions; the Discord and heartbeat receivers become local webhooks.
cp deploy/alertmanager/templates/*.tmpl "$WORK/templates/"
python3 - "$ROOT/deploy/alertmanager/alertmanager.yml" "$WORK" "$RECEIVER_PORT" >"$WORK/alertmanager.yml" <<'PY'
import sys
text, work, port = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
head, _, _ = text.partition("receivers:\n")
head = head.replace("/etc/alertmanager/templates/", work + "/templates/")
print(head + "receivers:\n"
      + "  - name: discord\n    webhook_configs:\n"
      + "      - url: http://127.0.0.1:" + port + "/discord\n        send_resolved: true\n"
      + "  - name: heartbeat\n    webhook_configs:\n"
      + "      - url: http://127.0.0.1:" + port + "/heartbeat\n        send_resolved: false\n", end="")
PY
promtool check config "$WORK/prometheus.yml" >"$WORK/promtool.log"
amtool check-config "$WORK/alertmanager.yml" >"$WORK/amtool.log"

# --- processes -----------------------------------------------------------------------------------
log "starting the webhook receiver on 127.0.0.1:$RECEIVER_PORT"
python3 - "$WORK/received" "$RECEIVER_PORT" >"$WORK/receiver.log" 2>&1 <<'PY' &
import http.server, pathlib, sys, time
target, port = pathlib.Path(sys.argv[1]), int(sys.argv[2])
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        receiver = self.path.strip("/") or "root"
        (target / f"{receiver}-{time.time_ns()}.json").write_bytes(body)
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
PY
PIDS+=($!)

# start_app LOG [VAR=VALUE...]: the jar on the loopback ports, with extra environment
start_app() {
    local log_file="$1"
    shift
    log "starting the application on 127.0.0.1:$APP_PORT ($JAR${*:+, $*})"
    env SERVER_PORT=$APP_PORT MANAGEMENT_PORT=$MANAGEMENT_PORT MANAGEMENT_ADDRESS=127.0.0.1 \
        SHORTENER_DATA_DIR="$WORK/data" LOG_FORMAT=json "$@" \
        "$JAVA_HOME/bin/java" -jar "$JAR" >"$log_file" 2>&1 &
    APP_PID=$!
    PIDS+=("$APP_PID")
    wait_for "http://127.0.0.1:$APP_PORT/health" 240
    wait_for "http://127.0.0.1:$APP_PORT/health/ready" 60
}

# --- a trace from a real request -------------------------------------------------------------------
# Its own run of the jar: with tracing on, latency counts carry exemplars, which Prometheus before
# 2.43 (Debian 12 ships 2.42) refuses on a histogram's _count, failing the whole scrape; the stack's
# Prometheus 3 takes them.
log "starting the OTLP receiver on 127.0.0.1:$OTLP_PORT"
"$JAVA_HOME/bin/java" -cp "target/test-classes:$(cat "$WORK/test-classpath")" \
    dev.shortener.platform.observability.OtlpReceiver "$OTLP_PORT" "$WORK/spans.jsonl" >"$WORK/otlp.log" 2>&1 &
PIDS+=($!)
start_app "$WORK/app-traced.log" OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$OTLP_PORT"
TRACE_REQUEST="e2e-trace-$$"
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -H "X-Request-Id: $TRACE_REQUEST" \
    -d '{"original_url":"https://example.com/e2e-traced"}' "http://127.0.0.1:$APP_PORT/urls"
TRACE_ID=$(grep -F "\"request_id\":\"$TRACE_REQUEST\"" "$WORK/app-traced.log" | grep -o '"trace_id":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
log "POST /urls answered in trace ${TRACE_ID:-(none in the access line)}; waiting for its spans"
TRACE_OK=""
for _ in $(seq 1 30); do
    if TRACE_SUMMARY=$(python3 - "$WORK/spans.jsonl" "${TRACE_ID:-none}" 2>/dev/null <<'PY'
import json, sys
spans = [json.loads(line) for line in open(sys.argv[1])]
trace = [s for s in spans if s["traceId"] == sys.argv[2]]
servers = [s for s in trace if s["kind"] == "SPAN_KIND_SERVER" and not s["parentSpanId"]]
by_id = {s["spanId"]: s for s in trace}
def under(span, root):
    while span["parentSpanId"] in by_id:
        span = by_id[span["parentSpanId"]]
        if span is root:
            return True
    return False
if len(servers) != 1:
    sys.exit(1)
server = servers[0]
jdbc = [s for s in trace if s["name"] == "query" and under(s, server)]
redis = [s for s in trace if s["attributes"].get("db.system") == "redis" and under(s, server)]
if not jdbc or not redis:
    sys.exit(1)
print(f"{server['name']} ({server['service']}): {len(trace)} spans, {len(jdbc)} JDBC statements "
      f"({', '.join(sorted({s['attributes'].get('jdbc.query[0]', '?').split()[0] for s in jdbc}))}), "
      f"{len(redis)} Redis commands ({', '.join(sorted({s['name'] for s in redis}))})")
PY
    ); then
        TRACE_OK=yes
        break
    fi
    sleep 1
done
if [[ -z "$TRACE_OK" ]]; then
    echo "=== FAILED: no trace of POST /urls with JDBC and Redis spans under its server span reached the OTLP receiver" >&2
    exit 1
fi
log "trace received: $TRACE_SUMMARY"

kill "$APP_PID"
for _ in $(seq 1 150); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.2; done

start_app "$WORK/app.log"

log "starting Alertmanager on 127.0.0.1:$AM_PORT"
prometheus-alertmanager --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/alertmanager" \
    --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= >"$WORK/alertmanager.log" 2>&1 &
PIDS+=($!)

log "starting Prometheus on 127.0.0.1:$PROM_PORT"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus" \
    --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)

wait_for "http://127.0.0.1:$AM_PORT/-/ready" 60
wait_for "http://127.0.0.1:$PROM_PORT/-/ready" 60
log "application ready; Prometheus scrapes it every second"

# --- drive real server errors ----------------------------------------------------------------------
REDIS_PORT=$(grep -o 'embedded Redis on 127.0.0.1:[0-9]*' "$WORK/app.log" | head -1 | sed 's/.*://')
REDIS_PID=$(pgrep -P "$APP_PID" -f "redis-server.* 127.0.0.1:${REDIS_PORT:-none}\$" | head -1 || true)
if [[ -z "$REDIS_PID" ]]; then
    echo "the embedded Redis (a child process of the application) was not found" >&2
    exit 1
fi
log "freezing the embedded Redis (pid $REDIS_PID, SIGSTOP): readiness now answers 503"
kill -STOP "$REDIS_PID"
FROZEN_REDIS=$REDIS_PID

START=$(date +%s)
DEADLINE=$((START + TIMEOUT_SECONDS))
: >"$WORK/statuses"
drive() {
    while [[ $(date +%s) -lt $DEADLINE && ! -e "$WORK/stop" ]]; do
        curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$APP_PORT/health/ready" >>"$WORK/statuses" || true
    done
}
for _ in 1 2 3 4; do drive & PIDS+=($!); done

# received RECEIVER ALERT: the first payload of ALERT that reached RECEIVER, or nothing
received() {
    grep -l "\"alertname\":\"$2\"" "$WORK"/received/"$1"-*.json 2>/dev/null | head -1 || true
}

log "driving GET /health/ready; waiting for ShortenerHigh5xxRatio and ShortenerApiErrorBudgetBurn at the Discord receiver and the Watchdog at the heartbeat receiver (up to ${TIMEOUT_SECONDS}s)"
FOUND=""
BURN=""
HEARTBEAT=""
while [[ $(date +%s) -lt $DEADLINE ]]; do
    FOUND=$(received discord ShortenerHigh5xxRatio)
    BURN=$(received discord ShortenerApiErrorBudgetBurn)
    HEARTBEAT=$(received heartbeat Watchdog)
    [[ -n "$FOUND" && -n "$BURN" && -n "$HEARTBEAT" ]] && break
    sleep 1
done
touch "$WORK/stop"
kill -CONT "$REDIS_PID"
FROZEN_REDIS=""
ELAPSED=$(($(date +%s) - START))

echo
echo "=== requests driven: $(wc -l <"$WORK/statuses") ($(grep -c '^503$' "$WORK/statuses" || true) answered 503)"
echo "=== Prometheus alert state:"
curl -s "http://127.0.0.1:$PROM_PORT/api/v1/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    print("   ", a["labels"]["alertname"], a["state"], a["labels"].get("severity"), "value", a["value"])'
if [[ -z "$FOUND" || -z "$BURN" || -z "$HEARTBEAT" ]]; then
    echo "=== FAILED within ${TIMEOUT_SECONDS}s: ShortenerHigh5xxRatio ${FOUND:-missing}, ShortenerApiErrorBudgetBurn ${BURN:-missing}, Watchdog ${HEARTBEAT:-missing}" >&2
    exit 1
fi
if [[ -n "$(received discord Watchdog)" ]]; then
    echo "=== FAILED: the Watchdog reached the Discord receiver" >&2
    exit 1
fi
echo "=== notification received ${ELAPSED}s after the errors started ($(ls "$WORK"/received | wc -l) payload(s)); first one:"
python3 -m json.tool "$FOUND"
echo "=== the burn-rate alert and the Watchdog's heartbeat arrived too:"
python3 -c 'import json, sys; [print("   ", json.load(open(f))["receiver"], [a["labels"]["alertname"] for a in json.load(open(f))["alerts"]]) for f in sys.argv[1:]]' "$BURN" "$HEARTBEAT"
echo "=== the trace of POST /urls: $TRACE_SUMMARY"
echo "=== OK: the high-error-rate and burn-rate alerts reached the Discord receiver, the Watchdog the heartbeat receiver, a request's trace the OTLP receiver"
