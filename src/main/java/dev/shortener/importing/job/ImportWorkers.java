package dev.shortener.importing.job;

import dev.shortener.importing.ImportSettings;
import dev.shortener.platform.ShutdownDeadline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.stereotype.Component;

/**
 * The chunk workers of this instance ({@code WORKER_ENABLED}, on by default): threads that each
 * lease the oldest pending chunk of the queue in PostgreSQL and run it, and look again after
 * {@code IMPORT_WORKER_POLL} when there is none. While a chunk runs, its lease is renewed every
 * third of {@code IMPORT_RECLAIM_IDLE}, so only the chunks of dead workers are taken over.
 *
 * <p>Worker instances also end stalled jobs: an upload whose heartbeat stopped (its uploader
 * died) is closed with an error, and a job whose last chunk was done by a worker that died before
 * ending it is ended.
 *
 * <p>On shutdown the workers stop leasing; a worker finishes its chunk within the shutdown wait,
 * or gives it back for another instance.
 */
@Component
public class ImportWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ImportWorkers.class);

    private final ChunkWork work;
    private final ImportJobs jobs;
    private final ImportChunks chunks;
    private final ImportSettings settings;
    private final ShutdownDeadline shutdown;
    /** Chunks leased by this instance's workers. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    /** Counted down by stop(): ends every worker's pause at once. */
    private volatile CountDownLatch stopping = new CountDownLatch(1);

    /**
     * Lease renewal and the sweep for stalled chunks, on a scheduler of their own: the
     * application's cancels its tasks when the context closes, before the workers have drained,
     * and a chunk still running must keep its lease until it is done.
     */
    private @Nullable ThreadPoolTaskScheduler maintenance;

    ImportWorkers(
            ChunkWork work, ImportJobs jobs, ImportChunks chunks, ImportSettings settings, ShutdownDeadline shutdown) {
        this.shutdown = shutdown;
        this.work = work;
        this.jobs = jobs;
        this.chunks = chunks;
        this.settings = settings;
    }

    @Override
    public synchronized void start() {
        if (!settings.worker().enabled() || running) {
            return;
        }
        running = true;
        stopping = new CountDownLatch(1);
        for (int i = 1; i <= settings.worker().threads(); i++) {
            String name = "import-worker-" + i;
            threads.add(Thread.ofPlatform().name(name).daemon().start(() -> consume(name)));
        }
        Duration renewEvery =
                Duration.ofMillis(Math.max(100, settings.worker().reclaimIdle().toMillis() / 3));
        ThreadPoolTaskScheduler timers = new ThreadPoolTaskScheduler();
        timers.setThreadNamePrefix("import-maintenance-");
        timers.setDaemon(true);
        timers.initialize();
        timers.scheduleWithFixedDelay(this::renewLeases, Instant.now().plus(renewEvery), renewEvery);
        Duration sweepEvery = settings.sweepInterval();
        timers.scheduleWithFixedDelay(this::recoverStalled, Instant.now().plus(sweepEvery), sweepEvery);
        maintenance = timers;
        log.info("{} import workers started on queue {}", threads.size(), settings.queue());
    }

    private void consume(String worker) {
        boolean failing = false;
        while (running) {
            try {
                Optional<Long> leased = chunks.leaseNext();
                if (failing) {
                    log.info("Import worker {} reads the queue again", worker);
                    failing = false;
                }
                if (leased.isPresent()) {
                    handle(leased.get());
                } else {
                    pause(settings.worker().poll());
                }
            } catch (RuntimeException e) {
                if (!failing) {
                    log.warn("Import worker {} cannot read the queue: {}; retrying", worker, e.toString());
                    failing = true;
                }
                pause(settings.worker().poll().multipliedBy(4));
            }
        }
    }

    private void handle(long chunk) {
        inFlight.add(chunk);
        try {
            if (!running) {
                chunks.release(chunk);
                return;
            }
            // DONE and SPLIT (the halves are pending chunks) leave nothing to do; a stopping worker
            // gives its chunk back
            if (work.run(chunk, true, this::pauseUnlessStopping).kind() == ChunkWork.Kind.RELEASED) {
                chunks.release(chunk);
            }
        } finally {
            inFlight.remove(chunk);
        }
    }

    private void renewLeases() {
        try {
            chunks.renewLeases(List.copyOf(inFlight));
        } catch (RuntimeException e) {
            log.debug("Leases of chunks {} not renewed: {}", inFlight, e.toString());
        }
    }

    /** Closes uploads whose heartbeat stopped and ends jobs that are done but were not ended. */
    void recoverStalled() {
        try {
            for (ImportJobs.Stalled stalled : jobs.takeStalled(settings.stallTimeout())) {
                if (stalled.state().equals(ImportJob.RECEIVING)) {
                    log.warn("Import job {}: the upload stopped; its stored chunks are imported", stalled.id());
                    jobs.finishIntake(
                            stalled.id(),
                            "the upload stopped before it was stored completely; its stored rows were imported");
                }
                work.finishIfDone(stalled.id());
            }
        } catch (RuntimeException e) {
            log.warn("Stalled import jobs not recovered: {}", e.toString());
        }
    }

    private boolean pauseUnlessStopping(Duration pause) {
        return running && pause(pause) && running;
    }

    /** Waits, or less when the workers are stopping; false when interrupted. */
    private boolean pause(Duration pause) {
        try {
            stopping.await(pause.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void stop() {
        List<Thread> workers;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            stopping.countDown();
            workers = List.copyOf(threads);
            threads.clear();
        }
        long deadline = System.nanoTime()
                + shutdown.atMost(settings.worker().shutdownWait()).toNanos();
        for (Thread thread : workers) {
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                if (!thread.join(Duration.ofMillis(left))) {
                    // a worker still pausing between attempts gives its chunk back when woken
                    thread.interrupt();
                    thread.join(Duration.ofSeconds(1));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ThreadPoolTaskScheduler timers;
        synchronized (this) {
            timers = maintenance;
            maintenance = null;
        }
        if (timers != null) {
            timers.shutdown();
        }
        log.info("Import workers on queue {} stopped", settings.queue());
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
