package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.ClickMetrics.Loss;
import dev.shortener.platform.ShutdownDeadline;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Records one {@code click} event per successful redirect without making the redirect wait for
 * PostgreSQL: the click goes to a bounded in-memory queue; the thread of a {@link JournalWriter}
 * appends what the queue holds to the {@link ClickJournal} on local disk and syncs it every {@code
 * flush-interval}; the {@link ClickLoader} copies the journal into {@code events}. PostgreSQL being
 * down, slow or behind only makes the journal longer (ADR 0002).
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

    private final ClickSink sink;
    private final ClickSettings settings;
    private final ShutdownDeadline shutdown;
    private final ClickMetrics metrics;
    private final ArrayBlockingQueue<Click> queue;
    private final Pacer pacer;
    private final long paceMaxNanos;
    private final int paceFrom;
    private final PendingClicks pending = new PendingClicks();

    private volatile @Nullable ClickJournal journal;
    private volatile @Nullable ClickLoader loader;
    private volatile @Nullable JournalWriter writer;

    private volatile boolean running;
    private volatile boolean stopped;

    ClickRecorder(ClickSink sink, ClickSettings settings, MeterRegistry meters, ShutdownDeadline shutdown) {
        this.sink = sink;
        this.shutdown = shutdown;
        this.settings = settings;
        this.metrics = new ClickMetrics(meters);
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
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
        Gauge.builder("shortener.clicks.loader.stopped", this, recorder -> {
                    ClickLoader current = recorder.loader;
                    return current != null && !current.alive() ? 1 : 0;
                })
                .description("1 while this instance's click loader has stopped on an error and the recorder runs on")
                .register(meters);
    }

    /**
     * Hands over the click of one redirect. Returns at once while PostgreSQL keeps up; while it is
     * behind but taking clicks, the caller is paced (see {@link #pace()}).
     */
    public void record(Click click) {
        boolean atOnce = queue.offer(click);
        if (!atOnce && !offerWaiting(click)) {
            metrics.lost(Loss.STALLED, 1);
            return;
        }
        metrics.queued();
        pending.queued(click.urlId());
        if (stopped && appendQueued() == null) {
            // stop() moved the queue to the journal and closed it just before this click arrived
            List<Click> late = new ArrayList<>();
            metrics.lost(Loss.STOPPED, queue.drainTo(late));
        }
        if (atOnce) {
            pace(); // a click that waited for room has been slowed down enough
        }
    }

    /** Waits up to {@code offer-timeout} for room in a full queue. */
    private boolean offerWaiting(Click click) {
        try {
            return queue.offer(click, settings.offerTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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

    /** Moves every queued click to the journal and syncs it; returns the synced end, null when none is open. */
    private @Nullable Position appendQueued() {
        JournalWriter current = writer;
        return current == null ? null : current.appendQueued();
    }

    @Override
    public void start() {
        ClickJournal open = ClickJournal.open(
                settings.journalDir(), settings.journalSegment().toBytes(), SegmentFiles.DISK);
        journal = open;
        ClickLoader started = new ClickLoader(sink, open, settings, metrics, pending);
        loader = started;
        JournalWriter writing = new JournalWriter(open, started, queue, settings, metrics, pending);
        writer = writing;
        stopped = false;
        running = true;
        started.start();
        writing.start();
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
        JournalWriter writing = writer;
        if (writing != null) {
            writing.stop();
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
        if (writing != null) {
            writing.close();
        }
        journal = null;
        writer = null;
        loader = null;
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
