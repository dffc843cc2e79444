package dev.shortener.event;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** The click pipeline's meters, and the counts its back-pressure reads. */
final class ClickMetrics {

    /** Why clicks were dropped: the only ways a click is lost. */
    enum Loss {
        /** The journal is over {@code CLICKS_JOURNAL_MAX}. */
        JOURNAL_FULL("journal-full"),
        /** Writing or syncing the journal failed (a full or failing disk). */
        DISK("disk"),
        /** The journal writer did not take the click within {@code CLICKS_OFFER_TIMEOUT}. */
        STALLED("stalled"),
        /** A redirect that came after the recorder had stopped. */
        STOPPED("stopped");

        final String tag;

        Loss(String tag) {
            this.tag = tag;
        }
    }

    private final MeterRegistry meters;
    private final Counter queued;
    private final Counter loaded;
    private final Counter paced;
    private final Counter loadFailures;
    private final Counter torn;
    private final DistributionSummary batchSizes;
    private final Timer lag;
    private final LongAdder journalled = new LongAdder();
    private final LongAdder stored = new LongAdder();

    ClickMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.queued = counter("shortener.clicks.queued", "Clicks handed to the in-memory queue");
        this.loaded = counter("shortener.clicks.flushed", "Clicks committed to the events table");
        this.paced = counter("shortener.clicks.paced", "Redirects slowed down because PostgreSQL was behind");
        this.loadFailures =
                counter("shortener.clicks.load.failures", "Failed attempts to load the journal into PostgreSQL");
        this.torn = counter(
                "shortener.clicks.journal.torn", "Damaged records skipped at the end of a crashed writer's segment");
        this.batchSizes = DistributionSummary.builder("shortener.clicks.batch.size")
                .description("Clicks per COPY")
                .register(meters);
        this.lag = Timer.builder("shortener.clicks.lag")
                .description("From the redirect to the commit of the oldest click of each COPY")
                .register(meters);
        for (Loss loss : Loss.values()) {
            lost(loss, 0);
        }
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(meters);
    }

    void queued() {
        queued.increment();
    }

    void paced() {
        paced.increment();
    }

    void journalled(int clicks) {
        journalled.add(clicks);
    }

    void lost(Loss loss, int clicks) {
        Counter.builder("shortener.clicks.lost")
                .description("Clicks dropped, by reason (alert on any)")
                .tag("reason", loss.tag)
                .register(meters)
                .increment(clicks);
    }

    /** {@code own}: journalled by this instance, rather than replayed from an earlier one. */
    void loaded(int clicks, long firstMillis, boolean own) {
        if (clicks == 0) {
            return;
        }
        loaded.increment(clicks);
        if (own) {
            stored.add(clicks);
        }
        batchSizes.record(clicks);
        lag.record(Math.max(0, System.currentTimeMillis() - firstMillis), TimeUnit.MILLISECONDS);
    }

    void loadFailed() {
        loadFailures.increment();
    }

    void tornRecord() {
        torn.increment();
    }

    /** Clicks this instance journalled that PostgreSQL does not have yet. */
    long backlog() {
        return journalled.sum() - stored.sum();
    }
}
