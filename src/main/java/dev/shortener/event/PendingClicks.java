package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The links whose latest click may not be in PostgreSQL yet, so that a read of one link's events
 * waits for the click pipeline only when that link has such a click, and a read of any other link
 * never does (ADR 0010).
 *
 * <p>A link is forgotten once a drain of the click queue that began after its latest click was
 * queued has been loaded: the queue is first in, first out, so that drain or an earlier one took
 * the click. A link still listed after that (its entry outlived a drain) only costs a read a
 * flush that finds nothing to wait for.
 */
final class PendingClicks {

    /** A drain of the queue: begun at {@code startedAt} ({@link System#nanoTime()}), synced up to {@code end}. */
    private record Drain(long startedAt, Position end) {}

    /** While PostgreSQL takes nothing, later drains are not remembered; links are then forgotten at the next one. */
    private static final int DRAINS_MAX = 10_000;

    /** Link id to when its latest click was queued ({@link System#nanoTime()}). */
    private final ConcurrentHashMap<Long, Long> latest = new ConcurrentHashMap<>();

    private final ConcurrentLinkedQueue<Drain> drains = new ConcurrentLinkedQueue<>();
    private final AtomicInteger drainCount = new AtomicInteger();

    /** After the queue took a click of {@code urlId}. */
    void queued(long urlId) {
        latest.put(urlId, System.nanoTime());
    }

    /** Whether a click of {@code urlId} may not be in PostgreSQL yet. */
    boolean pending(long urlId) {
        return latest.containsKey(urlId);
    }

    /**
     * A drain that began at {@code startedAt} ({@link System#nanoTime()}, taken before it) is in the
     * journal up to {@code end}.
     */
    void drained(long startedAt, Position end) {
        if (drainCount.get() < DRAINS_MAX) {
            drains.add(new Drain(startedAt, end));
            drainCount.incrementAndGet();
        }
    }

    /** Everything in the journal before {@code loaded} is in PostgreSQL. Called by the one loader thread. */
    void stored(Position loaded) {
        long before = 0;
        boolean any = false;
        for (Drain drain = drains.peek(); drain != null && drain.end().compareTo(loaded) <= 0; drain = drains.peek()) {
            drains.poll();
            drainCount.decrementAndGet();
            before = drain.startedAt();
            any = true;
        }
        if (any) {
            long storedBefore = before;
            // removes an entry only if it still holds the time it was read with: a newer click stays
            latest.values().removeIf(queuedAt -> queuedAt - storedBefore < 0);
        }
    }
}
