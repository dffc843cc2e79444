#!/usr/bin/env bash
# Fault matrix at full length (ADR 0009): FaultMatrixTest with faults of FAULT_SECONDS (30) instead
# of the 3 s it runs in `./mvnw verify`. One instance reaches the embedded PostgreSQL and Redis
# through fault-injecting proxies; each row injects one fault while cached and uncached redirects,
# creates, updates, an import and a running job's progress stream run, then checks recovery within
# 5 s and clicks stored = redirects answered. Redis has its default timeout here (250 ms; the test's
# own is 500 ms), so the circuit must open within 1 s.
# Prints a Markdown table for bench/RESULTS.md; exits non-zero if a row broke its expectations.
# Usage: bench/faults/run.sh        (FAULT_SECONDS=30)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

: "${FAULT_SECONDS:=30}"

cd "$REPO_ROOT"
mkdir -p target # a fresh clone has none yet
log "Fault matrix, $FAULT_SECONDS s per fault"
status=0
./mvnw -B -q test -Dtest=FaultMatrixTest -Dfaults.seconds="$FAULT_SECONDS" -Dfaults.redis-timeout=250ms \
    -Dspotless.check.skip=true \
    >"$REPO_ROOT/target/faults.log" 2>&1 || status=$?

echo "$(machine_facts) · faults of $FAULT_SECONDS s"
echo
echo "| fault | cached redirects | cached p99 (µs) | uncached redirect | create | update | import | progress stream: longest silence, then | Redis circuit open after | recovered after (ms) | clicks stored of answered |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
grep -h '^FAULT | ' "$REPO_ROOT/target/surefire-reports/dev.shortener.FaultMatrixTest-output.txt" \
    | sed 's/^FAULT //; s/$/ |/'
[[ $status -eq 0 ]] || log "Some rows broke their expectations: see target/surefire-reports/dev.shortener.FaultMatrixTest.txt"
exit "$status"
