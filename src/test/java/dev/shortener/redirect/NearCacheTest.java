package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-process level on its own: what a refresh keeps and what it replaces. */
class NearCacheTest {

    private final RedirectSettings settings = new RedirectSettings(
            100,
            Duration.ofMinutes(10),
            Duration.ofMillis(50),
            Duration.ofSeconds(10),
            Duration.ofHours(1),
            Duration.ofSeconds(30),
            "channel",
            Duration.ofMillis(300),
            3,
            Duration.ofSeconds(1),
            true);
    private final NearCache cache = new NearCache(settings);
    private final ConcurrentHashMap<String, String> targets = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();

    NearCacheTest() {
        // each read below makes new objects, as a read from Redis or PostgreSQL does
        cache.loadWith(code -> {
            reads.incrementAndGet();
            return new CachedLink(1, 2L, new String(targets.get(code)), true);
        });
    }

    @AfterEach
    void close() {
        cache.destroy();
    }

    @Test
    void aRefreshThatFindsTheLinkUnchangedKeepsTheCachedObject() throws InterruptedException {
        targets.put("abc", "https://example.com/same");
        CachedLink cached = new CachedLink(1, 2L, "https://example.com/same", true);
        cache.put("abc", cached);

        Thread.sleep(100); // past the refresh interval
        cache.get("abc");
        awaitTrue(() -> reads.get() == 1);
        cache.revalidate();
        cache.get("abc");
        awaitTrue(() -> reads.get() == 2);

        Thread.sleep(50); // the reload has stored its answer
        assertThat(cache.get("abc")).isSameAs(cached);
    }

    @Test
    void aRefreshThatFindsTheLinkChangedReplacesIt() {
        targets.put("abc", "https://example.com/new");
        cache.put("abc", new CachedLink(1, 2L, "https://example.com/old", true));

        cache.revalidate();
        cache.get("abc");

        awaitTrue(() -> "https://example.com/new".equals(cache.get("abc").originalUrl()));
    }

    private static void awaitTrue(Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("condition met within 5 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
