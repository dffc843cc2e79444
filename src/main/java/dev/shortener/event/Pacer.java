package dev.shortener.event;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Holds paced redirects for a given time without a timer for each of them. A timed park of a
 * virtual thread hands a task to the JDK's delay scheduler, whose one thread then wakes for every
 * deadline and, under saturation, takes CPU that the redirects and PostgreSQL need (ADR 0002).
 * Here one ticker thread wakes every half millisecond while anybody waits and releases every
 * waiter whose time is up: a timing wheel with a slot per tick, each waiter in the slot of the
 * tick it waits for.
 *
 * <p>A waiter is released at its tick or later, never earlier. The ticker sleeps, untimed, while
 * nobody waits; the first waiter after a quiet spell wakes it. A waiter that finds its tick passed
 * leaves its entry behind for the ticker's next turn of the wheel, and the ticker may still unpark
 * it: a stray wake-up, which every park in the JDK allows for.
 */
final class Pacer {

    private static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private final long origin = System.nanoTime();
    private final List<ConcurrentLinkedQueue<Waiter>> slots;
    /** Callers inside {@link #pause}; the ticker sleeps while there are none. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** The latest tick whose slot the ticker has emptied (or is emptying). */
    private volatile long releasedTick;

    private volatile @Nullable Thread ticker;

    Pacer(Duration longest) {
        int count = (int) Math.min(Math.ceilDiv(longest.toNanos(), TICK_NANOS) + 2, 1 << 16);
        slots = Stream.generate(ConcurrentLinkedQueue<Waiter>::new).limit(count).toList();
    }

    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long tick;
        volatile boolean released;

        Waiter(long tick) {
            this.tick = tick;
        }
    }

    void start(String name) {
        releasedTick = tickNow();
        Thread thread = Thread.ofPlatform().name(name).daemon().unstarted(this::tickLoop);
        ticker = thread;
        thread.start();
    }

    /** Stops the ticker and releases everyone still waiting. */
    void stop() {
        Thread running = ticker;
        ticker = null;
        if (running != null) {
            LockSupport.unpark(running);
            try {
                running.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        releaseAll();
    }

    /**
     * Returns when {@code nanos} have passed (rounded up to the next tick), the pacer stopped or the
     * caller is interrupted. Without a ticker (before {@link #start} or after {@link #stop}) this is
     * an ordinary timed park.
     */
    void pause(long nanos) {
        Thread running = ticker;
        if (nanos <= 0) {
            return;
        }
        Thread current = Thread.currentThread();
        if (running == null) {
            long deadline = System.nanoTime() + nanos;
            long left;
            while ((left = deadline - System.nanoTime()) > 0 && !current.isInterrupted()) {
                LockSupport.parkNanos(this, left);
            }
            return;
        }
        Waiter waiter = new Waiter(Math.ceilDiv(System.nanoTime() - origin + nanos, TICK_NANOS));
        slot(waiter.tick).add(waiter);
        if (waiting.getAndIncrement() == 0) {
            LockSupport.unpark(running);
        }
        try {
            while (!waiter.released && releasedTick < waiter.tick && ticker != null && !current.isInterrupted()) {
                LockSupport.park(this);
            }
        } finally {
            waiter.released = true;
            waiting.decrementAndGet();
        }
    }

    private ConcurrentLinkedQueue<Waiter> slot(long tick) {
        return slots.get((int) (tick % slots.size()));
    }

    private long tickNow() {
        return (System.nanoTime() - origin) / TICK_NANOS;
    }

    private void tickLoop() {
        try {
            tickWhileCurrent();
        } finally {
            if (ticker == Thread.currentThread()) {
                // failed, not stopped: nobody may go on waiting for a ticker that is gone
                ticker = null;
                releaseAll();
            }
        }
    }

    private void tickWhileCurrent() {
        while (ticker == Thread.currentThread()) {
            if (waiting.get() == 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, TICK_NANOS);
            }
            long now = tickNow();
            // after a quiet spell, one turn of the wheel visits every slot once
            for (long tick = Math.max(releasedTick, now - slots.size()) + 1; tick <= now; tick++) {
                releasedTick = tick;
                release(slot(tick), tick);
            }
        }
    }

    private void releaseAll() {
        releasedTick = Long.MAX_VALUE;
        for (ConcurrentLinkedQueue<Waiter> slot : slots) {
            release(slot, Long.MAX_VALUE);
        }
    }

    /** Unparks the waiters of one slot whose tick is at most {@code tick}; later ones stay. */
    private void release(ConcurrentLinkedQueue<Waiter> slot, long tick) {
        for (Iterator<Waiter> waiters = slot.iterator(); waiters.hasNext(); ) {
            Waiter waiter = waiters.next();
            if (waiter.tick <= tick) {
                waiters.remove();
                if (!waiter.released) {
                    waiter.released = true;
                    LockSupport.unpark(waiter.thread);
                }
            }
        }
    }
}
