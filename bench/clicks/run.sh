#!/usr/bin/env bash
# PostgreSQL's cost per click by COPY batch size: the same Zipf clicks, as the click loader sends
# them, written batch by batch into the app's schema (indexes in place, the rollup folded as the
# service folds it): narrow rows of events whose texts are ids of click_texts (ADR 0018), copied into
# the partition the id sequence points into (V31). BENCH_TEXTS=warm (default)
# fills the dictionary with the clicks' texts first, untimed, as a loader that met them before finds
# them in memory; cold times each batch's insert of the texts it is the first to use, as the loader
# adds them.
# Usage: bench/clicks/run.sh        (settings: environment variables, see README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${BENCH_DB:=shortener_bench_clicks}"
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"
# shellcheck source=zipf-clicks.sh
source "$HERE/zipf-clicks.sh"

: "${BENCH_CLICKS:=250000}"
: "${BENCH_LINKS:=100000}"
: "${BENCH_USERS:=1000}"
: "${BENCH_ZIPF_S:=1.0}"
: "${BENCH_SEED:=1}"
: "${BENCH_BATCH_SIZES:=250 500 1000 2000}"
: "${BENCH_ROUNDS:=2}"
: "${BENCH_PREFILL:=0}"
: "${BENCH_TEXTS:=warm}"
: "${BENCH_FOLD_EVERY:=50000}"
: "${BENCH_REFERRERS:=0}"
: "${BENCH_AGENTS:=0}"
[[ "$BENCH_TEXTS" == warm || "$BENCH_TEXTS" == cold ]] || die "BENCH_TEXTS is warm or cold, not $BENCH_TEXTS"

require psql awk split

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_ROOT/results/clicks-$STAMP"
mkdir -p "$RESULTS"
WORK="$(mktemp -d /tmp/shortener-clicks-bench.XXXXXX)"
trap 'psql_bench -d postgres -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

migrated_database "$BENCH_DB"
log "Schema of $(ls "$REPO_ROOT"/src/main/resources/db/migration/V*.sql | wc -l) migrations in $BENCH_DB"

log "Generating $BENCH_CLICKS clicks (Zipf s=$BENCH_ZIPF_S over $BENCH_LINKS links)"
zipf_clicks "$WORK/clicks.csv" /dev/null "$WORK/rows.csv" "$WORK/texts.csv"
# click_texts rows as SQL values, with the number of the first click that uses each
awk -F, -v OFS=, '{ n = $1; id = $2; sub(/^[^,]*,[^,]*,/, ""); gsub(/'"'"'/, "'"'"''"'"'"); print n, "(" id ", '"'"'" $0 "'"'"')" }' \
    "$WORK/texts.csv" >"$WORK/text-values.csv"

{
    echo "# Click COPY benchmark $STAMP"
    echo
    echo "$(machine_facts) · $(psql_bench -d "$BENCH_DB" -Atc 'SELECT version()' | cut -d, -f1)"
    echo "$BENCH_CLICKS clicks, Zipf s=$BENCH_ZIPF_S over $BENCH_LINKS links, $BENCH_REFERRERS referrers, $BENCH_AGENTS user agents, into events already holding $BENCH_PREFILL; dictionary $BENCH_TEXTS; one psql session sends one transaction per batch (the tally, the next id, a binary \\copy into its partition), as one click loader does"
    echo
    echo "| batch size | round | seconds | µs per click |"
    echo "|---|---|---|---|"
} >"$RESULTS/summary.md"

for size in $BENCH_BATCH_SIZES; do
    rm -rf "$WORK/batches" && mkdir "$WORK/batches"
    split -l "$size" -d -a 6 "$WORK/rows.csv" "$WORK/batches/b"
    # in COPY's binary format, as the loader sends narrow rows (NarrowRows), converted untimed
    {
        echo "CREATE TEMP TABLE narrow (url_id bigint, user_id bigint, event_type text, \"timestamp\" timestamp(0),
              short_code_id bigint, original_url_id bigint, referrer_id bigint, user_agent_id bigint);"
        for f in "$WORK"/batches/b*; do
            echo "TRUNCATE narrow;"
            echo "\\copy narrow FROM '$f' (FORMAT csv)"
            echo "\\copy narrow TO '$f.bin' (FORMAT binary)"
        done
    } | psql_bench -d "$BENCH_DB" -q
    # the texts each batch is the first to use, inserted before its COPY as the loader does
    awk -F, -v size="$size" -v dir="$WORK/batches" '{
        file = sprintf("%s/t%06d.sql", dir, int($1 / size))
        sub(/^[^,]*,/, "")
        values[file] = (file in values) ? values[file] ",\n" $0 : $0
    } END {
        for (file in values)
            print "INSERT INTO click_texts (id, text) OVERRIDING SYSTEM VALUE VALUES " values[file] " ON CONFLICT DO NOTHING;" >file
    }' "$WORK/text-values.csv"
    # the service folds the stored clicks into the rollup about every second (ADR 0018): here every
    # BENCH_FOLD_EVERY clicks and after the last, with its time counted
    fold="SELECT fold_clicks((SELECT last_value FROM events_id_seq), 1000000000);"
    copied=0
    # the partition the sequence points into, which the loader finds once and keeps while the next
    # id it reads per batch stays in it
    partition="$(psql_bench -d "$BENCH_DB" -Atc "SELECT click_partition()")"
    # as the loader's transaction: the COPY's ids come from the sequence (V29), the COPY goes into
    # that partition (V31), and the loader tallies the clicks itself
    for f in "$WORK"/batches/b*[0-9]; do
        texts="$WORK/batches/t${f##*/b}.sql"
        [[ "$BENCH_TEXTS" == cold && -f "$texts" ]] && echo "\\i $texts"
        echo "BEGIN;"
        echo "WITH tallied AS (INSERT INTO event_tallies (event_type, events) VALUES ('click', $(wc -l <"$f")))"
        echo "SELECT set_config('shortener.ids_from_sequence', 'on', true), next_event_id();"
        echo "\\copy $partition (url_id, user_id, event_type, \"timestamp\", short_code_id, original_url_id, referrer_id, user_agent_id) FROM '$f.bin' (FORMAT binary)"
        echo "COMMIT;"
        copied=$((copied + size))
        if ((copied >= BENCH_FOLD_EVERY)); then
            echo "$fold"
            copied=0
        fi
    done >"$WORK/copy.sql"
    echo "$fold" >>"$WORK/copy.sql"
    for ((round = 1; round <= BENCH_ROUNDS; round++)); do
        psql_bench -d "$BENCH_DB" -qc "TRUNCATE events, click_counts, click_texts"
        if [[ "$BENCH_TEXTS" == warm ]]; then
            cat "$WORK"/batches/t*.sql | psql_bench -d "$BENCH_DB" -q
            psql_bench -d "$BENCH_DB" -qc "VACUUM ANALYZE click_texts"
        fi
        if ((BENCH_PREFILL > 0)); then
            # Events already stored, their links skewed toward low ids; not counted in click_counts (the
            # folded id moves past them).
            psql_bench -d "$BENCH_DB" -q \
                -c "ALTER TABLE events DISABLE TRIGGER events_count_clicks" \
                -c "INSERT INTO events (url_id, user_id, event_type, \"timestamp\", details)
                    SELECT u, (u - 1) % $BENCH_USERS + 1, 'click', timestamp '2026-11-27 12:00',
                           jsonb_build_object('short_code', 'c' || u, 'original_url', 'https://example.com/articles/' || u,
                                              'referrer', null, 'user_agent', null)
                    FROM (SELECT (($BENCH_LINKS - 1) * power(random(), 3))::bigint + 1 AS u
                          FROM generate_series(1, $BENCH_PREFILL)) picked" \
                -c "ALTER TABLE events ENABLE TRIGGER events_count_clicks" \
                -c "UPDATE click_fold SET folded_id = (SELECT max(id) FROM events)" \
                -c "VACUUM ANALYZE events"
        fi
        psql_bench -d "$BENCH_DB" -qc "CHECKPOINT"
        start=$(date +%s%N)
        psql_bench -d "$BENCH_DB" -f "$WORK/copy.sql" >/dev/null
        end=$(date +%s%N)
        stored="$(psql_bench -d "$BENCH_DB" -Atc "SELECT count(*) - $BENCH_PREFILL || ' ' || (SELECT sum(clicks) FROM click_counts)
            || ' ' || (SELECT sum(events) - $BENCH_PREFILL FROM event_tallies) FROM events")"
        [[ "$stored" == "$BENCH_CLICKS $BENCH_CLICKS $BENCH_CLICKS" ]] \
            || die "stored events, counted clicks and tallied events: $stored, expected $BENCH_CLICKS each"
        awk -v size="$size" -v round="$round" -v ns=$((end - start)) -v n="$BENCH_CLICKS" \
            'BEGIN { printf "| %d | %d | %.2f | %.1f |\n", size, round, ns / 1e9, ns / 1e3 / n }' >>"$RESULTS/summary.md"
        log "batch $size round $round done"
    done
done

cat "$RESULTS/summary.md"
log "Summary written to $RESULTS/summary.md"
