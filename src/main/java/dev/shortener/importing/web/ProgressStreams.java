package dev.shortener.importing.web;

import dev.shortener.importing.ImportSettings;
import dev.shortener.importing.job.ImportJob;
import dev.shortener.importing.job.ImportJobs;
import dev.shortener.importing.job.ImportProgress;
import dev.shortener.platform.Problems;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events of a job's progress. A stream relays the job's changes published by any
 * instance ({@link ImportProgress}); when none arrives for a progress interval, it reads the job
 * from PostgreSQL and sends it again, so a client hears from a running job at least that often and
 * a lost message costs at most one interval. Event ids are the job's versions: they never go
 * down, and a reconnecting client's {@code Last-Event-ID} tells which changes it has seen. The
 * last event is named after the final state ({@code completed} or {@code failed}) and ends the
 * stream.
 */
@Component
public class ProgressStreams implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProgressStreams.class);

    static final String PROGRESS = "progress";

    private final ImportJobs jobs;
    private final ImportProgress progress;
    private final ImportSettings settings;
    private final Set<SseEmitter> open = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> openPerCaller = new ConcurrentHashMap<>();
    private final ExecutorService relays = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running;

    ProgressStreams(ImportJobs jobs, ImportProgress progress, ImportSettings settings) {
        this.jobs = jobs;
        this.progress = progress;
        this.settings = settings;
    }

    /**
     * Streams the job's progress from the version after {@code lastSeen} (-1: from the start); a
     * caller that holds {@code IMPORT_EVENTS_PER_CALLER} streams open already gets a 429.
     */
    SseEmitter open(ImportJob job, long lastSeen, String caller) {
        AtomicInteger held = openPerCaller.computeIfAbsent(caller, key -> new AtomicInteger());
        if (held.incrementAndGet() > settings.eventsPerCaller()) {
            held.decrementAndGet();
            throw Problems.problem(
                    HttpStatus.TOO_MANY_REQUESTS,
                    "At most " + settings.eventsPerCaller() + " progress streams may be open at once; close one");
        }
        SseEmitter emitter = new SseEmitter(settings.eventsTimeout().toMillis());
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (!closed.getAndSet(true)) {
                held.decrementAndGet();
            }
            open.remove(emitter);
        };
        emitter.onCompletion(close);
        emitter.onTimeout(close);
        emitter.onError(error -> close.run());
        open.add(emitter);
        relays.execute(() -> relay(emitter, closed, job.id(), lastSeen));
        return emitter;
    }

    private void relay(SseEmitter emitter, AtomicBoolean closed, long jobId, long lastSeen) {
        BlockingQueue<ImportJob> published = new LinkedBlockingQueue<>();
        long interval = settings.progressInterval().toNanos();
        try (ImportProgress.Subscription subscription = progress.subscribe(jobId, published::offer)) {
            // read after subscribing: a change made in between arrives as a message
            ImportJob current = jobs.find(jobId).orElseThrow();
            long lastSent = lastSeen;
            long lastSentAt = 0;
            while (!closed.get()) {
                if (current.finished()) {
                    emitter.send(event(current, current.state()));
                    emitter.complete();
                    return;
                }
                long now = System.nanoTime();
                if (current.version() > lastSent || now - lastSentAt >= interval) {
                    emitter.send(event(current, PROGRESS));
                    lastSent = Math.max(lastSent, current.version());
                    lastSentAt = now;
                }
                long wait = Math.max(0, interval - (System.nanoTime() - lastSentAt));
                ImportJob next = published.poll(wait, TimeUnit.NANOSECONDS);
                if (next != null) {
                    for (ImportJob more = published.poll(); more != null; more = published.poll()) {
                        next = more.version() > next.version() ? more : next;
                    }
                } else {
                    subscription.renew();
                    next = jobs.find(jobId).orElseThrow();
                }
                if (next.version() >= current.version()) {
                    current = next;
                }
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away, or the stream was completed
            log.debug("Progress stream of import job {} ended: {}", jobId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            complete(emitter);
        } catch (RuntimeException e) {
            log.warn("Progress stream of import job {} failed: {}", jobId, e.toString());
            complete(emitter);
        }
    }

    private static SseEmitter.SseEventBuilder event(ImportJob job, String name) {
        return SseEmitter.event().id(Long.toString(job.version())).name(name).data(job, MediaType.APPLICATION_JSON);
    }

    private static void complete(SseEmitter emitter) {
        try {
            emitter.complete();
        } catch (RuntimeException e) {
            // already completed
        }
    }

    @Override
    public void start() {
        running = true;
    }

    /** Ends every open stream, so that clients reconnect (with Last-Event-ID) to another instance. */
    @Override
    public void stop() {
        running = false;
        open.forEach(ProgressStreams::complete);
        open.clear();
    }

    /** A stopped instance may be started again; the relay threads end with the context. */
    @PreDestroy
    void close() {
        relays.shutdownNow();
        try {
            relays.awaitTermination(Duration.ofSeconds(2).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
