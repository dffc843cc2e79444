#!/usr/bin/env bash
# Bytes PostgreSQL keeps per click: the app's schema, clicks stored as the click loader stores
# them (narrow rows of events, their texts in click_texts, ADR 0018) in batches of 1,000, then the
# size of events, click_counts and click_texts per click.
# Usage: bench/clicks/size.sh        (settings: environment variables, see README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${BENCH_DB:=shortener_bench_click_size}"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

: "${BENCH_CLICKS:=200000}"
: "${BENCH_LINKS:=100000}"
: "${BENCH_USERS:=1000}"
: "${BENCH_ZIPF_S:=1.0}"
: "${BENCH_SEED:=1}"

require psql awk split

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_ROOT/results/click-size-$STAMP"
mkdir -p "$RESULTS"
WORK="$(mktemp -d /tmp/shortener-click-size.XXXXXX)"
trap 'psql_bench -d postgres -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

migrated_database "$BENCH_DB"

# Clicks as wide COPY lines, over one day, turned into narrow rows below: the link drawn from a Zipf distribution; a user
# for three links in four; a referrer (one of 50) for three clicks in five; one of 10 browser
# user agents of 80-140 characters; destinations of about 80 characters.
log "Generating $BENCH_CLICKS clicks (Zipf s=$BENCH_ZIPF_S over $BENCH_LINKS links)"
awk -v n="$BENCH_CLICKS" -v links="$BENCH_LINKS" -v users="$BENCH_USERS" -v s="$BENCH_ZIPF_S" -v seed="$BENCH_SEED" 'BEGIN {
    srand(seed)
    for (k = 1; k <= links; k++) { total += k ^ -s; cdf[k] = total }
    split("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36|" \
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15|" \
          "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1|" \
          "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36|" \
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0|" \
          "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36|" \
          "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36|" \
          "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1|" \
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0|" \
          "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", agents, "|")
    for (i = 0; i < n; i++) {
        u = rand() * total; lo = 1; hi = links
        while (lo < hi) { mid = int((lo + hi) / 2); if (cdf[mid] < u) lo = mid + 1; else hi = mid }
        user = lo % 4 == 0 ? "" : (lo - 1) % users + 1
        referrer = rand() < 0.4 ? "null" : sprintf("\"\"https://news.example%d.com/feed/item\"\"", int(rand() * 50))
        agent = agents[int(rand() * 10) + 1]
        second = int(i * 86400 / n)
        printf "%d,%s,click,2026-11-28 %02d:%02d:%02d,\"{\"\"short_code\"\":\"\"%07x\"\",\"\"original_url\"\":\"\"https://www.example.com/articles/%d/a-title-of-some-length?utm_source=newsletter\"\",\"\"referrer\"\":%s,\"\"user_agent\"\":\"\"%s\"\"}\"\n", \
            lo, user, int(second / 3600), int(second / 60) % 60, second % 60, lo * 2654435761 % 268435456, lo, referrer, agent
    }
}' >"$WORK/clicks.csv"

# The texts into the dictionary, then the clicks as narrow rows, 1,000 a statement in their order.
{
    echo "CREATE TEMP TABLE wide (n serial, url_id bigint, user_id bigint, event_type text, \"timestamp\" timestamp, details jsonb);"
    echo "\\copy wide (url_id, user_id, event_type, \"timestamp\", details) FROM '$WORK/clicks.csv' (FORMAT csv)"
    echo "INSERT INTO click_texts (text) SELECT DISTINCT t FROM wide, jsonb_each_text(details) AS d(k, t) WHERE t IS NOT NULL ON CONFLICT DO NOTHING;"
    for ((from = 1; from <= BENCH_CLICKS; from += 1000)); do
        echo "INSERT INTO events (url_id, user_id, event_type, \"timestamp\", short_code_id, original_url_id, referrer_id, user_agent_id)
              SELECT url_id, user_id, event_type, \"timestamp\",
                     (SELECT id FROM click_texts WHERE md5(text) = md5(details ->> 'short_code')),
                     (SELECT id FROM click_texts WHERE md5(text) = md5(details ->> 'original_url')),
                     (SELECT id FROM click_texts WHERE md5(text) = md5(details ->> 'referrer')),
                     (SELECT id FROM click_texts WHERE md5(text) = md5(details ->> 'user_agent'))
              FROM wide WHERE n BETWEEN $from AND $((from + 999)) ORDER BY n;"
    done
    # into the rollup, as the service folds stored clicks every second (V29)
    echo "SELECT fold_clicks((SELECT last_value FROM events_id_seq), 1000000000);"
} >"$WORK/copy.sql"
psql_bench -d "$BENCH_DB" -v ON_ERROR_STOP=1 -f "$WORK/copy.sql" >/dev/null
psql_bench -d "$BENCH_DB" -c "VACUUM ANALYZE events, click_counts, click_texts" >/dev/null
rebuilt="$(psql_bench -d "$BENCH_DB" -Atc "SELECT count(*) FROM events WHERE details = '{}' AND event_details(events) ->> 'short_code' IS NOT NULL")"
[[ "$rebuilt" == "$BENCH_CLICKS" ]] || die "$rebuilt narrow clicks of $BENCH_CLICKS read back with their details"

# events is partitioned (ADR 0020): its sizes are its partitions'
sizes="SELECT count(*), (SELECT count(*) FROM click_counts),
              (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('events')),
              (SELECT sum(pg_relation_size(relid)) FROM pg_partition_tree('events')),
              pg_total_relation_size('click_counts'),
              (SELECT count(*) FROM click_texts), pg_total_relation_size('click_texts') FROM events"
read -r clicks keys events heap counts texts dictionary <<<"$(psql_bench -d "$BENCH_DB" -At -F ' ' -c "$sizes")"
[[ "$clicks" == "$BENCH_CLICKS" ]] || die "stored $clicks clicks, expected $BENCH_CLICKS"
line="$(awk '{ bytes += length($0) + 1 } END { printf "%.0f", bytes / NR }' "$WORK/clicks.csv")"

{
    echo "# Bytes per click $STAMP"
    echo
    echo "$(machine_facts) · $(psql_bench -d "$BENCH_DB" -Atc 'SELECT version()' | cut -d, -f1)"
    echo "$BENCH_CLICKS clicks over one day, Zipf s=$BENCH_ZIPF_S over $BENCH_LINKS links, details of $line bytes on average as wide COPY lines, stored as narrow rows in batches of 1,000, then VACUUM ANALYZE"
    echo
    echo "| relation | rows | bytes (with indexes and TOAST) | bytes per click |"
    echo "|---|---|---|---|"
    awk -v c="$clicks" -v k="$keys" -v e="$events" -v h="$heap" -v n="$counts" -v t="$texts" -v d="$dictionary" 'BEGIN {
        printf "| events | %d | %d (table alone %d) | %.0f (table alone %.0f) |\n", c, e, h, e / c, h / c
        printf "| click_counts | %d | %d | %.0f (%.0f per row) |\n", k, n, n / c, n / k
        printf "| click_texts | %d | %d | %.0f (%.0f per row) |\n", t, d, d / c, d / t
        printf "| all three | | %d | %.0f |\n", e + n + d, (e + n + d) / c
    }'
} >"$RESULTS/summary.md"

cat "$RESULTS/summary.md"
log "Summary written to $RESULTS/summary.md"
