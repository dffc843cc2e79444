package dev.shortener.importing;

import dev.shortener.platform.ShutdownDeadline;
import io.lettuce.core.RedisCommandExecutionException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The chunk workers of this instance ({@code WORKER_ENABLED}, on by default): threads that each
 * claim one chunk at a time from the consumer group, first any chunk another worker left pending
 * for too long (its worker died), else a new one, and run it. While a chunk runs, its worker
 * confirms it to the group every few seconds, so only the chunks of dead workers are reclaimed.
 *
 * <p>Worker instances also recover stalled jobs: a job whose heartbeat stopped (its uploader
 * died, Redis lost the stream) has its pending chunks queued again.
 *
 * <p>On shutdown the workers stop claiming; a worker finishes its chunk within the shutdown wait,
 * or gives it back to the stream for another instance.
 */
@Component
class ImportWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ImportWorkers.class);
    private static final Duration REDIS_RETRY = Duration.ofSeconds(1);

    private final ChunkQueue queue;
    private final ChunkWork work;
    private final ImportJobs jobs;
    private final ImportSettings settings;
    private final ShutdownDeadline shutdown;
    private final String instance;
    /** Stream entries being worked on, by entry id: their consumer. */
    private final Map<String, String> inFlight = new ConcurrentHashMap<>();

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private @Nullable ScheduledExecutorService maintenance;

    ImportWorkers(
            ChunkQueue queue, ChunkWork work, ImportJobs jobs, ImportSettings settings, ShutdownDeadline shutdown) {
        this.shutdown = shutdown;
        this.queue = queue;
        this.work = work;
        this.jobs = jobs;
        this.settings = settings;
        String process = ManagementFactory.getRuntimeMXBean().getName();
        this.instance = process + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public synchronized void start() {
        if (!settings.worker().enabled() || running) {
            return;
        }
        running = true;
        for (int i = 1; i <= settings.worker().threads(); i++) {
            String consumer = instance + "-" + i;
            threads.add(Thread.ofPlatform().name("import-worker-" + i).daemon().start(() -> consume(consumer)));
        }
        maintenance = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("import-maintenance").daemon().factory());
        long confirmEvery = Math.max(100, settings.worker().reclaimIdle().toMillis() / 3);
        maintenance.scheduleWithFixedDelay(this::confirmInFlight, confirmEvery, confirmEvery, TimeUnit.MILLISECONDS);
        long sweepEvery = settings.sweepInterval().toMillis();
        maintenance.scheduleWithFixedDelay(this::recoverStalled, sweepEvery, sweepEvery, TimeUnit.MILLISECONDS);
        log.info("{} import workers started as {}", threads.size(), instance);
    }

    private void consume(String consumer) {
        ChunkQueue.Reader reader = null;
        boolean failing = false;
        while (running) {
            try {
                if (reader == null) {
                    queue.ensureGroup();
                    reader = queue.reader(consumer);
                }
                ChunkQueue.Delivery delivery = reader.reclaim();
                if (delivery == null && running) {
                    delivery = reader.next();
                }
                if (failing) {
                    log.info("Import worker {} reads the stream again", consumer);
                    failing = false;
                }
                if (delivery != null) {
                    handle(consumer, delivery);
                }
            } catch (RuntimeException e) {
                if (!failing) {
                    log.warn("Import worker {} cannot read the stream: {}; retrying", consumer, e.toString());
                    failing = true;
                }
                if (e instanceof RedisCommandExecutionException
                        && String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
                    // Redis lost the stream: recreate it with the group
                    closeQuietly(reader);
                    reader = null;
                }
                pause(REDIS_RETRY);
            }
        }
        closeQuietly(reader);
        try {
            queue.forget(consumer);
        } catch (RuntimeException e) {
            log.debug("Consumer {} not removed from the group: {}", consumer, e.toString());
        }
    }

    private void handle(String consumer, ChunkQueue.Delivery delivery) {
        if (delivery.chunk() < 0) {
            queue.done(delivery.entryId());
            return;
        }
        if (!running) {
            queue.release(delivery);
            return;
        }
        inFlight.put(delivery.entryId(), consumer);
        try {
            ChunkWork.Result result = work.run(delivery.chunk(), true, this::pauseUnlessStopping);
            switch (result.kind()) {
                case DONE -> queue.done(delivery.entryId());
                case SPLIT -> {
                    queue.enqueue(result.halves());
                    queue.done(delivery.entryId());
                }
                case BUSY -> {
                    // another delivery of the chunk is being worked on; if that worker dies, this entry is reclaimed
                }
                case RELEASED -> queue.release(delivery);
            }
        } finally {
            inFlight.remove(delivery.entryId());
        }
    }

    /** Confirms the entries being worked on, so that the group does not hand them to another worker. */
    private void confirmInFlight() {
        Map<String, List<String>> byConsumer = new java.util.HashMap<>();
        inFlight.forEach((entry, consumer) ->
                byConsumer.computeIfAbsent(consumer, c -> new ArrayList<>()).add(entry));
        byConsumer.forEach((consumer, entries) -> {
            try {
                queue.confirm(consumer, entries);
            } catch (RuntimeException e) {
                log.debug("Chunks of {} not confirmed: {}", consumer, e.toString());
            }
        });
    }

    /** Queues again the pending chunks of jobs whose heartbeat stopped, and ends them when done. */
    void recoverStalled() {
        try {
            for (ImportJobs.Stalled stalled : jobs.takeStalled(settings.stallTimeout())) {
                if (stalled.state().equals(ImportJob.RECEIVING)) {
                    jobs.finishIntake(
                            stalled.id(),
                            "the upload stopped before it was stored completely; its stored rows" + " were imported");
                }
                List<Long> pending = jobs.pendingChunks(stalled.id());
                log.warn(
                        "Import job {} ({}) stalled; {} pending chunks queued again",
                        stalled.id(),
                        stalled.state(),
                        pending.size());
                queue.enqueue(pending);
                work.finishIfDone(stalled.id());
            }
        } catch (RuntimeException e) {
            log.warn("Stalled import jobs not recovered: {}", e.toString());
        }
    }

    private boolean pauseUnlessStopping(Duration pause) {
        return running && pause(pause) && running;
    }

    private static boolean pause(Duration pause) {
        try {
            Thread.sleep(pause);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void closeQuietly(ChunkQueue.@Nullable Reader reader) {
        if (reader != null) {
            try {
                reader.close();
            } catch (RuntimeException e) {
                // closing a broken connection
            }
        }
    }

    @Override
    public void stop() {
        List<Thread> stopping;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            stopping = List.copyOf(threads);
            threads.clear();
        }
        long deadline = System.nanoTime()
                + shutdown.atMost(settings.worker().shutdownWait()).toNanos();
        for (Thread thread : stopping) {
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
        ScheduledExecutorService scheduler = maintenance;
        if (scheduler != null) {
            scheduler.shutdownNow();
            maintenance = null;
        }
        log.info("Import workers of {} stopped", instance);
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
