package dev.shortener.platform.observability;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one request did with the database. Requests run one per (virtual) thread, so the state of
 * the current request is a thread-local set and cleared by {@link AccessLogFilter}.
 */
final class RequestStats {

    /** Distinct statement shapes remembered per request, so a huge import cannot grow the map without end. */
    private static final int MAX_SHAPES = 256;

    private static final ThreadLocal<RequestStats> CURRENT = new ThreadLocal<>();

    private int statements;
    private long sqlNanos;
    private @Nullable Map<String, int[]> shapes;

    static RequestStats begin() {
        RequestStats stats = new RequestStats();
        CURRENT.set(stats);
        return stats;
    }

    static void end() {
        CURRENT.remove();
    }

    static @Nullable RequestStats current() {
        return CURRENT.get();
    }

    void record(String sql, long nanos) {
        statements++;
        sqlNanos += nanos;
        if (shapes == null) {
            shapes = new HashMap<>();
        }
        int[] count = shapes.get(sql);
        if (count != null) {
            count[0]++;
        } else if (shapes.size() < MAX_SHAPES) {
            shapes.put(sql, new int[] {1});
        }
    }

    int statements() {
        return statements;
    }

    long sqlNanos() {
        return sqlNanos;
    }

    /** Statement shapes run more than {@code threshold} times, with their counts. */
    Map<String, Integer> repeatedMoreThan(int threshold) {
        if (shapes == null) {
            return Map.of();
        }
        Map<String, Integer> repeated = new LinkedHashMap<>();
        shapes.forEach((sql, count) -> {
            if (count[0] > threshold) {
                repeated.put(sql, count[0]);
            }
        });
        return repeated;
    }
}
