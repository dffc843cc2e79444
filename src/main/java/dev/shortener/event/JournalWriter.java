package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.ClickMetrics.Loss;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the recorder's queue into the {@link ClickJournal} and syncs it, on a thread of its own
 * every {@code flush-interval} or at once for a flush, so that no redirect writes to disk.
 */
final class JournalWriter {

    // logs as the recorder, whose ERROR lines operations look for (docs/operations.md)
    private static final Logger log = LoggerFactory.getLogger(ClickRecorder.class);

    private final ClickJournal journal;
    private final ClickLoader loader;
    private final ArrayBlockingQueue<Click> queue;
    private final ClickSettings settings;
    private final ClickMetrics metrics;
    private final PendingClicks pending;
    /** Held while clicks move from the queue to the journal, by the journal thread, a flush or the stop. */
    private final ReentrantLock appending = new ReentrantLock();
    /** The journal's records, reused batch after batch under {@code appending}. */
    private final CopyText records;

    /** Guarded by {@code appending}: the journal is closed, or about to be once the loader is done. */
    private boolean closed;

    private volatile boolean running;
    private volatile @Nullable Thread thread;
    private long lastDiskError;

    JournalWriter(
            ClickJournal journal,
            ClickLoader loader,
            ArrayBlockingQueue<Click> queue,
            ClickSettings settings,
            ClickMetrics metrics,
            PendingClicks pending) {
        this.journal = journal;
        this.loader = loader;
        this.queue = queue;
        this.settings = settings;
        this.metrics = metrics;
        this.pending = pending;
        this.records = new CopyText(settings.batchSize() * ClickRecords.CLICK_BYTES);
    }

    void start() {
        running = true;
        thread = Thread.ofPlatform().name("click-journal").daemon().start(this::journalLoop);
    }

    /** Ends the journal thread (waiting up to 10 seconds for it); {@link #appendQueued()} still works. */
    void stop() {
        running = false;
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
            try {
                current.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Moves every queued click to the journal and syncs it; returns the synced end, null when closed. */
    @Nullable
    Position appendQueued() {
        appending.lock();
        try {
            if (closed) {
                return null;
            }
            long generation = pending.draining(); // whatever was queued before is in this drain or an earlier one
            // what is queued now, not what keeps arriving: the sync, and so the loading, must not wait
            int left = queue.size();
            List<Click> batch = new ArrayList<>(Math.min(left, settings.batchSize()));
            boolean appended = false;
            int taken;
            while (left > 0 && (taken = queue.drainTo(batch, Math.min(left, settings.batchSize()))) > 0) {
                left -= taken;
                appended |= append(batch);
                batch.clear();
            }
            if (appended) {
                sync();
                pending.drained(generation, journal.synced());
            }
            return journal.synced();
        } finally {
            appending.unlock();
        }
    }

    private boolean append(List<Click> batch) {
        if (journal.bytesOnDisk() >= settings.journalMax().toBytes()) {
            metrics.lost(Loss.JOURNAL_FULL, batch.size());
            diskTrouble("is over CLICKS_JOURNAL_MAX: clicks are dropped", null);
            return false;
        }
        records.clear();
        for (Click click : batch) {
            ClickRecords.append(records, click);
        }
        try {
            journal.append(records, batch.size(), batch.getFirst().atMillis());
            metrics.journalled(batch.size());
            return true;
        } catch (IOException e) {
            metrics.lost(Loss.DISK, batch.size());
            diskTrouble("cannot be written: clicks are dropped", e);
            return false;
        }
    }

    private void sync() {
        try {
            journal.sync();
            loader.nudge();
        } catch (IOException e) {
            diskTrouble("cannot be synced: a crash of the machine would lose the latest clicks", e);
        }
    }

    /** Logs disk trouble at most once a second: it may last, and every batch meets it. */
    private void diskTrouble(String what, @Nullable IOException e) {
        long now = System.currentTimeMillis();
        if (now - lastDiskError >= 1000) {
            lastDiskError = now;
            log.error("The click journal {} {} ({})", journal.directory(), what, e == null ? "" : e);
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

    /**
     * Closes the journal once no append is under way, so that later ones find it closed: now, or
     * when the loader's COPY that outlived the stop ends (see {@link ClickLoader#closeJournal()}).
     */
    void close() {
        appending.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (loader.alive()) {
                // no other instance may load the slot while a COPY from it may still commit
                log.warn(
                        "The click loader is still at work; the journal {} stays locked until its COPY ends",
                        journal.directory());
            }
            loader.closeJournal();
        } catch (IOException e) {
            log.error("Closing the click journal failed: {}", e.toString());
        } finally {
            appending.unlock();
        }
    }
}
