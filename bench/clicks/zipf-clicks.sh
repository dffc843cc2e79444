# Shared by the click benchmarks (sourced, not run).
# shellcheck shell=bash

# zipf_clicks FILE [NARROW_FILE [ROWS_FILE TEXTS_FILE]]: BENCH_CLICKS rows as the click writers of
# wide rows sent them (url_id,user_id,click,timestamp,details JSON, CSV-quoted), the link of each drawn from a Zipf distribution over
# BENCH_LINKS links. With BENCH_REFERRERS > 0, half the clicks carry one of that many referrers
# (skewed toward the first), and with BENCH_AGENTS > 0 nineteen in twenty carry one of that many
# browser user agents (skewed too); otherwise both are null. NARROW_FILE, if given, gets the same
# clicks as url_id,user_id,timestamp,target id (the link's),referrer id,agent id (empty for none).
# ROWS_FILE gets them as narrow rows of events, as CSV (the loader sends them binary, NarrowRows), with ids
# of click_texts; TEXTS_FILE those texts as click number,id,text, each at the first click that uses it.
zipf_clicks() {
    awk -v n="$BENCH_CLICKS" -v links="$BENCH_LINKS" -v users="$BENCH_USERS" -v s="$BENCH_ZIPF_S" -v seed="$BENCH_SEED" \
        -v referrers="${BENCH_REFERRERS:-0}" -v agents="${BENCH_AGENTS:-0}" -v narrow="${2:-/dev/null}" \
        -v rows="${3:-/dev/null}" -v texts="${4:-/dev/null}" '
    # the text of click_texts id, written to TEXTS_FILE the first time click i uses it
    function text(i, id, value) {
        if (!(id in seen)) { seen[id] = 1; printf "%d,%d,%s\n", i, id, value >texts }
        return id
    }
    BEGIN {
        srand(seed)
        for (k = 1; k <= links; k++) { total += k ^ -s; cdf[k] = total }
        for (r = 1; r <= referrers; r++) ref[r] = sprintf("https://news%03d.example.org/section/%d/story-%d", r % 97, r, r * 7)
        for (a = 1; a <= agents; a++)
            agent[a] = sprintf("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.%d.%d Safari/537.36", 100 + a % 30, 4000 + a, a * 3)
        for (i = 0; i < n; i++) {
            u = rand() * total; lo = 1; hi = links
            while (lo < hi) { mid = int((lo + hi) / 2); if (cdf[mid] < u) lo = mid + 1; else hi = mid }
            r = (referrers > 0 && rand() < 0.5) ? 1 + int(rand() ^ 3 * referrers) : 0
            a = (agents > 0 && rand() < 0.95) ? 1 + int(rand() ^ 2 * agents) : 0
            at = sprintf("2026-11-28 12:%02d:%02d", int(i / 60000) % 60, int(i / 1000) % 60)
            printf "%d,%d,click,%s,\"{\"\"short_code\"\":\"\"c%06d\"\",\"\"original_url\"\":\"\"https://example.com/articles/%d/c%06d\"\",\"\"referrer\"\":%s,\"\"user_agent\"\":%s}\"\n", \
                lo, (lo - 1) % users + 1, at, lo, lo, lo, r ? "\"\"" ref[r] "\"\"" : "null", a ? "\"\"" agent[a] "\"\"" : "null"
            printf "%d,%d,%s,%d,%s,%s\n", lo, (lo - 1) % users + 1, at, lo, r ? r : "", a ? a : "" >narrow
            if (rows != "/dev/null") {
                printf "%d,%d,click,%s,%d,%d,%s,%s\n", lo, (lo - 1) % users + 1, at,
                    text(i, lo, sprintf("c%06d", lo)), text(i, links + lo, sprintf("https://example.com/articles/%d/c%06d", lo, lo)),
                    r ? text(i, 2 * links + r, ref[r]) : "", a ? text(i, 2 * links + referrers + a, agent[a]) : "" >rows
            }
        }
    }' >"$1"
}
