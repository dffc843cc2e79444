package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.ClickMetrics.Loss;
import dev.shortener.platform.ShutdownDeadline;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Records one {@code click} event per successful redirect without making the redirect wait for
 * PostgreSQL: the click goes to a bounded in-memory queue; a journal thread appends what the queue
 * holds to the {@link ClickJournal} on local disk and syncs it every {@code flush-interval}; the
 * {@link ClickLoader} copies the journal into {@code events}. PostgreSQL being down, slow or behind
 * only makes the journal longer (ADR 0002).
 *
 * <p>Guarantees: {@link #flush()} returns when every click recorded before the call is committed,
 * or after {@code flush-timeout} while PostgreSQL cannot take them; each click is stored once. A
 * {@code kill -9} loses the clicks still in the queue (at most one flush interval of them), a crash
 * of the machine those not yet synced as well; the next instance to take the journal's slot loads
 * the rest. Clicks are dropped, and counted in {@code shortener.clicks.lost}, only when the journal
 * is over {@code journal-max}, its disk fails, or it takes no click for {@code offer-timeout}.
 */
@Component
public class ClickRecorder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClickRecorder.class);

    /** Stops after the web server (which stops at DEFAULT_PHASE - 2048) has finished its requests. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final DataSource dataSource;
    private final ClickSettings settings;
    private final ShutdownDeadline shutdown;
    private final ClickMetrics metrics;
    private final ArrayBlockingQueue<Click> queue;
    private final Pacer pacer;
    private final long paceMaxNanos;
    private final int paceFrom;
    private final PendingClicks pending = new PendingClicks();
    /** Held while clicks move from the queue to the journal, by the journal thread or by {@link #flush()}. */
    private final ReentrantLock appending = new ReentrantLock();

    private volatile @Nullable ClickJournal journal;
    private volatile @Nullable ClickLoader loader;
    private volatile @Nullable Thread journalThread;
    /** The journal's lines, reused batch after batch under {@code appending}. */
    private final CopyText lines;

    private volatile boolean running;
    private volatile boolean stopped;
    private long lastDiskError;

    ClickRecorder(
            @Qualifier(ClickDatabase.NAME) DataSource dataSource,
            ClickSettings settings,
            MeterRegistry meters,
            ShutdownDeadline shutdown) {
        this.dataSource = dataSource;
        this.shutdown = shutdown;
        this.settings = settings;
        this.metrics = new ClickMetrics(meters);
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.lines = new CopyText(settings.batchSize() * ClickCsv.LINE_BYTES);
        this.paceMaxNanos = settings.paceMax().toNanos();
        this.paceFrom = settings.queueCapacity() / 2;
        this.pacer = new Pacer(settings.paceMax());
        Gauge.builder("shortener.clicks.queue.depth", queue, ArrayBlockingQueue::size)
                .description("Clicks waiting in memory for the journal")
                .register(meters);
        Gauge.builder("shortener.clicks.backlog", metrics, ClickMetrics::backlog)
                .description("Clicks journalled by this instance that PostgreSQL does not have yet")
                .register(meters);
        Gauge.builder("shortener.clicks.journal.bytes", this, recorder -> {
                    ClickJournal open = recorder.journal;
                    return open == null ? 0 : open.bytesOnDisk();
                })
                .description("Size of the click journal's segment files")
                .baseUnit("bytes")
                .register(meters);
    }

    /**
     * Hands over the click of one redirect. Returns at once while PostgreSQL keeps up; while it is
     * behind but taking clicks, the caller is paced (see {@link #pace()}).
     */
    public void record(Click click) {
        if (queue.offer(click)) {
            metrics.queued();
            pending.queued(click.urlId());
            if (stopped && appendQueued() == null) {
                // stop() moved the queue to the journal and closed it just before this click arrived
                List<Click> late = new ArrayList<>();
                metrics.lost(Loss.STOPPED, queue.drainTo(late));
            }
            pace();
            return;
        }
        try {
            if (queue.offer(click, settings.offerTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                metrics.queued();
                pending.queued(click.urlId());
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        metrics.lost(Loss.STALLED, 1);
    }

    /**
     * Back-pressure that slows every redirect a little instead of letting PostgreSQL fall ever
     * further behind: past half {@code queue-capacity} clicks waiting for PostgreSQL the caller
     * sleeps in proportion, up to {@code pace-max} (held by the {@link Pacer}, whose one thread
     * releases them all). Not while the loader fails or waits on a slow network (see {@link
     * ClickLoader#paceable()}): slowing redirects would not help it, and the journal holds the clicks.
     */
    private void pace() {
        if (paceMaxNanos == 0) {
            return;
        }
        long waiting = queue.size() + metrics.backlog();
        ClickLoader current = loader;
        if (waiting > paceFrom && (current == null || current.paceable())) {
            metrics.paced();
            long share = Math.min(waiting - paceFrom, settings.queueCapacity() - paceFrom);
            pacer.pause(paceMaxNanos * share / (settings.queueCapacity() - paceFrom));
        }
    }

    /**
     * Returns when every click of the link recorded before this call is committed, or after {@code
     * flush-timeout}; at once when none of its clicks may be missing from PostgreSQL, however many
     * other clicks are on their way.
     */
    public void flush(long urlId) {
        if (pending.pending(urlId)) {
            flush();
        }
    }

    /** Returns when every click recorded before this call is committed, or after {@code flush-timeout}. */
    public void flush() {
        Position end = appendQueued();
        ClickLoader current = loader;
        if (end != null && current != null && !current.awaitLoaded(end, settings.flushTimeout())) {
            log.debug("Clicks not all in PostgreSQL after {}; they stay in the journal", settings.flushTimeout());
        }
    }

    /** Moves every queued click to the journal and syncs it; returns the synced end, null when closed. */
    private @Nullable Position appendQueued() {
        appending.lock();
        try {
            ClickJournal open = journal;
            if (open == null) {
                return null;
            }
            long startedAt = System.nanoTime(); // for PendingClicks: whatever was queued before is drained now
            // what is queued now, not what keeps arriving: the sync, and so the loading, must not wait
            int left = queue.size();
            List<Click> batch = new ArrayList<>(Math.min(left, settings.batchSize()));
            boolean appended = false;
            int taken;
            while (left > 0 && (taken = queue.drainTo(batch, Math.min(left, settings.batchSize()))) > 0) {
                left -= taken;
                appended |= append(open, batch);
                batch.clear();
            }
            if (appended) {
                sync(open);
                pending.drained(startedAt, open.synced());
            }
            return open.synced();
        } finally {
            appending.unlock();
        }
    }

    private boolean append(ClickJournal open, List<Click> batch) {
        if (open.bytesOnDisk() >= settings.journalMax().toBytes()) {
            metrics.lost(Loss.JOURNAL_FULL, batch.size());
            diskTrouble("is over CLICKS_JOURNAL_MAX: clicks are dropped", null);
            return false;
        }
        lines.clear();
        for (Click click : batch) {
            ClickCsv.append(lines, click);
        }
        try {
            open.append(lines, batch.size(), batch.getFirst().atMillis());
            metrics.journalled(batch.size());
            return true;
        } catch (IOException e) {
            metrics.lost(Loss.DISK, batch.size());
            diskTrouble("cannot be written: clicks are dropped", e);
            return false;
        }
    }

    private void sync(ClickJournal open) {
        try {
            open.sync();
            ClickLoader current = loader;
            if (current != null) {
                current.nudge();
            }
        } catch (IOException e) {
            diskTrouble("cannot be synced: a crash of the machine would lose the latest clicks", e);
        }
    }

    /** Logs disk trouble at most once a second: it may last, and every batch meets it. */
    private void diskTrouble(String what, @Nullable IOException e) {
        long now = System.currentTimeMillis();
        if (now - lastDiskError >= 1000) {
            lastDiskError = now;
            ClickJournal open = journal;
            log.error("The click journal {} {} ({})", open == null ? "" : open.directory(), what, e == null ? "" : e);
        }
    }

    private void journalLoop() {
        long interval = settings.flushInterval().toNanos();
        while (running) {
            long started = System.nanoTime();
            try {
                if (!queue.isEmpty()) {
                    appendQueued();
                }
            } catch (RuntimeException e) {
                log.error("Click journal thread failed; it carries on", e);
            }
            // nobody wakes this thread: that would cost every redirect
            LockSupport.parkNanos(this, interval - (System.nanoTime() - started));
        }
    }

    @Override
    public void start() {
        ClickJournal open = ClickJournal.open(
                settings.journalDir(), settings.journalSegment().toBytes());
        journal = open;
        ClickLoader started = new ClickLoader(dataSource, open, settings, metrics, pending);
        loader = started;
        stopped = false;
        running = true;
        started.start();
        journalThread = Thread.ofPlatform().name("click-journal").daemon().start(this::journalLoop);
        if (paceMaxNanos > 0) {
            pacer.start("click-pacer");
        }
        log.info("Click journal {} (id {})", open.directory().toAbsolutePath(), open.id());
    }

    /**
     * Journals what is queued, loads the journal into PostgreSQL for up to {@code drain-timeout}
     * (or what is left of the stop's time), and leaves whatever is left for the next instance that
     * takes the journal's slot.
     */
    @Override
    public void stop() {
        running = false;
        stopped = true;
        pacer.stop();
        Thread thread = journalThread;
        if (thread != null) {
            LockSupport.unpark(thread);
            join(thread);
        }
        Position end = appendQueued();
        ClickLoader current = loader;
        Duration drain = shutdown.atMost(settings.drainTimeout());
        if (current != null && end != null && !current.drainAndStop(drain)) {
            log.warn(
                    "Stopping with clicks not yet in PostgreSQL after {}: they stay in the journal {} for the next start",
                    drain,
                    journal == null ? "" : journal.directory().toAbsolutePath());
        }
        appending.lock();
        try {
            ClickJournal open = journal;
            journal = null;
            if (open != null && current != null) {
                if (current.alive()) {
                    // no other instance may load the slot while a COPY from it may still commit
                    log.warn(
                            "The click loader is still at work; the journal {} stays locked until its COPY ends",
                            open.directory());
                }
                current.closeJournal();
            } else if (open != null) {
                open.close();
            }
        } catch (IOException e) {
            log.error("Closing the click journal failed: {}", e.toString());
        } finally {
            appending.unlock();
        }
        loader = null;
    }

    private static void join(Thread thread) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
