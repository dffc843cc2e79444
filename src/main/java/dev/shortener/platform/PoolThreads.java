package dev.shortener.platform;

import com.zaxxer.hikari.HikariConfig;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The threads HikariCP starts for one pool, so that {@link PoolReconnect} finds that pool's
 * connection adder, and no other pool's, when it pauses between failed connects (ADR 0019).
 */
final class PoolThreads implements ThreadFactory {

    /** The class whose {@code call} is HikariCP's connection adder, and where it sleeps. */
    private static final String ADDER = "com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator";

    private static final String PAUSE = "com.zaxxer.hikari.util.UtilityElf";

    private final HikariConfig pool;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger created = new AtomicInteger();

    private PoolThreads(HikariConfig pool) {
        this.pool = pool;
    }

    /** Makes {@code pool} start its threads here (before the pool starts). */
    static void install(HikariConfig pool) {
        pool.setThreadFactory(new PoolThreads(pool));
    }

    @Override
    public Thread newThread(Runnable work) {
        threads.removeIf(thread -> !thread.isAlive());
        // HikariCP names its own threads by role; through a factory it leaves the name to it
        Thread thread = new Thread(work, pool.getPoolName() + " hikari-" + created.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
        return thread;
    }

    /** The connection adder when it sleeps in HikariCP's pause (or the 30 ms after an add), else null. */
    @Nullable
    Thread pausingAdder() {
        for (Thread thread : threads) {
            if (thread.getState() == Thread.State.TIMED_WAITING && pausing(thread.getStackTrace())) {
                return thread;
            }
        }
        return null;
    }

    private static boolean pausing(StackTraceElement[] stack) {
        return Arrays.stream(stack).anyMatch(frame -> PAUSE.equals(frame.getClassName()))
                && Arrays.stream(stack).anyMatch(frame -> ADDER.equals(frame.getClassName()));
    }
}
