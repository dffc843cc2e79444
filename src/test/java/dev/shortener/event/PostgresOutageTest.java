package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import dev.shortener.redirect.Redirector;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An instance whose PostgreSQL goes away under redirect load: the instance under test reaches the
 * tests' database through a {@link PostgresProxy} that refuses every connection for a while.
 */
class PostgresOutageTest extends ApiTest {

    private static final int LINKS = 20;
    private static final int THREADS = 8;
    private static final int EACH = 250;

    @Autowired
    Environment env;

    @Autowired
    JdbcClient db;

    private long clicks(List<Link> links) {
        return db.sql("SELECT count(*) FROM events WHERE event_type = 'click' AND url_id IN (:ids)")
                .param("ids", links.stream().map(Link::id).toList())
                .query(Long.class)
                .single();
    }

    private static double nearHits(AppInstance instance) {
        return instance.counted("shortener.cache.requests", "level", "near", "result", "hit");
    }

    /** The redirects of {@code GET /{code}} the instance answered with a 302, by its valve or Spring MVC. */
    private static double served(AppInstance instance) {
        return instance.bean(MeterRegistry.class)
                .get("http.server.requests")
                .tags("uri", Redirector.CODE_ROUTE, "status", "302")
                .timer()
                .count();
    }

    @Test
    void cachedLinksRedirectAtOnceWhilePostgresqlIsDownAndEveryClickIsStoredOnceWhenItReturns() throws Exception {
        try (PostgresProxy proxy = PostgresProxy.inFrontOf(env);
                AppInstance instance = AppInstance.start(Map.of(
                        "spring.datasource.url",
                        proxy.jdbcUrl(),
                        "spring.datasource.hikari.connection-timeout",
                        "1000",
                        // small enough that a redirect writing its own click once it fills would show
                        "shortener.clicks.queue-capacity",
                        "256",
                        "shortener.clicks.retry-backoff-max",
                        "500ms"))) {
            TestLinks links = new TestLinks(instance.api(), instance.context());
            List<Link> created = new ArrayList<>();
            for (int i = 0; i < LINKS; i++) {
                created.add(links.create(unique("pgdown"), "https://example.com/pg/" + i, true));
            }
            // until one pass over the links is served from the near cache alone
            AtomicInteger warming = new AtomicInteger();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                double before = nearHits(instance);
                for (Link link : created) {
                    instance.api().get("/" + link.shortCode()).expect(302);
                    warming.incrementAndGet();
                }
                return nearHits(instance) - before == LINKS;
            });

            await().atMost(Duration.ofSeconds(5)).until(() -> clicks(created) == warming.get());

            double servedBefore = served(instance);
            proxy.down();
            List<Long> micros = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger others = new AtomicInteger();
            try (ExecutorService redirecting = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> redirects = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int offset = t;
                    redirects.add(redirecting.submit(() -> {
                        for (int i = 0; i < EACH; i++) {
                            Link link = created.get((offset + i) % LINKS);
                            long start = System.nanoTime();
                            int status =
                                    instance.api().get("/" + link.shortCode()).status();
                            micros.add((System.nanoTime() - start) / 1000);
                            if (status != 302) {
                                others.incrementAndGet();
                            }
                        }
                    }));
                }
                for (Future<?> redirect : redirects) {
                    redirect.get(); // a request that failed fails the test
                }
            }
            // a GET whose answer was lost on its connection may be sent again by the client: the
            // instance's own count of the redirects it answered is what its clicks must match
            long servedWhileDown = Math.round(served(instance) - servedBefore);
            int uncached = instance.api().get("/" + unique("nf")).status();
            long storedWhileDown = clicks(created);
            proxy.up();

            assertThat(others)
                    .as("answers other than 302 while PostgreSQL was down")
                    .hasValue(0);
            List<Long> sorted = micros.stream().sorted().toList();
            assertThat(sorted.get(sorted.size() * 99 / 100))
                    .as("p99 of redirects while PostgreSQL was down, µs")
                    .isLessThan(100_000);
            assertThat(uncached)
                    .as("a code no cache knows, while PostgreSQL is down")
                    .isEqualTo(503);
            assertThat(servedWhileDown)
                    .as("redirects the instance answered while PostgreSQL was down")
                    .isGreaterThanOrEqualTo(THREADS * EACH);
            long expected = warming.get() + servedWhileDown;
            assertThat(storedWhileDown)
                    .as("nothing reaches PostgreSQL while it is down")
                    .isEqualTo(warming.get());
            await().atMost(Duration.ofSeconds(5)).until(() -> clicks(created) >= expected);
            assertThat(clicks(created))
                    .as(
                            "each click stored once: %d before, %d redirects answered while down",
                            warming.get(), servedWhileDown)
                    .isEqualTo(expected);
            assertThat(instance.bean(MeterRegistry.class).get("shortener.clicks.lost").counters().stream()
                            .mapToDouble(counter -> counter.count())
                            .sum())
                    .isZero();
        }
    }
}
