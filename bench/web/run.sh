#!/usr/bin/env bash
# Web pages benchmark (issue 18): how long the pages take to render on the server for an account
# with 100,000 links and a link with 1,000,000 clicks (target: p95 <= 50 ms per page).
# Usage: bench/web/run.sh        (settings: environment variables below)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Defaults of this benchmark, before common.sh fills in the shared ones.
: "${BENCH_DB:=shortener_web_bench}"
: "${BENCH_REDIS_DB:=14}"
: "${BENCH_APP_PORT:=18476}"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

: "${BENCH_LINKS:=100000}"
: "${BENCH_CLICKS:=1000000}"
: "${BENCH_CONNECTIONS:=1}"
: "${BENCH_DURATION:=15s}"

require wrk curl psql
bench_workspace web
reset_data_stores

EMAIL=bench@example.com
PASSWORD=bench-password-123
# The benchmark measures rendering, not the per-session read budget.
export ADMIN_EMAIL="$EMAIL" ADMIN_PASSWORD="$PASSWORD" RATE_LIMIT_READS=1000000000 LOG_FORMAT=json
start_app "$WORK"

log "Seeding $BENCH_LINKS links and $BENCH_CLICKS clicks of one link"
psql_bench -d "$BENCH_DB" <<SQL
INSERT INTO urls (user_id, short_code, original_url, title, created_at)
SELECT u.id, 'w' || g, 'https://example.com/page/' || g, 'Page ' || g,
       (now() AT TIME ZONE 'utc') - (($BENCH_LINKS - g) * interval '1 minute')
FROM users u, generate_series(1, $BENCH_LINKS) g WHERE u.email = '$EMAIL';
INSERT INTO events (url_id, user_id, event_type, "timestamp", details)
SELECT (SELECT max(id) FROM urls), NULL, 'click',
       (now() AT TIME ZONE 'utc') - ((g % 90) * interval '1 day'),
       jsonb_build_object('referrer', 'https://site' || (g % 40) || '.example/', 'user_agent', 'Mozilla/5.0 bench')
FROM generate_series(1, $BENCH_CLICKS) g;
-- newer clicks of other links after the million, as on a real service: the link page must still
-- find its link's latest clicks at once
INSERT INTO events (url_id, user_id, event_type, details)
SELECT (SELECT min(id) FROM urls) + (g * 7919) % ($BENCH_LINKS / 2), NULL, 'click', '{}'::jsonb
FROM generate_series(1, $BENCH_LINKS) g;
ANALYZE;
SQL
HOT="$(psql_bench -d "$BENCH_DB" -Atc "SELECT max(id) FROM urls")"
MIDDLE="$(psql_bench -d "$BENCH_DB" -Atc "SELECT min(id) + ($BENCH_LINKS / 2) FROM urls")"
log "Waiting for the app to fold the seeded clicks into the links' totals"
for _ in $(seq 1 120); do
    [[ "$(psql_bench -d "$BENCH_DB" -Atc "SELECT count(*) FROM click_totals_queue")" == 0 ]] && break
    sleep 1
done
[[ "$(psql_bench -d "$BENCH_DB" -Atc "SELECT count(*) FROM click_totals_queue")" == 0 ]] || die "click totals were not folded"
# a quarter of the way down the clicked links, and a quarter of the way down those never clicked
MIDDLE_CLICKED="$(psql_bench -d "$BENCH_DB" -Atc "SELECT clicks || '-' || url_id FROM link_click_totals
    WHERE clicks > 0 ORDER BY clicks DESC, url_id DESC OFFSET ($BENCH_LINKS / 4) LIMIT 1")"
MIDDLE_UNCLICKED="$(psql_bench -d "$BENCH_DB" -Atc "SELECT '0-' || url_id FROM link_click_totals
    WHERE clicks = 0 ORDER BY url_id DESC OFFSET ($BENCH_LINKS / 4) LIMIT 1")"

log "Signing in as $EMAIL"
JAR="$WORK/cookies"
csrf() { grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
TOKEN="$(curl -sf -c "$JAR" -b "$JAR" "$APP_URL/-/login" | csrf)"
[[ "$(curl -s -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" -X POST "$APP_URL/-/login" \
    --data-urlencode "_csrf=$TOKEN" --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD")" == 302 ]] \
    || die "signing in failed"
COOKIE="shortener_session=$(awk '$6 == "shortener_session" { print $7 }' "$JAR")"

PAGES=(
    "links, first page|/-/links|50"
    "links, search|/-/links?q=Page+4242|50"
    "links, page in the middle (keyset)|/-/links?after=$MIDDLE|50"
    "links, taken down only|/-/links?status=blocked|50"
    "links, most clicked|/-/links?order=clicks|50"
    "links, most clicked, search|/-/links?order=clicks&q=Page+4242|50"
    "links, most clicked, among the clicked|/-/links?order=clicks&after=$MIDDLE_CLICKED|50"
    "links, most clicked, among the never clicked|/-/links?order=clicks&after=$MIDDLE_UNCLICKED|50"
    "link with $BENCH_CLICKS clicks, 30 days|/-/links/$HOT|50"
    "link with $BENCH_CLICKS clicks, 90 days|/-/links/$HOT?days=90|50"
    "QR code PNG|/-/links/$HOT/qr.png|50"
    "home|/|50"
)
{
    echo "# Web pages benchmark $STAMP"
    echo
    echo "$(machine_facts)"
    echo "$BENCH_LINKS links of one account, $BENCH_CLICKS clicks of one link · wrk -t1 -c$BENCH_CONNECTIONS -d$BENCH_DURATION, after a 5 s warm-up per page"
    echo
    echo "| page | req/s | p50 ms | p95 ms | p99 ms | errors | target p95 |"
    echo "|---|---|---|---|---|---|---|"
} >"$RESULTS/summary.md"
BENCH_HEADER="Cookie: $COOKIE" page_latencies "$BENCH_CONNECTIONS" "$BENCH_DURATION" "${PAGES[@]}"
{
    echo
    echo "Verdict (every page p95 <= 50 ms, no error): $VERDICT"
} >>"$RESULTS/summary.md"
cat "$RESULTS/summary.md"
log "Summary written to $RESULTS/summary.md"
