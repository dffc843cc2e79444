package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/** How far the journal is in PostgreSQL, told to the flushes that wait for it and to {@link PendingClicks}. */
final class LoadProgress {

    private final PendingClicks pending;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();

    private volatile @Nullable Position loaded;

    LoadProgress(PendingClicks pending) {
        this.pending = pending;
    }

    /** Where loading goes on; null until the loader has read the position stored in PostgreSQL. */
    @Nullable
    Position loaded() {
        return loaded;
    }

    /** Everything in the journal before {@code to} is in PostgreSQL. Called by the one loader thread. */
    void reached(Position to) {
        lock.lock();
        try {
            loaded = to;
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
        pending.stored(to);
    }

    /** The loader stopped: the flushes that wait for it learn so now, not at their timeout. */
    void stopped() {
        lock.lock();
        try {
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until everything before {@code target} is in PostgreSQL; false when {@code timeout}
     * passed first, or when the loader no longer runs ({@code running}, asked at every wake-up).
     */
    boolean await(Position target, Duration timeout, BooleanSupplier running) {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!caughtUpWith(target)) {
                if (left <= 0 || !running.getAsBoolean()) {
                    return false;
                }
                left = progressed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private boolean caughtUpWith(Position target) {
        Position at = loaded;
        return at != null && at.compareTo(target) >= 0;
    }
}
