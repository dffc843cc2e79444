#!/usr/bin/env bash
# Event-log scale benchmark (issue 23): loads BENCH_EVENTS events (default 50,000,000) through the
# real triggers, then measures every list and statistics request of the event log with wrk.
# Targets: every /events page (first, filtered, deep cursor) p95 <= 50 ms, link statistics <= 20 ms;
# a deep page by number is measured, not judged (offset paging reads what it skips).
# Usage: bench/scale/run.sh        (settings: environment variables below)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Defaults of this benchmark, before common.sh fills in the shared ones.
: "${BENCH_DB:=shortener_scale_bench}"
: "${BENCH_REDIS_DB:=13}"
: "${BENCH_APP_PORT:=18477}"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

: "${BENCH_EVENTS:=50000000}"
: "${BENCH_USERS:=20000}"
: "${BENCH_LINKS:=100000}"
: "${BENCH_POWER_LINKS:=20000}"
: "${BENCH_HOT_CLICKS:=1000000}"
: "${BENCH_CHUNK:=1000000}"
: "${BENCH_CONNECTIONS:=1}"
: "${BENCH_DURATION:=15s}"

require wrk curl psql
VERDICT=PASS
bench_workspace scale
reset_data_stores
export RATE_LIMIT_READS=1000000000 LOG_FORMAT=json
start_app "$WORK"

sql() { psql_bench -d "$BENCH_DB" "$@"; }
started=$SECONDS
log "Seeding $BENCH_USERS users and $BENCH_LINKS links, with a created event each"
sql <<SQL
INSERT INTO users (username, email) SELECT 'user' || g, 'user' || g || '@example.com' FROM generate_series(1, $BENCH_USERS) g;
INSERT INTO urls (user_id, short_code, original_url, title)
SELECT (SELECT min(id) FROM users) + g % $BENCH_USERS, 's' || g, 'https://example.com/page/' || g, 'Page ' || g
FROM generate_series(1, $BENCH_LINKS) g;
INSERT INTO events (url_id, user_id, event_type, "timestamp", details)
SELECT id, user_id, 'created', (now() AT TIME ZONE 'utc') - interval '366 days',
       jsonb_build_object('short_code', short_code, 'original_url', original_url)
FROM urls ORDER BY id;
-- one user with many links and no clicks: a page of theirs reads as many events as it shows, or all
INSERT INTO users (username, email) VALUES ('power', 'power@example.com');
INSERT INTO urls (user_id, short_code, original_url, title)
SELECT (SELECT id FROM users WHERE email = 'power@example.com'), 'p' || g, 'https://example.com/power/' || g, 'Power ' || g
FROM generate_series(1, $BENCH_POWER_LINKS) g;
INSERT INTO events (url_id, user_id, event_type, "timestamp", details)
SELECT id, user_id, 'created', (now() AT TIME ZONE 'utc') - interval '366 days',
       jsonb_build_object('short_code', short_code, 'original_url', original_url)
FROM urls WHERE user_id = (SELECT id FROM users WHERE email = 'power@example.com') ORDER BY id;
SQL
HOT="$(sql -Atc "SELECT min(id) FROM urls")"
FIRST_LINK="$HOT"
CLICKS=$((BENCH_EVENTS - BENCH_LINKS - BENCH_POWER_LINKS - (BENCH_LINKS + BENCH_POWER_LINKS) / 100))
((BENCH_HOT_CLICKS > CLICKS / 2)) && BENCH_HOT_CLICKS=$((CLICKS / 2))
CHUNKS=$(((CLICKS + BENCH_CHUNK - 1) / BENCH_CHUNK))
log "Loading $CLICKS clicks in $CHUNKS statements of up to $BENCH_CHUNK ($BENCH_HOT_CLICKS of link $HOT), a year of them in id order"
for ((c = 0; c < CHUNKS; c++)); do
    from=$((c * BENCH_CHUNK + 1))
    to=$(((c + 1) * BENCH_CHUNK < CLICKS ? (c + 1) * BENCH_CHUNK : CLICKS))
    # one click in CLICKS / BENCH_HOT_CLICKS (rounded down) goes to the hot link, the rest spread over the others;
    # referrers from 50 sites (a third without), user agents from 20 browsers
    sql <<SQL
INSERT INTO events (url_id, user_id, event_type, "timestamp", details)
SELECT u.id, u.user_id, 'click',
       (now() AT TIME ZONE 'utc') - interval '365 days' + (g::float8 / $CLICKS) * interval '365 days',
       jsonb_build_object('short_code', u.short_code, 'original_url', u.original_url,
           'referrer', CASE WHEN g % 3 = 0 THEN NULL ELSE 'https://site' || (g % 50) || '.example/' END,
           'user_agent', 'Mozilla/5.0 (browser ' || (g % 20) || ')')
FROM generate_series($from::bigint, $to) g
JOIN urls u ON u.id = CASE WHEN g % ($CLICKS / $BENCH_HOT_CLICKS) = 0 THEN $HOT
                           ELSE $FIRST_LINK + 1 + (g * 7919) % ($BENCH_LINKS - 1) END
ORDER BY g;
SQL
    ((c % 10 == 9)) && log "  $to clicks stored"
done
log "Adding $(((BENCH_LINKS + BENCH_POWER_LINKS) / 100)) updated events"
sql -c "INSERT INTO events (url_id, user_id, event_type, details)
        SELECT id, user_id, 'updated', jsonb_build_object('field', 'title', 'new_value', 'Renamed') FROM urls
        WHERE id % 100 = 0 ORDER BY id"
# The clicks loaded with ids from the sequence lie above the folded id (V29): the service folds them
# into the rollup, and until it has, every count and statistic reads them one by one.
log "Waiting for the service to fold the loaded clicks into the rollup"
until [[ "$(sql -Atc "SELECT folded_id >= (SELECT max(id) FROM events) FROM click_fold")" == t ]]; do
    ((SECONDS - started < 4 * 3600)) || die "the service has not folded the loaded clicks after four hours"
    sleep 2
done
log "VACUUM ANALYZE"
sql -c "VACUUM ANALYZE"
LOAD_SECONDS=$((SECONDS - started))
EVENTS="$(sql -Atc "SELECT sum(events) FROM event_tallies")"
log "$EVENTS events loaded in $LOAD_SECONDS s; database $(sql -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")"

USER_ID="$(sql -Atc "SELECT user_id FROM urls WHERE id = $FIRST_LINK + 4242")"
# The hot link's owner lists the events of their own links with a key of their own, as every user
# who is not an admin does (the count: their links' click rollup and other events, ADR 0017).
OWNER="$(sql -Atc "SELECT user_id FROM urls WHERE id = $HOT")"
OWNER_LINKS="$(sql -Atc "SELECT count(*) FROM urls WHERE user_id = $OWNER")"
# key_header USER: the Authorization header of a new read key of USER
key_header() {
    local key
    key="$(curl -sf -H 'Content-Type: application/json' \
        -d "{\"name\":\"scale bench\",\"scopes\":[\"links:read\",\"stats:read\"],\"user_id\":$1}" \
        "$APP_URL/api-keys" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p' || true)"
    [[ -n "$key" ]] || die "could not create a key for user $1"
    echo "Authorization: Bearer $key"
}
OWNER_HEADER="$(key_header "$OWNER")"
POWER="$(sql -Atc "SELECT id FROM users WHERE email = 'power@example.com'")"
POWER_HEADER="$(key_header "$POWER")"
# the middle event by rank: ids jump at each month's start (ADR 0020)
MIDDLE="$(sql -Atc "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY id) FROM events")"
# What an exact count by scan costs at this size, and whether X-Total-Count agrees with it.
SCAN_MS=()
for filter in "" "event_type=click" "url_id=$HOT" "user_id=$OWNER"; do
    where="${filter:+ WHERE ${filter%%=*} = '${filter#*=}'}"
    read -r rows ms < <(sql -At -c '\timing on' -c "SELECT count(*) FROM events$where" | awk '
        /^Time:/ { printf " %.0f", $2; next } { printf "%s", $0 } END { print "" }')
    counted="$(curl -s -D - -o /dev/null "$APP_URL/events?per_page=1${filter:+&$filter}" | tr -d '\r' \
        | awk -F': ' 'tolower($1) == "x-total-count" { print $2 }')"
    [[ "$counted" == "$rows" ]] || { log "X-Total-Count of /events?$filter is '$counted', count(*) $rows"; VERDICT=FAIL; }
    SCAN_MS+=("${filter:-all}: $rows rows, count(*) $ms ms")
done
read -r rows ms < <(sql -At -c '\timing on' \
    -c "SELECT count(*) FROM events WHERE url_id IN (SELECT id FROM urls WHERE user_id = $OWNER)" | awk '
    /^Time:/ { printf " %.0f", $2; next } { printf "%s", $0 } END { print "" }')
counted="$(curl -s -D - -o /dev/null -H "$OWNER_HEADER" "$APP_URL/events?per_page=1" | tr -d '\r' \
    | awk -F': ' 'tolower($1) == "x-total-count" { print $2 }')"
[[ "$counted" == "$rows" ]] || { log "X-Total-Count of /events as user $OWNER is '$counted', count(*) $rows"; VERDICT=FAIL; }
SCAN_MS+=("the hot link's owner: $rows rows, count(*) $ms ms")
HOT_CLICKS="$(sql -Atc "SELECT sum(clicks) FROM click_counts WHERE url_id = $HOT")"

PAGES=(
    "events, first page|/events?per_page=10|50"
    "events, clicks only|/events?event_type=click&per_page=10|50"
    "events, updated only|/events?event_type=updated&per_page=10|50"
    "events of the link with $HOT_CLICKS clicks|/events?url_id=$HOT&per_page=10|50"
    "events of the link with $HOT_CLICKS clicks, its creation only|/events?url_id=$HOT&event_type=created&per_page=10|50"
    "events of one user|/events?user_id=$USER_ID&per_page=10|50"
    "events of the hot link's owner, by user|/events?user_id=$OWNER&per_page=10|50"
    "events of their own $OWNER_LINKS links, as the hot link's owner|/events?per_page=10|50|$OWNER_HEADER"
    "the same, 100 a page|/events?per_page=100|50|$OWNER_HEADER"
    "events of the hot link's owner, by user, 100 a page|/events?user_id=$OWNER&per_page=100|50"
    "events of a user with $BENCH_POWER_LINKS links, by user|/events?user_id=$POWER&per_page=10|50"
    "events of their own $BENCH_POWER_LINKS links, as that user|/events?per_page=10|50|$POWER_HEADER"
    "events by cursor, halfway|/events?after=$MIDDLE&per_page=100|50"
    "statistics of the link with $HOT_CLICKS clicks|/urls/$HOT/stats|20"
    "links, first page|/urls?per_page=10|50"
    "users, first page|/users?per_page=10|50"
    "events, page 20,000 by number|/events?page=20000&per_page=100|"
)
{
    echo "# Event-log scale benchmark $STAMP"
    echo
    echo "$(machine_facts)"
    echo "$EVENTS events ($BENCH_USERS users, $BENCH_LINKS links, $HOT_CLICKS clicks of one link) and a user with $BENCH_POWER_LINKS links without clicks, loaded through the triggers and folded in $LOAD_SECONDS s, VACUUM ANALYZE included; database $(sql -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")"
    echo "X-Total-Count against count(*) (and what counting by scan costs): $(IFS=';'; echo "${SCAN_MS[*]}" | sed 's/;/; /g')"
    echo "wrk -t1 -c$BENCH_CONNECTIONS -d$BENCH_DURATION per request, after a 5 s warm-up"
    echo
    echo "| request | req/s | p50 ms | p95 ms | p99 ms | errors | target p95 |"
    echo "|---|---|---|---|---|---|---|"
} >"$RESULTS/summary.md"
page_latencies "$BENCH_CONNECTIONS" "$BENCH_DURATION" "${PAGES[@]}"
{
    echo
    echo "Verdict (each request within its target, no error, every X-Total-Count exact): $VERDICT"
} >>"$RESULTS/summary.md"
cat "$RESULTS/summary.md"
log "Summary written to $RESULTS/summary.md"
