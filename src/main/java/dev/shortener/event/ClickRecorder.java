package dev.shortener.event;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Records one {@code click} event per successful redirect without making the redirect wait for
 * PostgreSQL: clicks go to a bounded in-memory queue that {@code writers} threads empty in batches,
 * each batch one COPY on the thread's own connection, every {@code flush-interval} or
 * {@code batch-size} clicks. One writer by default: on a machine whose cores PostgreSQL shares with
 * the redirects, one COPY at a time leaves them a core (ADR 0002); more writers let a PostgreSQL
 * with cores of its own work on several batches at once.
 *
 * <p>Guarantees: {@link #flush()} returns when every click recorded before the call is committed;
 * stopping the application context writes everything still queued (the recorder stops after the
 * web server and before the DataSource closes); a full queue makes the caller wait briefly and
 * then write its click itself, so clicks are never dropped to save time. A batch that keeps
 * failing is retried, then counted in {@code shortener.clicks.lost} and logged; a retry first asks
 * PostgreSQL whether the failed attempt committed after all, so a lost answer to COMMIT does not
 * store the batch twice. A crash of the JVM
 * loses what is queued at that moment (at most about one flush interval of clicks in normal
 * operation); see docs/adr/0002-click-pipeline.md.
 */
@Component
public class ClickRecorder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClickRecorder.class);

    /** Stops after the web server (which stops at DEFAULT_PHASE - 2048) has finished its requests. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** A click's row is about this long; buffers start at this many bytes a click. */
    private static final int ROW_BYTES = 192;

    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final String COPY =
            "COPY events (url_id, user_id, event_type, \"timestamp\", details) FROM STDIN (FORMAT csv)";
    private static final String CURRENT_TRANSACTION = "SELECT pg_current_xact_id()::text";
    private static final String TRANSACTION_STATUS = "SELECT pg_xact_status(?::xid8)";

    private final DataSource dataSource;
    private final ClickSettings settings;
    private final ArrayBlockingQueue<Click> queue;
    /** Writers hold it shared while they take and write a batch; {@link #flush()} holds it alone. */
    private final ReentrantReadWriteLock writing = new ReentrantReadWriteLock();

    private final List<Thread> writers = new CopyOnWriteArrayList<>();
    private final Counter queued;
    private final Counter flushed;
    private final Counter lost;
    private final Counter writtenByCallers;
    private final Counter paced;
    private final long paceMaxNanos;
    private final int paceFrom;
    private final Pacer pacer;
    private final DistributionSummary batchSizes;
    private final Timer lag;

    private volatile boolean running;
    private volatile boolean stopped;

    ClickRecorder(DataSource dataSource, ClickSettings settings, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.queued = counter(meters, "shortener.clicks.queued", "Clicks handed to the in-memory queue");
        this.flushed = counter(meters, "shortener.clicks.flushed", "Clicks committed to the events table");
        this.lost = counter(
                meters, "shortener.clicks.lost", "Clicks that could not be written after every retry (alert on any)");
        this.writtenByCallers = counter(
                meters,
                "shortener.clicks.written.by.callers",
                "Clicks that a redirect wrote itself because the queue stayed full");
        this.paced = counter(
                meters, "shortener.clicks.paced", "Redirects slowed down because the click queue was filling up");
        this.paceMaxNanos = settings.paceMax().toNanos();
        this.paceFrom = settings.queueCapacity() / 2;
        this.pacer = new Pacer(settings.paceMax());
        this.batchSizes = DistributionSummary.builder("shortener.clicks.batch.size")
                .description("Clicks per COPY")
                .register(meters);
        this.lag = Timer.builder("shortener.clicks.lag")
                .description("From the redirect to the commit of its click")
                .register(meters);
        Gauge.builder("shortener.clicks.queue.depth", queue, ArrayBlockingQueue::size)
                .description("Clicks waiting to be written")
                .register(meters);
    }

    private static Counter counter(MeterRegistry meters, String name, String description) {
        return Counter.builder(name).description(description).register(meters);
    }

    /**
     * Hands over the click of one redirect. Returns at once while the writers keep up; once they
     * fall behind the caller is paced (see {@link #pace()}); a full queue
     * makes it wait, then write its click itself.
     */
    public void record(Click click) {
        if (!stopped && queue.offer(click)) {
            queued.increment();
            if (stopped) {
                // stop() may have drained the queue just before this click arrived
                flush();
            }
            pace();
            return;
        }
        recordUnderPressure(click);
    }

    /**
     * Back-pressure that slows every redirect a little instead of stopping some of them for a long
     * time: past half the queue's capacity (about half a second of clicks at the default settings and
     * 20,000 redirects/s: the writers are really behind, not just between two batches) the caller
     * sleeps in proportion to the backlog, up to {@code pace-max} when the queue is full (held by the
     * {@link Pacer}, whose one thread releases them all, rather than by a timer each). Clients that wait for their answers then send
     * fewer requests, the backlog settles where the writers keep up, and the queue rarely fills
     * (which would make whole batches of redirects wait for the next COPY).
     */
    private void pace() {
        int depth = queue.size();
        if (depth > paceFrom && paceMaxNanos > 0) {
            paced.increment();
            pacer.pause(paceMaxNanos * (depth - paceFrom) / (settings.queueCapacity() - paceFrom));
        }
    }

    private void recordUnderPressure(Click click) {
        if (!stopped) {
            try {
                if (queue.offer(click, settings.offerTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                    queued.increment();
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // The writers cannot keep up (or have stopped): this caller pays for the write rather than lose the click.
        writtenByCallers.increment();
        write(List.of(click), new CopyText(ROW_BYTES));
    }

    /** Returns when every click recorded before this call is committed (or counted as lost). */
    public void flush() {
        writing.writeLock().lock();
        try {
            // Batches the writers took earlier were committed before they released their share of the lock.
            int remaining = queue.size();
            List<Click> batch = new ArrayList<>(Math.min(remaining, settings.batchSize()));
            CopyText text = new CopyText(Math.min(remaining, settings.batchSize()) * ROW_BYTES);
            while (remaining > 0) {
                int taken = queue.drainTo(batch, Math.min(settings.batchSize(), remaining));
                if (taken == 0) {
                    break;
                }
                remaining -= taken;
                write(batch, text);
                batch.clear();
            }
        } finally {
            writing.writeLock().unlock();
        }
    }

    private void writeLoop() {
        List<Click> batch = new ArrayList<>(settings.batchSize());
        CopyText text = new CopyText(settings.batchSize() * ROW_BYTES);
        while (running) {
            try {
                if (queue.isEmpty()) {
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                } else {
                    linger();
                    writeBatch(batch, text);
                }
            } catch (RuntimeException e) {
                log.error("Click writer failed; it carries on", e);
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Lets a batch fill for up to one flush interval after its first click. An idle writer sleeps at
     * most {@code IDLE_PARK_NANOS} (nobody wakes it: that would cost every redirect), so after a
     * quiet spell a click waits at most that plus one flush interval.
     */
    private void linger() {
        long deadline = System.nanoTime() + settings.flushInterval().toNanos();
        long remaining;
        while (running && queue.size() < settings.batchSize() && (remaining = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, remaining);
        }
    }

    private void writeBatch(List<Click> batch, CopyText text) {
        writing.readLock().lock();
        try {
            if (queue.drainTo(batch, settings.batchSize()) > 0) {
                write(batch, text);
            }
        } finally {
            writing.readLock().unlock();
        }
    }

    private void write(List<Click> batch, CopyText text) {
        encode(batch, text);
        long backoff = settings.retryBackoff().toMillis();
        Transaction written = new Transaction();
        for (int attempt = 1; ; attempt++) {
            try {
                String earlier = written.id;
                if (earlier == null || !committedEarlier(earlier)) {
                    written.id = null;
                    insert(text, written);
                }
                committed(batch);
                return;
            } catch (RuntimeException e) {
                if (attempt >= settings.retryAttempts()) {
                    lost.increment(batch.size());
                    log.error(
                            "Lost {} clicks after {} attempts to write them: {}", batch.size(), attempt, e.toString());
                    return;
                }
                log.warn("Writing {} clicks failed (attempt {}), retrying: {}", batch.size(), attempt, e.toString());
                if (!pause(backoff)) {
                    lost.increment(batch.size());
                    log.error("Lost {} clicks: interrupted while retrying", batch.size());
                    return;
                }
                backoff *= 2;
            }
        }
    }

    /** The transaction of the latest attempt at a batch, once PostgreSQL has given it an id. */
    private static final class Transaction {
        @Nullable
        String id;
    }

    /**
     * Whether an attempt that failed committed all the same: a connection lost while the answer to
     * COMMIT was on its way leaves the writer without it, and writing the batch again would store
     * its clicks twice. PostgreSQL keeps the outcome of every recent transaction id.
     */
    private boolean committedEarlier(String transaction) {
        String status;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(TRANSACTION_STATUS)) {
            query.setString(1, transaction);
            try (ResultSet result = query.executeQuery()) {
                status = result.next() ? result.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot tell whether transaction " + transaction + " committed", e);
        }
        if ("in progress".equals(status)) {
            // open on a connection the server has not dropped yet: it may still commit
            throw new IllegalStateException("Transaction " + transaction + " of an earlier attempt is still open");
        }
        return "committed".equals(status);
    }

    private void encode(List<Click> batch, CopyText text) {
        text.clear();
        for (Click click : batch) {
            text.number(click.urlId()).ascii(',');
            if (click.userId() != null) {
                text.number(click.userId());
            }
            text.ascii(",click,").timestamp(click.atMillis()).ascii(',');
            details(text, click);
            text.ascii('\n');
        }
    }

    /**
     * One COPY per batch, on a connection of its own (never the transaction of whoever called
     * {@link #flush()}): several times cheaper per row than INSERT, which matters because every
     * redirect costs one row. The transaction's id is noted first, so that a retry can ask whether
     * this attempt committed if its connection is lost.
     */
    private void insert(CopyText text, Transaction attempt) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (Statement statement = connection.createStatement();
                        ResultSet result = statement.executeQuery(CURRENT_TRANSACTION)) {
                    result.next();
                    attempt.id = result.getString(1);
                }
                CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
                try {
                    copy.writeToCopy(text.bytes(), 0, text.length());
                    copy.endCopy();
                } finally {
                    if (copy.isActive()) {
                        copy.cancelCopy();
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollBack(connection);
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("COPY of clicks failed: " + e.getMessage(), e);
        }
    }

    private static void rollBack(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("Rollback after a failed COPY failed too: {}", e.toString());
        }
    }

    /**
     * The click's details as the contract names them, a JSON object written straight into its CSV
     * field: on the writers' path this is the largest cost after the COPY itself, so no object
     * mapper and no intermediate string.
     */
    private static void details(CopyText csv, Click click) {
        csv.ascii("\"{\"\"short_code\"\":");
        jsonString(csv, click.shortCode());
        csv.ascii(",\"\"original_url\"\":");
        jsonString(csv, click.originalUrl());
        csv.ascii(",\"\"referrer\"\":");
        jsonString(csv, click.referrer());
        csv.ascii(",\"\"user_agent\"\":");
        jsonString(csv, click.userAgent());
        csv.ascii("}\"");
    }

    /**
     * A JSON string (RFC 8259 escapes) inside a quoted CSV field (quotes doubled). NUL is dropped:
     * PostgreSQL's jsonb refuses it even escaped.
     */
    private static void jsonString(CopyText csv, @Nullable String value) {
        if (value == null) {
            csv.ascii("null");
            return;
        }
        csv.ascii("\"\"");
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '"' -> csv.ascii("\\\"\"");
                case '\\' -> csv.ascii("\\\\");
                case '\n' -> csv.ascii("\\n");
                case '\r' -> csv.ascii("\\r");
                case '\t' -> csv.ascii("\\t");
                case '\0' -> {}
                default -> {
                    if (c < 0x20) {
                        csv.ascii("\\u00").ascii(HEX[c >> 4]).ascii(HEX[c & 0xF]);
                    } else {
                        csv.codePoint(c);
                    }
                }
            }
        }
        csv.ascii("\"\"");
    }

    private void committed(List<Click> batch) {
        flushed.increment(batch.size());
        batchSizes.record(batch.size());
        long now = System.currentTimeMillis();
        for (Click click : batch) {
            lag.record(Math.max(0, now - click.atMillis()), TimeUnit.MILLISECONDS);
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void start() {
        stopped = false;
        running = true;
        for (int i = 1; i <= settings.writers(); i++) {
            writers.add(Thread.ofPlatform().name("click-writer-" + i).daemon().start(this::writeLoop));
        }
        if (paceMaxNanos > 0) {
            pacer.start("click-pacer");
        }
    }

    /** Lets the writers finish their batches, then writes everything still queued. */
    @Override
    public void stop() {
        running = false;
        pacer.stop();
        for (Thread writer : writers) {
            LockSupport.unpark(writer);
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        writers.clear();
        stopped = true;
        flush();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
