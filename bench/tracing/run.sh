#!/usr/bin/env bash
# Tracing's cost on the redirect path (issue 24): the redirect benchmark with tracing off
# (OTEL_EXPORTER_OTLP_ENDPOINT unset) and exporting (set, TRACING_REDIRECT_SAMPLE at its default),
# interleaved off, on, on, off, off, on. Spans go to a local OTLP/HTTP sink that answers 200 and
# counts what it took, so that "exporting" is real export over loopback.
# Usage: bench/tracing/run.sh   (BENCH_SETTLE, BENCH_CONNECTIONS, ... as for bench/redirect/run.sh)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${TRACING_SINK_PORT:=18318}"
: "${TRACING_ORDER:=off on on off off on}"

SINK_LOG="$(mktemp -t shortener-otlp-sink.XXXXXX)"
python3 - "$TRACING_SINK_PORT" >"$SINK_LOG" 2>&1 <<'PY' &
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    exports = 0
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Sink.exports += 1
        print("export", Sink.exports, self.path, flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
SINK_PID=$!
trap 'kill $SINK_PID 2>/dev/null || true; rm -f "$SINK_LOG"' EXIT

for mode in $TRACING_ORDER; do
    before="$(grep -c '^export' "$SINK_LOG" || true)"
    if [[ "$mode" == on ]]; then
        OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$TRACING_SINK_PORT" "$HERE/../redirect/run.sh"
    else
        env -u OTEL_EXPORTER_OTLP_ENDPOINT "$HERE/../redirect/run.sh"
    fi
    summary="$(ls -td "$HERE"/../results/redirect-*/ | head -1)summary.md"
    after="$(grep -c '^export' "$SINK_LOG" || true)"
    printf 'tracing %s: %s (OTLP exports received: %s)\n' "$mode" "$summary" "$((after - before))"
    grep '^| app ' "$summary" | sed "s/^| app /| tracing $mode /"
done
