package dev.shortener.event;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * Records one {@code click} event per successful redirect without making the redirect wait for
 * PostgreSQL: clicks go to a bounded in-memory queue that one writer thread empties in batches,
 * each batch one COPY, every {@code flush-interval} or {@code batch-size} clicks.
 *
 * <p>Guarantees: {@link #flush()} returns when every click recorded before the call is committed;
 * stopping the application context writes everything still queued (the recorder stops after the
 * web server and before the DataSource closes); a full queue makes the caller wait briefly and
 * then write its click itself, so clicks are never dropped to save time. A batch that keeps
 * failing is retried, then counted in {@code shortener.clicks.lost} and logged. A crash of the JVM
 * loses what is queued at that moment (at most about one flush interval of clicks in normal
 * operation); see docs/adr/0002-click-pipeline.md.
 */
@Component
public class ClickRecorder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClickRecorder.class);

    /** Stops after the web server (which stops at DEFAULT_PHASE - 2048) has finished its requests. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final String COPY =
            "COPY events (url_id, user_id, event_type, \"timestamp\", details) FROM STDIN (FORMAT csv)";

    private final DataSource dataSource;
    private final ObjectMapper json;
    private final ClickSettings settings;
    private final ArrayBlockingQueue<Click> queue;
    private final ReentrantLock writing = new ReentrantLock();
    private final Counter queued;
    private final Counter flushed;
    private final Counter lost;
    private final DistributionSummary batchSizes;
    private final Timer lag;

    private volatile boolean running;
    private volatile boolean stopped;
    private volatile boolean writerIdle;
    private volatile @Nullable Thread writer;

    ClickRecorder(DataSource dataSource, ObjectMapper json, ClickSettings settings, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.json = json;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.queued = Counter.builder("shortener.clicks.queued")
                .description("Clicks handed to the in-memory queue")
                .register(meters);
        this.flushed = Counter.builder("shortener.clicks.flushed")
                .description("Clicks committed to the events table")
                .register(meters);
        this.lost = Counter.builder("shortener.clicks.lost")
                .description("Clicks that could not be written after every retry (alert on any)")
                .register(meters);
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

    /** Hands over the click of one redirect; returns at once unless the queue is full. */
    public void record(Click click) {
        if (!stopped && queue.offer(click)) {
            queued.increment();
            Thread w = writer;
            if (writerIdle && w != null) {
                LockSupport.unpark(w);
            }
            if (stopped) {
                // stop() may have drained the queue just before this click arrived
                flush();
            }
            return;
        }
        recordUnderPressure(click);
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
        // The writer cannot keep up (or has stopped): this caller pays for the write rather than lose the click.
        write(List.of(click));
    }

    /** Returns when every click recorded before this call is committed (or counted as lost). */
    public void flush() {
        writing.lock();
        try {
            // Clicks the writer took earlier were committed before it released the lock.
            int remaining = queue.size();
            List<Click> batch = new ArrayList<>(Math.min(remaining, settings.batchSize()));
            while (remaining > 0) {
                int taken = queue.drainTo(batch, Math.min(settings.batchSize(), remaining));
                if (taken == 0) {
                    break;
                }
                remaining -= taken;
                write(batch);
                batch.clear();
            }
        } finally {
            writing.unlock();
        }
    }

    private void writeLoop() {
        while (running) {
            try {
                if (queue.isEmpty()) {
                    idle();
                } else {
                    linger();
                    flush();
                }
            } catch (RuntimeException e) {
                log.error("Click writer failed; it carries on", e);
            }
        }
    }

    private void idle() {
        writerIdle = true;
        if (queue.isEmpty() && running) {
            LockSupport.parkNanos(this, IDLE_PARK_NANOS);
        }
        writerIdle = false;
    }

    /** Lets a batch fill for up to one flush interval after its first click. */
    private void linger() {
        long deadline = System.nanoTime() + settings.flushInterval().toNanos();
        long remaining;
        while (running && queue.size() < settings.batchSize() && (remaining = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, remaining);
        }
    }

    private void write(List<Click> batch) {
        long backoff = settings.retryBackoff().toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                insert(batch);
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

    /**
     * One COPY per batch, on a connection of its own (never the transaction of whoever called
     * {@link #flush()}): several times cheaper per row than INSERT, which matters because every
     * redirect costs one row.
     */
    private void insert(List<Click> batch) {
        StringBuilder csv = new StringBuilder(batch.size() * 256);
        for (Click click : batch) {
            csv.append(click.urlId()).append(',');
            if (click.userId() != null) {
                csv.append(click.userId().longValue());
            }
            csv.append(",click,")
                    .append(click.at().truncatedTo(ChronoUnit.SECONDS))
                    .append(',');
            quoted(csv, json.writeValueAsString(ClickDetails.of(click)));
            csv.append('\n');
        }
        byte[] rows = csv.toString().getBytes(StandardCharsets.UTF_8);
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new ByteArrayInputStream(rows));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("COPY of " + batch.size() + " clicks failed: " + e.getMessage(), e);
        }
    }

    private static void quoted(StringBuilder csv, String value) {
        csv.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                csv.append('"');
            }
            csv.append(c);
        }
        csv.append('"');
    }

    private void committed(List<Click> batch) {
        flushed.increment(batch.size());
        batchSizes.record(batch.size());
        long now = System.currentTimeMillis();
        for (Click click : batch) {
            lag.record(Math.max(0, now - click.at().toInstant(ZoneOffset.UTC).toEpochMilli()), TimeUnit.MILLISECONDS);
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
        writer = Thread.ofPlatform().name("click-writer").daemon().start(this::writeLoop);
    }

    /** Lets the writer finish its batch, then writes everything still queued. */
    @Override
    public void stop() {
        running = false;
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopped = true;
        flush();
        writer = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The click event's details, as the contract names them. */
    record ClickDetails(
            String shortCode,
            String originalUrl,
            @Nullable String referrer,
            @Nullable String userAgent) {

        static ClickDetails of(Click click) {
            return new ClickDetails(
                    click.shortCode(),
                    click.originalUrl(),
                    withoutNul(click.referrer()),
                    withoutNul(click.userAgent()));
        }

        /** PostgreSQL's jsonb refuses the NUL character. */
        private static @Nullable String withoutNul(@Nullable String text) {
            return text == null || text.indexOf('\0') < 0 ? text : text.replace("\0", "");
        }
    }
}
