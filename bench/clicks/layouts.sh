#!/usr/bin/env bash
# PostgreSQL's work per stored click by storage layout (issue 23 asks for half of `events`'), the
# same Zipf clicks in batches of BENCH_BATCH (the loader's 4,000 by default) from one psql session,
# layouts interleaved round by round:
#   events       the app's schema as migrated, clicks stored wide as before V28 (run.sh stores them
#                narrow, as the loader does): a row with jsonb details, three btrees on the
#                insert, the per-statement rollup trigger (click_counts, totals queue, tallies)
#   narrow       a monthly-partitioned table of ids: link, user, time, and dictionary ids for the
#                target, referrer and agent (details rebuilt from them); btrees on (id),
#                (url_id, id) and (user_id, id); the same rollup in a statement trigger
#   narrow-fold  the same table without the trigger: the rollup is folded from the table by id
#                every BENCH_FOLD_EVERY clicks, and the folds' time is counted
#   narrow-fold-no-user-index  narrow-fold without the (user_id, id) btree
#   events-without-rollup  `events` as migrated without its rollup trigger (click_counts and the
#                totals queue; the tallies stay): what the rollup costs in the insert, not a layout
#                that could be kept (its rollup is not counted)
#   events-delta  the app's `events`, its (user_id, id) btree without clicks, and the statement
#                trigger appending each statement's per-link-day-referrer counts to an unindexed
#                table instead of upserting click_counts; every BENCH_FOLD_EVERY clicks one
#                transaction folds those deltas into click_counts, and the folds' time is counted
# Usage: bench/clicks/layouts.sh        (settings: environment variables, see README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${BENCH_DB:=shortener_bench_click_layouts}"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"
# shellcheck source=zipf-clicks.sh
source "$HERE/zipf-clicks.sh"

: "${BENCH_CLICKS:=500000}"
: "${BENCH_LINKS:=100000}"
: "${BENCH_USERS:=1000}"
: "${BENCH_ZIPF_S:=1.0}"
: "${BENCH_SEED:=1}"
: "${BENCH_ROUNDS:=3}"
: "${BENCH_FOLD_EVERY:=50000}"
: "${BENCH_BATCH:=4000}"
: "${BENCH_LAYOUTS:=events narrow narrow-fold narrow-fold-no-user-index events-delta}"

require psql awk split sort
((BENCH_BATCH >= 1 && BENCH_FOLD_EVERY >= 1)) || die "BENCH_BATCH and BENCH_FOLD_EVERY must be positive"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_ROOT/results/click-layouts-$STAMP"
mkdir -p "$RESULTS"
WORK="$(mktemp -d /tmp/shortener-click-layouts.XXXXXX)"
trap 'psql_bench -d postgres -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

# the schema the layouts were compared on: V29 folds the rollup and V30 keys it by referrer id, which
# the layouts below build for themselves (ADR 0018)
migrated_database "$BENCH_DB" 28
psql_bench -d "$BENCH_DB" <<'SQL'
CREATE TABLE clicks (
    id          bigint       NOT NULL
        DEFAULT CASE WHEN pg_current_xact_id() IS NOT NULL THEN nextval('events_id_seq'::regclass) END,
    url_id      bigint       NOT NULL,
    user_id     bigint,
    at          timestamp(0) NOT NULL,
    target_id   int          NOT NULL,
    referrer_id int,
    agent_id    int
) PARTITION BY RANGE (at);
CREATE TABLE clicks_2026_11 PARTITION OF clicks FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
CREATE TABLE clicks_2026_12 PARTITION OF clicks FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
CREATE INDEX clicks_id_idx ON clicks (id);
CREATE INDEX clicks_url_id_idx ON clicks (url_id, id);
CREATE TABLE narrow_click_counts (
    url_id bigint NOT NULL, day date NOT NULL, referrer_id int NOT NULL, clicks bigint NOT NULL,
    PRIMARY KEY (url_id, day, referrer_id));
CREATE TABLE folded (up_to bigint NOT NULL);

CREATE FUNCTION count_narrow_clicks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH counted AS (
        SELECT url_id, at::date AS day, coalesce(referrer_id, 0) AS referrer_id, count(*) AS clicks
        FROM new_clicks GROUP BY 1, 2, 3
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks) SELECT url_id, sum(clicks) FROM counted GROUP BY url_id
    ), tallied AS (
        INSERT INTO event_tallies (event_type, events) SELECT 'click', count(*) FROM new_clicks
    )
    INSERT INTO narrow_click_counts AS c (url_id, day, referrer_id, clicks)
    SELECT url_id, day, referrer_id, clicks FROM counted ORDER BY 1, 2, 3
    ON CONFLICT (url_id, day, referrer_id) DO UPDATE SET clicks = c.clicks + excluded.clicks;
    RETURN NULL;
END
$$;
CREATE TRIGGER clicks_count AFTER INSERT ON clicks
    REFERENCING NEW TABLE AS new_clicks FOR EACH STATEMENT EXECUTE FUNCTION count_narrow_clicks();

CREATE TABLE click_count_deltas (url_id bigint NOT NULL, day date NOT NULL, referrer text NOT NULL, user_id bigint, clicks bigint NOT NULL);
CREATE FUNCTION append_click_deltas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH counted AS (
        SELECT url_id, "timestamp"::date AS day, coalesce(details ->> 'referrer', '') AS referrer, user_id,
               count(*) AS clicks
        FROM new_events WHERE event_type = 'click' GROUP BY 1, 2, 3, 4
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks) SELECT url_id, sum(clicks) FROM counted GROUP BY url_id
    )
    INSERT INTO click_count_deltas SELECT url_id, day, referrer, user_id, clicks FROM counted;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_click_deltas AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION append_click_deltas();
ALTER TABLE events DISABLE TRIGGER events_click_deltas;
SQL
# The fold: the same rollup over every click above the last folded id, in one transaction.
FOLD="BEGIN;
CREATE TEMP TABLE fold ON COMMIT DROP AS
    SELECT url_id, at::date AS day, coalesce(referrer_id, 0) AS referrer_id, count(*) AS clicks, max(id) AS up_to
    FROM clicks WHERE id > (SELECT coalesce(max(up_to), 0) FROM folded) GROUP BY 1, 2, 3;
INSERT INTO click_totals_queue (url_id, clicks) SELECT url_id, sum(clicks) FROM fold GROUP BY url_id;
INSERT INTO event_tallies (event_type, events) SELECT 'click', sum(clicks) FROM fold HAVING count(*) > 0;
INSERT INTO narrow_click_counts AS c (url_id, day, referrer_id, clicks)
    SELECT url_id, day, referrer_id, clicks FROM fold ORDER BY 1, 2, 3
    ON CONFLICT (url_id, day, referrer_id) DO UPDATE SET clicks = c.clicks + excluded.clicks;
INSERT INTO folded SELECT max(up_to) FROM fold HAVING count(*) > 0;
COMMIT;"

log "Generating $BENCH_CLICKS clicks (Zipf s=$BENCH_ZIPF_S over $BENCH_LINKS links)"
# the narrow rows: url_id,user_id,timestamp,target id (one per link here),referrer id,agent id
zipf_clicks "$WORK/clicks.csv" "$WORK/narrow.csv"
mkdir "$WORK/wide" "$WORK/narrow"
split -l "$BENCH_BATCH" -d -a 6 "$WORK/clicks.csv" "$WORK/wide/b"
split -l "$BENCH_BATCH" -d -a 6 "$WORK/narrow.csv" "$WORK/narrow/b"
for f in "$WORK"/wide/b*; do
    echo "\\copy events (url_id, user_id, event_type, \"timestamp\", details) FROM '$f' (FORMAT csv)"
done >"$WORK/events.sql"
for f in "$WORK"/narrow/b*; do
    echo "\\copy clicks (url_id, user_id, at, target_id, referrer_id, agent_id) FROM '$f' (FORMAT csv)"
done >"$WORK/narrow.sql"
# a fold after the batch that reaches each multiple of BENCH_FOLD_EVERY clicks
awk -v batch="$BENCH_BATCH" -v every="$BENCH_FOLD_EVERY" -v fold="$FOLD" '{ print } NR * batch % every < batch { print fold }' \
    "$WORK/narrow.sql" >"$WORK/narrow-fold.sql"
echo "$FOLD" >>"$WORK/narrow-fold.sql"
# The deltas' fold: every delta row it sees, summed into click_counts, in one transaction.
DELTA_FOLD="WITH taken AS (DELETE FROM click_count_deltas RETURNING url_id, day, referrer, user_id, clicks)
INSERT INTO click_counts AS c (url_id, day, referrer, user_id, clicks)
    SELECT url_id, day, referrer, user_id, sum(clicks) FROM taken GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (url_id, day, referrer, user_id) DO UPDATE SET clicks = c.clicks + excluded.clicks;"
awk -v batch="$BENCH_BATCH" -v every="$BENCH_FOLD_EVERY" -v fold="$DELTA_FOLD" '{ print } NR * batch % every < batch { print fold }' \
    "$WORK/events.sql" >"$WORK/events-delta.sql"
echo "$DELTA_FOLD" >>"$WORK/events-delta.sql"

prepare() {
    local user_index="CREATE INDEX IF NOT EXISTS clicks_user_id_idx ON clicks (user_id, id);"
    local events_as_migrated="ALTER TABLE events ENABLE TRIGGER events_count_clicks;
        ALTER TABLE events DISABLE TRIGGER events_click_deltas; DROP INDEX events_user_id_idx;
        CREATE INDEX events_user_id_idx ON events (user_id, id);"
    case "$1" in
        events) echo "$events_as_migrated" ;;
        events-without-rollup) echo "$events_as_migrated ALTER TABLE events DISABLE TRIGGER events_count_clicks;" ;;
        events-delta)
            echo "ALTER TABLE events DISABLE TRIGGER events_count_clicks; ALTER TABLE events ENABLE TRIGGER events_click_deltas;
                DROP INDEX events_user_id_idx; CREATE INDEX events_user_id_idx ON events (user_id, id) WHERE event_type <> 'click';"
            ;;
        narrow) echo "$events_as_migrated ALTER TABLE clicks ENABLE TRIGGER clicks_count; $user_index" ;;
        narrow-fold) echo "$events_as_migrated ALTER TABLE clicks DISABLE TRIGGER clicks_count; $user_index" ;;
        narrow-fold-no-user-index)
            echo "$events_as_migrated ALTER TABLE clicks DISABLE TRIGGER clicks_count; DROP INDEX IF EXISTS clicks_user_id_idx;"
            ;;
        *) die "unknown layout $1" ;;
    esac
}

{
    echo "# Click storage layouts $STAMP"
    echo
    echo "$(machine_facts) · $(psql_bench -d "$BENCH_DB" -Atc 'SELECT version()' | cut -d, -f1)"
    echo "$BENCH_CLICKS clicks, Zipf s=$BENCH_ZIPF_S over $BENCH_LINKS links, batches of $BENCH_BATCH from one psql session (autocommit); folds every $BENCH_FOLD_EVERY clicks; ${BENCH_REFERRERS:-0} referrers, ${BENCH_AGENTS:-0} user agents"
    echo
    echo "| layout | round | seconds | µs per click |"
    echo "|---|---|---|---|"
} >"$RESULTS/summary.md"

read -ra LAYOUTS <<<"$BENCH_LAYOUTS"
for ((round = 1; round <= BENCH_ROUNDS; round++)); do
    # each round starts one layout later, so that none always runs first
    for ((k = 0; k < ${#LAYOUTS[@]}; k++)); do
        layout="${LAYOUTS[(k + round - 1) % ${#LAYOUTS[@]}]}"
        psql_bench -d "$BENCH_DB" -c "SET client_min_messages = warning" \
            -c "TRUNCATE events, click_counts, click_totals_queue, event_tallies, clicks, narrow_click_counts, folded, click_count_deltas" \
            -c "$(prepare "$layout")" -c "VACUUM" -c "CHECKPOINT"
        script="$WORK/$layout.sql"
        [[ "$layout" == narrow-fold-no-user-index ]] && script="$WORK/narrow-fold.sql"
        [[ "$layout" == events-without-rollup ]] && script="$WORK/events.sql"
        start=$(date +%s%N)
        psql_bench -d "$BENCH_DB" -f "$script" >/dev/null
        end=$(date +%s%N)
        stored="$(psql_bench -d "$BENCH_DB" -Atc "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM clicks)
            || ' ' || (SELECT coalesce(sum(clicks), 0) FROM click_counts) + (SELECT coalesce(sum(clicks), 0) FROM narrow_click_counts)
            || ' ' || (SELECT sum(events) FROM event_tallies)")"
        [[ "$layout" == events-without-rollup ]] && stored="${stored/ 0 / $BENCH_CLICKS }"
        [[ "$stored" == "$BENCH_CLICKS $BENCH_CLICKS $BENCH_CLICKS" ]] \
            || die "$layout: stored, rolled up and tallied $stored, expected $BENCH_CLICKS each"
        awk -v layout="$layout" -v round="$round" -v ns=$((end - start)) -v n="$BENCH_CLICKS" \
            'BEGIN { printf "| %s | %d | %.2f | %.2f |\n", layout, round, ns / 1e9, ns / 1e3 / n }' \
            | tee -a "$RESULTS/summary.md" >>"$WORK/rounds.md"
        log "$layout round $round done"
    done
done

{
    echo
    echo "| layout | median µs per click | against events |"
    echo "|---|---|---|"
    for layout in $BENCH_LAYOUTS; do
        grep "^| $layout |" "$WORK/rounds.md" | awk -F'|' '{ print $5 + 0 }' | sort -n \
            | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
    done | paste -d' ' <(tr ' ' '\n' <<<"$BENCH_LAYOUTS") - | awk 'NR == 1 { base = $2 } { printf "| %s | %.2f | %.2fx |\n", $1, $2, $2 / base }'
} >>"$RESULTS/summary.md"

cat "$RESULTS/summary.md"
log "Summary written to $RESULTS/summary.md"
