package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * Two instances of the application (this test's context, A, and a second one, B) share one
 * PostgreSQL and one Redis. A change made through A must stop B redirecting to the old target
 * within one second, although B had the link in its near cache.
 */
class TwoInstanceInvalidationTest extends ApiTest {

    private static final Duration LIMIT = Duration.ofSeconds(1);

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
}
