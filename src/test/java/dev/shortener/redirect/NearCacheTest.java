package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.redirect.CachedLink.Version;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-process level on its own: what a refresh keeps and replaces, and which copy wins. */
class NearCacheTest {

    private final RedirectSettings settings = settings(Duration.ofMinutes(10));
    private final ConcurrentHashMap<String, String> targets = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    // each read below makes new objects, as a read from Redis or PostgreSQL does
    /** Codes whose row is gone; any other code without a target fails its read, keeping its copy. */
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean failing = new AtomicBoolean();
    private final NearCache cache = new NearCache(settings, this::readBelow);

    private CachedLink readBelow(String code) {
        reads.incrementAndGet();
        if (failing.get()) {
            throw new IllegalStateException("neither Redis nor PostgreSQL answers");
        }
        if (deleted.contains(code)) {
            return CachedLink.ABSENT;
        }
        String target = targets.get(code);
        if (target == null) {
            throw new IllegalStateException("no answer for " + code);
        }
        return CachedLink.of(1, 2L, new String(target), true, false, 1);
    }

    /** Links refreshed after 50 ms of their lifetime, kept for {@code nearCacheTtl}. */
    private static RedirectSettings settings(Duration nearCacheTtl) {
        return new RedirectSettings(
                100,
                nearCacheTtl,
                Duration.ofMillis(50),
                Duration.ofSeconds(10),
                Duration.ofHours(1),
                Duration.ofSeconds(30),
                "channel",
                Duration.ofMillis(200),
                3,
                Duration.ofSeconds(1),
                true,
                1,
                Duration.ofMillis(500),
                Duration.ofSeconds(1));
    }

    @AfterEach
    void close() {
        cache.destroy();
    }

    @Test
    void aRefreshThatFindsTheLinkUnchangedKeepsTheCachedObject() throws InterruptedException {
        targets.put("abc", "https://example.com/same");
        CachedLink cached = CachedLink.of(1, 2L, "https://example.com/same", true, false, 1);
        cache.put("abc", cached, cache.stamp());

        Thread.sleep(100); // past the refresh interval
        cache.get("abc");
        awaitTrue(() -> reads.get() == 1);

        Thread.sleep(50); // the reload has stored its answer
        assertThat(cache.get("abc")).isSameAs(cached);
    }

    @Test
    void aRevalidatedCopyIsServedOnceMoreAndReloadedInTheBackground() {
        targets.put("abc", "https://example.com/new");
        cache.put("abc", CachedLink.of(1, 2L, "https://example.com/old", true, false, 0), cache.stamp());

        cache.revalidate();

        assertThat(cache.get("abc").originalUrl()).isEqualTo("https://example.com/old");
        awaitTrue(() -> "https://example.com/new".equals(cache.get("abc").originalUrl()));
    }

    @Test
    void aRefreshThatFindsTheLinkChangedReplacesIt() {
        targets.put("abc", "https://example.com/new");
        cache.put("abc", CachedLink.of(1, 2L, "https://example.com/old", true, false, 0), cache.stamp());

        awaitTrue(() -> "https://example.com/new".equals(cache.get("abc").originalUrl()));
    }

    @Test
    void aCopyOlderThanAChangeNeverReplacesItsMarkButTheChangedLinkDoes() {
        cache.put("abc", link("https://example.com/old", 1), cache.stamp());

        assertThat(cache.invalidate("abc", new Version(2, Version.STALE), null)).isTrue();
        assertThat(cache.put("abc", link("https://example.com/old", 1), cache.stamp()))
                .as("refused: the caller must not answer with it")
                .isFalse();

        assertThat(cache.get("abc")).as("a lookup begun before the change").isNull();
        cache.put("abc", link("https://example.com/new", 2), cache.stamp());
        assertThat(cache.get("abc").originalUrl()).isEqualTo("https://example.com/new");
        assertThat(cache.invalidate("abc", new Version(2, Version.STALE), null))
                .as("the mark of a change already read")
                .isFalse();
        assertThat(cache.get("abc").originalUrl()).isEqualTo("https://example.com/new");
    }

    @Test
    void aDeletionIsItselfTheAnswerAndTheLinkAsItWasBeforeCannotComeBack() {
        cache.put("abc", link("https://example.com/gone", 3), cache.stamp());

        cache.invalidate("abc", new Version(3, Version.ABSENT), CachedLink.absent(3));
        cache.put("abc", link("https://example.com/gone", 3), cache.stamp());

        assertThat(cache.get("abc")).isEqualTo(CachedLink.absent(3));
        cache.put("abc", link("https://example.com/created-again", 4), cache.stamp());
        assertThat(cache.get("abc").originalUrl()).isEqualTo("https://example.com/created-again");
    }

    @Test
    void aRefreshThatFindsNoRowReplacesACopyWhoseDeletionWasNeverHeardOf() {
        cache.put("abc", link("https://example.com/deleted-elsewhere", 3), cache.stamp());
        deleted.add("abc");

        awaitTrue(() -> CachedLink.absent(3).equals(cache.get("abc")));
        assertThat(cache.put("abc", link("https://example.com/deleted-elsewhere", 3), cache.stamp()))
                .as("a copy read before the deletion")
                .isFalse();
        cache.put("abc", link("https://example.com/created-again", 4), cache.stamp());
        assertThat(cache.get("abc").originalUrl()).isEqualTo("https://example.com/created-again");
    }

    @Test
    void aRecordOfNoRowInRedisOlderThanTheCopyDoesNotReplaceIt() {
        NearCache checked =
                new NearCache(settings, code -> CachedLink.ABSENT, code -> link("https://example.com/live", 3));
        try {
            checked.put("abc", link("https://example.com/live", 3), checked.stamp());
            await().during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(2))
                    .until(() ->
                            checked.get("abc") != null && !checked.get("abc").absent());
        } finally {
            checked.destroy();
        }
    }

    @Test
    void aCopyOutlivesItsLifetimeWhileNoLevelBelowAnswers() {
        NearCache shortLived = new NearCache(settings(Duration.ofMillis(300)), this::readBelow);
        try {
            shortLived.put("abc", link("https://example.com/cached", 1), shortLived.stamp());
            failing.set(true);

            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> shortLived.get("abc") != null);
            failing.set(false);
            targets.put("abc", "https://example.com/changed");
            awaitTrue(() ->
                    "https://example.com/changed".equals(shortLived.get("abc").originalUrl()));
        } finally {
            shortLived.destroy();
        }
    }

    @Test
    void marksOutliveTheSizeBound() {
        cache.invalidate("abc", new Version(2, Version.STALE), null);
        for (int i = 0; i < 1_000; i++) {
            cache.put("other" + i, link("https://example.com/" + i, 1), cache.stamp());
        }

        cache.put("abc", link("https://example.com/old", 1), cache.stamp());

        assertThat(cache.get("abc")).isNull();
    }

    @Test
    void copiesTakenBeforeAGapOrWhileDistrustedAreNotServed() {
        cache.put("abc", link("https://example.com/a", 1), cache.stamp());

        long readBefore = cache.stamp();
        cache.forgetCopies();
        assertThat(cache.get("abc")).isNull();
        assertThat(cache.put("abc", link("https://example.com/a", 1), readBefore))
                .as("read before the gap, stored after it")
                .isFalse();
        cache.put("abc", link("https://example.com/a", 1), cache.stamp());
        assertThat(cache.get("abc")).isNotNull();

        cache.distrust();
        assertThat(cache.get("abc")).isNull();
        cache.put("abc", link("https://example.com/a", 1), cache.stamp());
        assertThat(cache.get("abc")).isNull();
        cache.trust();
        assertThat(cache.get("abc"))
                .as("copied from Redis while invalidations were late, none lost")
                .isNotNull();
    }

    private static CachedLink link(String target, long version) {
        return CachedLink.of(1, 2L, target, true, false, version);
    }

    private static void awaitTrue(Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).until(condition);
    }
}
