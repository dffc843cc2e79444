# Shared by the click benchmarks (sourced, not run).
# shellcheck shell=bash

# zipf_clicks FILE: BENCH_CLICKS rows as the click writers send them (url_id,user_id,click,timestamp,
# details JSON, CSV-quoted), the link of each drawn from a Zipf distribution over BENCH_LINKS links.
zipf_clicks() {
    awk -v n="$BENCH_CLICKS" -v links="$BENCH_LINKS" -v users="$BENCH_USERS" -v s="$BENCH_ZIPF_S" -v seed="$BENCH_SEED" 'BEGIN {
        srand(seed)
        for (k = 1; k <= links; k++) { total += k ^ -s; cdf[k] = total }
        for (i = 0; i < n; i++) {
            u = rand() * total; lo = 1; hi = links
            while (lo < hi) { mid = int((lo + hi) / 2); if (cdf[mid] < u) lo = mid + 1; else hi = mid }
            printf "%d,%d,click,2026-11-28 12:%02d:%02d,\"{\"\"short_code\"\":\"\"c%06d\"\",\"\"original_url\"\":\"\"https://example.com/articles/%d/c%06d\"\",\"\"referrer\"\":null,\"\"user_agent\"\":null}\"\n", \
                lo, (lo - 1) % users + 1, int(i / 60000) % 60, int(i / 1000) % 60, lo, lo, lo
        }
    }' >"$1"
}
