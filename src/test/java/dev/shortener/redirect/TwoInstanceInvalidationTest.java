package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import io.lettuce.core.KillArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Two instances of the application (this test's context, A, and a second one, B) share one
 * PostgreSQL and one Redis. Once A acknowledged a change, A never answers from the old state, and
 * B stops doing so within one second, although B had the link in its near cache, also when its
 * subscription to changes was lost (ADR 0008).
 */
class TwoInstanceInvalidationTest extends ApiTest {

    private static final Duration LIMIT = Duration.ofSeconds(1);
    private static final int TOGGLES = 2_000;

    private static AppInstance instanceB;

    @Autowired
    ApplicationContext context;

    TestLinks onA;

    @BeforeAll
    static void startSecondInstance() {
        instanceB = AppInstance.start(Map.of());
    }

    @AfterAll
    static void stopSecondInstance() {
        instanceB.close();
    }

    @BeforeEach
    void links() {
        onA = new TestLinks(api, context);
    }

    private Link cachedOnBothInstances(String target) {
        Link link = onA.create(unique("two"), target, true);
        for (Api instance : new Api[] {api, instanceB.api()}) {
            instance.get("/" + link.shortCode()).expect(302);
            instance.get("/" + link.shortCode()).expect(302);
        }
        return link;
    }

    /** Polls B until it answers as expected; returns how long that took. */
    private static Duration untilB(String code, Predicate<Api.Response> expected) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < Duration.ofSeconds(5).toNanos()) {
            if (expected.test(instanceB.api().get("/" + code))) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Thread.sleep(5);
        }
        return Duration.ofSeconds(5);
    }

    @Test
    void aTargetChangedOnOneInstanceIsFollowedByTheOtherWithinOneSecond() throws InterruptedException {
        Link link = cachedOnBothInstances("https://example.com/old-target");

        onA.changeTarget(link, "https://example.com/new-target");

        Duration took = untilB(
                link.shortCode(),
                r -> r.status() == 302 && "https://example.com/new-target".equals(r.header("Location")));
        assertThat(took).isLessThan(LIMIT);
    }

    @Test
    void aLinkDeactivatedOnOneInstanceStopsRedirectingOnTheOtherWithinOneSecond() throws InterruptedException {
        Link link = cachedOnBothInstances("https://example.com/to-deactivate");

        onA.deactivate(link);

        assertThat(untilB(link.shortCode(), r -> r.status() == 404)).isLessThan(LIMIT);
    }

    @Test
    void aLinkDeletedOnOneInstanceStopsRedirectingOnTheOtherWithinOneSecond() throws InterruptedException {
        Link link = cachedOnBothInstances("https://example.com/to-delete");

        onA.delete(link);

        assertThat(untilB(link.shortCode(), r -> r.status() == 404)).isLessThan(LIMIT);
    }

    @Test
    void aCodeKnownAsUnknownOnTheOtherInstanceRedirectsThereOnceCreated() throws InterruptedException {
        String code = unique("fresh");
        instanceB.api().get("/" + code).expect(404);

        onA.create(code, "https://example.com/fresh", true);

        assertThat(untilB(code, r -> r.status() == 302)).isLessThan(LIMIT);
    }

    @Test
    void lookupsRacingThousandsOfChangesNeverSeeAnAcknowledgedChangeUndoneHereNorForOverASecondThere()
            throws Exception {
        Link link = cachedOnBothInstances("https://example.com/toggled");
        AtomicLong started = new AtomicLong();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLongArray acknowledgedAt = new AtomicLongArray(TOGGLES + 1);
        AtomicLong checkedOnA = new AtomicLong();
        AtomicLong oldStateOnA = new AtomicLong();
        AtomicLong longestLagOnB = new AtomicLong();
        AtomicBoolean toggling = new AtomicBoolean(true);
        acknowledgedAt.set(0, System.nanoTime());

        // change n (from 1) deactivates the link when n is odd: state n redirects when n is even
        List<Thread> readers = new ArrayList<>();
        for (Api instance : List.of(api, instanceB.api())) {
            boolean onA = instance == api;
            readers.add(Thread.ofPlatform().start(() -> {
                while (toggling.get()) {
                    long before = acknowledged.get();
                    long sentAt = System.nanoTime();
                    int status = instance.get("/" + link.shortCode()).status();
                    if (started.get() != before) {
                        continue; // a change was under way: either state is right
                    }
                    boolean oldState = (status == 302) != (before % 2 == 0);
                    if (onA) {
                        checkedOnA.incrementAndGet();
                        if (oldState) {
                            oldStateOnA.incrementAndGet();
                        }
                    } else if (oldState) {
                        longestLagOnB.accumulateAndGet(sentAt - acknowledgedAt.get((int) before), Math::max);
                    }
                }
            }));
        }
        for (int change = 1; change <= TOGGLES; change++) {
            started.set(change);
            api.put("/urls/" + link.id(), Map.of("is_active", change % 2 == 0)).expect(200);
            acknowledgedAt.set(change, System.nanoTime());
            long checked = checkedOnA.get();
            acknowledged.set(change);
            // a lookup on A checked against this state before the next change
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (checkedOnA.get() <= checked + 1 && System.nanoTime() < deadline) {
                Thread.yield();
            }
        }
        toggling.set(false);
        for (Thread reader : readers) {
            reader.join();
        }

        assertThat(checkedOnA.get()).as("lookups checked on A").isGreaterThan(TOGGLES);
        assertThat(oldStateOnA.get())
                .as("answers on A from a state A had acknowledged as changed")
                .isZero();
        assertThat(Duration.ofNanos(longestLagOnB.get())).isLessThan(LIMIT);
    }

    @Test
    void aSubscriptionCutByRedisIsMadeAgainAndWhatItMissedIsNotServed() throws InterruptedException {
        Link link = cachedOnBothInstances("https://example.com/cut");
        double gaps = gapsOnB();
        StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);

        redis.execute((RedisCallback<Object>) connection -> {
            @SuppressWarnings("unchecked")
            var commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
            return commands.clientKill(KillArgs.Builder.typePubsub())
                    .toCompletableFuture()
                    .join();
        });
        onA.deactivate(link);

        assertThat(untilB(link.shortCode(), r -> r.status() == 404)).isLessThan(LIMIT);
        await().atMost(Duration.ofSeconds(5)).until(() -> gapsOnB() > gaps);
    }

    @Test
    void anInstanceWhoseSubscriptionDiesWithoutAWordFollowsTheNextChangeWithinASecond() throws InterruptedException {
        try (AppInstance instanceC = AppInstance.start(Map.of())) {
            Link link = onA.create(unique("deaf"), "https://example.com/deaf", true);
            NearCache nearOnC = instanceC.bean(NearCache.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                instanceC.api().get("/" + link.shortCode()).expect(302);
                return nearOnC.get(link.shortCode()) != null;
            });
            double gapsBefore = gaps(instanceC);

            // the subscription ends without a word to the subscriber, as a connection that dies unnoticed
            instanceC
                    .context()
                    .getBean(InvalidationContainer.NAME, RedisMessageListenerContainer.class)
                    .removeMessageListener(instanceC.bean(InvalidationSubscriber.class));
            onA.deactivate(link);

            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> instanceC.api().get("/" + link.shortCode()).status() == 404);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LIMIT);
            assertThat(gaps(instanceC)).as("the silence noticed").isGreaterThan(gapsBefore);
            await().atMost(Duration.ofSeconds(5)).until(nearOnC::trusted);
        }
    }

    private static double gapsOnB() {
        return gaps(instanceB);
    }

    private static double gaps(AppInstance instance) {
        return instance.counted("shortener.link.invalidation.gaps");
    }
}
