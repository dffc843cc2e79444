package dev.shortener.redirect;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal circuit breaker for Redis on the redirect path. Closed, every call goes to Redis;
 * after {@code threshold} consecutive failures it opens and callers skip Redis entirely (one
 * volatile read), so a dead or slow Redis costs the hot path nothing. It never half-opens on a
 * request thread: a background probe closes it when Redis answers again.
 */
final class RedisCircuit {

    private final int threshold;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile boolean open;

    RedisCircuit(int threshold) {
        this.threshold = threshold;
    }

    boolean isOpen() {
        return open;
    }

    void success() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /** Counts a failed call; true when this failure opened the circuit. */
    boolean failure() {
        if (consecutiveFailures.incrementAndGet() >= threshold && !open) {
            synchronized (this) {
                if (!open) {
                    open = true;
                    return true;
                }
            }
        }
        return false;
    }

    /** Closes after a successful probe; true when it was open. */
    boolean close() {
        consecutiveFailures.set(0);
        synchronized (this) {
            boolean wasOpen = open;
            open = false;
            return wasOpen;
        }
    }
}
