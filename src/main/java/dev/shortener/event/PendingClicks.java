package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The links whose latest click may not be in PostgreSQL yet, so that a read of one link's events
 * waits for the click pipeline only when that link may have such a click, and a read of most other
 * links never does (ADR 0010).
 *
 * <p>Each drain of the click queue into the journal starts a new generation. A queued click marks
 * its link's slot with the generation under way; a slot keeps the newest mark. The queue is first
 * in, first out, so once the drain that ended generation {@code g} is loaded, every click marked
 * {@code g} or earlier is stored. Links share slots: a link may be reported pending because another
 * one in its slot is, which costs its read a flush, never a missed click. On the redirect path a
 * click costs a read of two volatile longs, and a write only when its slot's mark is older.
 */
final class PendingClicks {

    /** A drain of the queue that ended generation {@code generation}, synced up to {@code end}. */
    private record Drain(long generation, Position end) {}

    /** While PostgreSQL takes nothing, later drains are not remembered; links are then forgotten at the next one. */
    private static final int DRAINS_MAX = 10_000;

    /** 512 KiB; a few thousand links with clicks on their way make a false "pending" rare. */
    private static final int SLOT_BITS = 16;

    /** Per slot, the newest generation in which a click of one of its links was queued. */
    private final AtomicLongArray marks = new AtomicLongArray(1 << SLOT_BITS);

    /** Clicks queued now go to a drain that has not begun. Written only by drains, under the writer's lock. */
    private volatile long generation = 1;

    /** Every click marked with this generation or an earlier one is in PostgreSQL. */
    private volatile long stored;

    private final ConcurrentLinkedQueue<Drain> drains = new ConcurrentLinkedQueue<>();
    private final AtomicInteger drainCount = new AtomicInteger();

    /** After the queue took a click of {@code urlId}: the mark is read after the offer, so no later drain misses it. */
    void queued(long urlId) {
        int slot = slot(urlId);
        long current = generation;
        long mark = marks.get(slot);
        while (mark < current) {
            long witness = marks.compareAndExchange(slot, mark, current);
            if (witness == mark) {
                return;
            }
            mark = witness;
        }
    }

    /** Whether a click of {@code urlId} may not be in PostgreSQL yet. */
    boolean pending(long urlId) {
        return marks.get(slot(urlId)) > stored;
    }

    /**
     * Before a drain takes what is queued: ends the generation under way and returns it. Called
     * only under the journal writer's lock, so drains and generations keep one order.
     */
    long draining() {
        long ending = generation;
        generation = ending + 1;
        return ending;
    }

    /** The drain that ended {@code generation} is in the journal up to {@code end}. */
    void drained(long generation, Position end) {
        if (drainCount.get() < DRAINS_MAX) {
            drains.add(new Drain(generation, end));
            drainCount.incrementAndGet();
        }
    }

    /** Everything in the journal before {@code loaded} is in PostgreSQL. Called by the one loader thread. */
    void stored(Position loaded) {
        for (Drain drain = drains.peek(); drain != null && drain.end().compareTo(loaded) <= 0; drain = drains.peek()) {
            drains.poll();
            drainCount.decrementAndGet();
            stored = drain.generation();
        }
    }

    /** The top bits of a Fibonacci hash: consecutive ids, as links get them, spread over every slot. */
    private static int slot(long urlId) {
        return (int) ((urlId * 0x9E3779B97F4A7C15L) >>> (Long.SIZE - SLOT_BITS));
    }
}
