package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.JournalReader.Chunk;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Loads the click journal into a {@link ClickSink}, one chunk of records at a time on a thread of
 * its own. The sink moves the journal's stored position with each chunk, and only from a position at
 * or before the chunk's start: a chunk whose COMMIT answer was lost, or that a restarted instance reads
 * again, is skipped rather than stored twice. A failure waits a growing pause and tries again, for as
 * long as it takes: the clicks stay in the journal meanwhile.
 */
final class ClickLoader {

    private static final Logger log = LoggerFactory.getLogger(ClickLoader.class);

    private final ClickJournal journal;
    private final ClickSettings settings;
    private final ClickMetrics metrics;
    private final ClickSink sink;
    private final ExponentialBackOff backOff;
    private final JournalReader reader;
    private final LoadProgress progress;

    private volatile boolean healthy = true;

    private volatile boolean running;
    private volatile boolean draining;
    private volatile long drainDeadline;
    private volatile @Nullable Thread thread;
    private volatile boolean nudged;
    /** Guarded by {@code this}: the loading thread has ended; the journal is to be closed when it does. */
    private boolean finished;

    private boolean closeWhenFinished;

    ClickLoader(
            ClickSink sink, ClickJournal journal, ClickSettings settings, ClickMetrics metrics, PendingClicks pending) {
        this.sink = sink;
        this.progress = new LoadProgress(pending);
        this.journal = journal;
        this.settings = settings;
        this.metrics = metrics;
        this.backOff = new ExponentialBackOff(settings.retryBackoff().toMillis(), 2);
        this.backOff.setMaxInterval(settings.retryBackoffMax().toMillis());
        this.reader = new JournalReader(journal, settings.batchSize() * ClickRecords.CLICK_BYTES);
    }

    void start() {
        running = true;
        thread = Thread.ofPlatform().name("click-loader").daemon().start(this::loadLoop);
    }

    /**
     * Whether slowing redirects may help this loader catch up: it runs, its latest attempt succeeded,
     * and the sink answers quickly (the latest round trip, and the one under way so far); otherwise it
     * waits on something redirects do not compete with.
     */
    boolean paceable() {
        return running && healthy && sink.answersQuickly();
    }

    /**
     * Asks the loader to look at the journal now rather than at its next turn. The flag, not the
     * unpark alone: a park elsewhere in the loading thread (a contended lock, a wait for PostgreSQL)
     * can take the unpark's permit, and the loader would sleep through the nudge.
     */
    void nudge() {
        nudged = true;
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
        }
    }

    /** Waits until everything before {@code target} is in PostgreSQL; false when {@code timeout} passed first. */
    boolean awaitLoaded(Position target, Duration timeout) {
        nudge();
        return progress.await(target, timeout, () -> running);
    }

    /** Whether the loading thread is still at work (a COPY that outlived the stop's wait). */
    boolean alive() {
        Thread current = thread;
        return current != null && current.isAlive();
    }

    /** Loads what the journal holds until it is all in PostgreSQL or {@code timeout} passes; then stops. */
    boolean drainAndStop(Duration timeout) {
        drainDeadline = System.nanoTime() + timeout.toNanos();
        draining = true;
        Position end = journal.synced();
        boolean drained = awaitLoaded(end, timeout);
        running = false;
        progress.stopped();
        Thread current = thread;
        if (current != null) {
            // ends a wait for a connection or a pause between attempts; a COPY under way is not
            // interrupted (socket reads are not), and keeps the journal locked (see JournalWriter.close)
            current.interrupt();
            try {
                current.join(Duration.ofNanos(Math.max(100_000_000, drainDeadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return drained;
    }

    /**
     * Closes the journal, freeing its slot for the next instance: now, or when the loading thread
     * ends if a COPY outlived the stop (it ends at the latest at its statement and network timeout).
     */
    synchronized void closeJournal() throws IOException {
        if (finished || thread == null) {
            journal.close();
        } else {
            closeWhenFinished = true;
        }
    }

    private synchronized void finished() {
        finished = true;
        if (closeWhenFinished) {
            try {
                journal.close();
            } catch (IOException e) {
                log.error("Closing the click journal failed: {}", e.toString());
            }
        }
    }

    private void loadLoop() {
        try {
            loadWhileRunning();
        } catch (Error e) {
            // not PostgreSQL's fault, so no retry mends it: flushes stop waiting, redirects are not paced
            running = false;
            log.error("The click loader stopped; its clicks wait in the journal for the next start", e);
            progress.stopped();
            throw e;
        } finally {
            finished();
        }
    }

    private void loadWhileRunning() {
        BackOffExecution failing = null;
        while (running) {
            try {
                nudged = false;
                if (!loadOnce() && !nudged) {
                    LockSupport.parkNanos(this, settings.flushInterval().toNanos());
                }
                if (failing != null) {
                    log.info("Loading clicks into PostgreSQL works again");
                    failing = null;
                }
                healthy = true;
            } catch (SQLException | IOException | RuntimeException e) {
                healthy = false;
                metrics.loadFailed();
                if (failing == null) {
                    failing = backOff.start();
                    log.warn(
                            "Loading clicks into PostgreSQL failed; they wait in the journal {}: {}",
                            journal.directory(),
                            e.toString());
                } else {
                    log.debug("Loading clicks failed again: {}", e.toString());
                }
                long pause = failing.nextBackOff();
                if (draining) {
                    pause = Math.min(pause, TimeUnit.NANOSECONDS.toMillis(drainDeadline - System.nanoTime()));
                }
                // the whole pause, nudged or not: the journal writer nudges at every sync, and a
                // failing PostgreSQL would be tried again every flush interval
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause);
                for (long left = until - System.nanoTime(); running && left > 0; left = until - System.nanoTime()) {
                    LockSupport.parkNanos(this, left);
                }
            }
        }
    }

    /** Loads one chunk; false when the journal held nothing more to load. */
    private boolean loadOnce() throws SQLException, IOException {
        Position from = progress.loaded();
        if (from == null) {
            from = journal.start(storedPosition());
            journal.deleteBefore(from.segment());
            progress.reached(from);
        }
        Chunk chunk = reader.read(from, settings.batchSize());
        if (chunk.torn()) {
            metrics.tornRecord();
            log.warn(
                    "Skipped a damaged record at the end of segment {} of the click journal {} (a crash or a disk error while writing it)",
                    from.segment(),
                    journal.directory());
            progress.reached(chunk.to());
            return true;
        }
        if (chunk.clicks() == 0) {
            boolean moved = !chunk.to().equals(from);
            progress.reached(chunk.to());
            return moved;
        }
        boolean own = chunk.from().segment() >= journal.firstSegment();
        if (!sink.store(journal.id(), chunk, reader.bytes())) {
            // an earlier attempt committed after all: go on from where it ended, and count it if it
            // was this very chunk (a chunk that grew since is counted from its next part on)
            Position stored = storedPosition();
            if (stored.equals(chunk.to())) {
                metrics.loaded(chunk.clicks(), chunk.firstMillis(), own);
            }
            progress.reached(journal.start(stored));
            return true;
        }
        metrics.loaded(chunk.clicks(), chunk.firstMillis(), own);
        progress.reached(chunk.to());
        journal.deleteBefore(chunk.to().segment());
        return true;
    }

    /** The sink's position for the journal; its start when the sink is past anything the journal has synced. */
    private Position storedPosition() throws SQLException {
        Position stored = sink.storedPosition(journal.id());
        if (stored.compareTo(journal.synced()) <= 0) {
            return stored;
        }
        // the journal's files were lost, and what it holds now is new
        log.error(
                "The click journal {} lost segments that PostgreSQL had loaded up to {}; loading it from its start",
                journal.directory(),
                stored);
        sink.reset(journal.id());
        return new Position(0, 0);
    }
}
