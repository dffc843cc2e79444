package dev.shortener.event;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * The click sink's round trips to PostgreSQL, timed: the pacer slows redirects only while they
 * answer quickly, since slowing redirects cannot speed up a slow network or server (ADR 0002).
 */
final class RoundTrips {

    /** A round trip slower than this is a network or a server that slowing redirects cannot speed up. */
    private static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /** A call that waits for PostgreSQL's answer. */
    @FunctionalInterface
    interface RoundTrip<T> {
        T call() throws SQLException;
    }

    private volatile long lastNanos;
    /** {@link System#nanoTime()} at which the round trip under way began; 0 between round trips. */
    private volatile long since;

    /** Whether the latest round trip, and the one under way so far, were quick. */
    boolean quick() {
        long began = since;
        return lastNanos < SLOW_NANOS && (began == 0 || System.nanoTime() - began < SLOW_NANOS);
    }

    /** Makes one round trip, timing it. */
    <T> T make(RoundTrip<T> call) throws SQLException {
        return timed(call, true);
    }

    /**
     * A call that may or may not wait for PostgreSQL (a pool's connection: at once, or after the pool
     * validated or opened one): timed as under way, so that a slow network stops pacing then, and
     * recorded only when slow, since one that returned at once says nothing of the network.
     */
    <T> T maybe(RoundTrip<T> call) throws SQLException {
        return timed(call, false);
    }

    private <T> T timed(RoundTrip<T> call, boolean recordFast) throws SQLException {
        long start = System.nanoTime();
        since = start;
        try {
            return call.call();
        } finally {
            since = 0;
            long took = System.nanoTime() - start;
            if (recordFast || took >= SLOW_NANOS) {
                lastNanos = took;
            }
        }
    }
}
