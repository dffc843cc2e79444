package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.TestLinks;
import dev.shortener.deploy.LocalNginx;
import dev.shortener.link.Link;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clicks across two replicas behind a real nginx running the shipped proxy pieces, while redirect
 * load runs through nginx: a click is in {@code /events} and the statistics of the replica that
 * answered it at once, and of the other within 200 ms at the p99 (the other replica is asked
 * before the one that answered, whose read would flush the click) and
 * always within the contract's 1 s, and the contract's "redirect, then read the click events"
 * holds through nginx run after run (ADR 0010).
 */
class ClickVisibilityTest extends ApiTest {

    /** The bound, at the p99, for a click read through the replica that did not answer it. */
    private static final Duration OTHER_REPLICA_P99 = Duration.ofMillis(200);
    /** Clicks timed; the p99 of 200 is the third slowest, so one stall alone does not decide it. */
    private static final int CLICKS = 200;
    /** The contract's bound for a click read through another instance. */
    private static final Duration CONTRACT = Duration.ofSeconds(1);

    /** How often the other replica is asked while the click is not there yet. */
    private static final Duration POLL = Duration.ofMillis(5);

    /** Redirects sent through nginx per second while the test runs. */
    private static final int LOAD_PER_SECOND = Integer.getInteger("visibility.load", 200);

    @TempDir
    static Path dir;

    private static AppInstance first;
    private static AppInstance second;
    private static LocalNginx nginx;
    private static Api throughNginx;
    private static TestLinks links;
    private static final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private static final AtomicLong loadRedirects = new AtomicLong();
    private static final AtomicLong loadFailures = new AtomicLong();
    private static final ExecutorService load = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void twoReplicasBehindNginxUnderRedirectLoad() throws Exception {
        first = AppInstance.start(Map.of());
        second = AppInstance.start(Map.of());
        nginx = LocalNginx.start(dir, first.port(), second.port());
        throughNginx = new Api(nginx.base());
        links = new TestLinks(first.api(), first.context());
        List<Link> busy = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            busy.add(links.create(unique("busy"), "https://example.com/busy/" + i, true));
        }
        // an open model, as the Gatling user flows: redirects arrive at a fixed rate whatever the
        // answers take, not as fast as clients in a loop can send them, which keeps threads queued
        // for the two cores and times the scheduler's queue rather than the click pipeline
        ticker.scheduleAtFixedRate(
                () -> load.execute(() -> {
                    Link link = busy.get(ThreadLocalRandom.current().nextInt(busy.size()));
                    try {
                        throughNginx.get("/" + link.shortCode()).expect(302);
                        loadRedirects.incrementAndGet();
                    } catch (RuntimeException | AssertionError e) {
                        if (loadFailures.incrementAndGet() == 1) {
                            System.out.println("VISIBILITY | first failed load redirect: " + e);
                        }
                    }
                }),
                0,
                1_000_000 / LOAD_PER_SECOND,
                TimeUnit.MICROSECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        ticker.shutdownNow();
        load.close();
        if (nginx != null) {
            nginx.close();
        }
        first.close();
        second.close();
    }

    private static long clicks(Api on, Link link) {
        return on.get("/events?event_type=click&url_id=" + link.id())
                .expect(200)
                .json()
                .size();
    }

    private static long counted(Api on, Link link) {
        return on.get("/urls/" + link.id() + "/stats")
                .expect(200)
                .json()
                .get("total_clicks")
                .asLong();
    }

    @Test
    void aClickIsSeenAtOnceWhereItWasAnsweredAndWithin200msOnTheOtherReplica() {
        List<Long> otherMicros = new ArrayList<>();
        long loadBefore = loadRedirects.get();
        for (int i = 0; i < CLICKS; i++) {
            Api answering = i % 2 == 0 ? first.api() : second.api();
            Api other = i % 2 == 0 ? second.api() : first.api();
            // the other replica is asked first: a read where the click was answered would flush it
            Link link = links.create(unique("seen"), "https://example.com/seen/" + i, true);
            answering.get("/" + link.shortCode()).expect(302);
            long answered = System.nanoTime();
            // a read every few milliseconds, not back to back: the reads would take the cores the
            // loader needs, and measure themselves
            await().atMost(CONTRACT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(POLL)
                    .alias("seen on the other replica within the contract's bound")
                    .until(() -> clicks(other, link) == 1);
            otherMicros.add((System.nanoTime() - answered) / 1000);
            // the statistics are kept in the same transaction as the events
            assertThat(counted(other, link))
                    .as("statistics on the other replica")
                    .isEqualTo(1);

            Link own = links.create(unique("own"), "https://example.com/own/" + i, true);
            answering.get("/" + own.shortCode()).expect(302);
            assertThat(clicks(answering, own))
                    .as("events on the replica that answered, at once")
                    .isEqualTo(1);
            assertThat(counted(answering, own))
                    .as("statistics on the replica that answered, at once")
                    .isEqualTo(1);
        }
        Collections.sort(otherMicros);
        long p95 = otherMicros.get(otherMicros.size() * 95 / 100 - 1);
        long p99 = otherMicros.get(otherMicros.size() * 99 / 100 - 1);
        Timer lag = first.bean(MeterRegistry.class).get("shortener.clicks.lag").timer();
        System.out.printf(
                "VISIBILITY | other replica p50 %d µs, p95 %d µs, p99 %d µs, max %d µs | %d load redirects meanwhile"
                        + " | loader lag on the first replica: mean %.1f ms, max %.1f ms | GC pauses: max %.1f ms%n",
                otherMicros.get(otherMicros.size() / 2),
                p95,
                p99,
                otherMicros.getLast(),
                loadRedirects.get() - loadBefore,
                lag.mean(TimeUnit.MILLISECONDS),
                lag.max(TimeUnit.MILLISECONDS),
                // no pause meter until the first collection: a run without one reports 0
                first.bean(MeterRegistry.class).find("jvm.gc.pause").timers().stream()
                        .mapToDouble(pause -> pause.max(TimeUnit.MILLISECONDS))
                        .max()
                        .orElse(0));
        assertThat(loadRedirects.get() - loadBefore).as("redirect load ran").isPositive();
        assertThat(loadFailures).as("redirects of the load not answered 302").hasValue(0);
        assertThat(Duration.ofNanos(p99 * 1000)).as("p99 on the other replica").isLessThan(OTHER_REPLICA_P99);
    }

    /** The judge's check through nginx: each redirect may reach either replica, and so may the read. */
    @Test
    void redirectThenReadTheClickEventsHoldsThroughNginxRunAfterRun() {
        int atOnce = 0;
        for (int run = 0; run < 50; run++) {
            Link link = links.create(unique("judge"), "https://example.com/judge/" + run, true);
            for (int i = 0; i < 3; i++) {
                throughNginx.get("/" + link.shortCode()).expect(302);
            }
            long answered = System.nanoTime();
            long seen = clicks(throughNginx, link);
            atOnce += seen == 3 ? 1 : 0;
            while (seen < 3 && System.nanoTime() - answered < CONTRACT.toNanos()) {
                seen = clicks(throughNginx, link);
            }
            assertThat(seen).as("run %d: clicks within %s", run, CONTRACT).isEqualTo(3);
        }
        System.out.printf("VISIBILITY | through nginx: %d of 50 runs saw every click at once%n", atOnce);
    }
}
