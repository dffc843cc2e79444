package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.AppInstance;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import redis.embedded.RedisServer;

/**
 * Redirects with a Redis that dies, hangs and comes back. The instance under test has a Redis of
 * its own (started here on a free port), so stopping it disturbs no other test.
 */
class RedisOutageTest {

    private static int port;
    private static RedisServer redisServer;
    private static AppInstance instance;
    private static TestLinks links;
    private static Api api;

    @BeforeAll
    static void start() throws IOException {
        OwnRedis own = OwnRedis.onAFreePort();
        port = own.port();
        redisServer = own.server();
        redisServer.start();
        // A command timeout above the 250 ms default, so that a busy test machine does not open the
        // circuit before the outage this test causes; still well under the 1 s a hang may cost.
        instance = AppInstance.start(
                Map.of("spring.data.redis.url", "redis://127.0.0.1:" + port, "spring.data.redis.timeout", "500ms"));
        links = new TestLinks(instance.api(), instance.context());
        api = instance.api();
    }

    @AfterAll
    static void stop() throws IOException {
        instance.close();
        if (redisServer.isActive()) {
            redisServer.stop();
        }
    }

    @AfterEach
    void redisRunsAgain() throws IOException {
        if (!redisServer.isActive()) {
            redisServer.start();
        }
    }

    private static double circuitOpen() {
        return instance.bean(MeterRegistry.class)
                .get("shortener.redis.circuit.open")
                .gauge()
                .value();
    }

    private static Link link(String name) {
        return links.create(name + Long.toString(System.nanoTime(), 36), "https://example.com/" + name, true);
    }

    /**
     * Whether the first redirect of a new link leaves its entry in Redis; a loaded machine may need
     * more than one command timeout to answer the check.
     */
    private static boolean cachedInRedis(StringRedisTemplate redis, Link link) throws InterruptedException {
        redirects(link);
        // a command may time out while Redis is slowed down: ask again, as a reader would
        String value = await().atMost(Duration.ofSeconds(5))
                .ignoreException(org.springframework.dao.QueryTimeoutException.class)
                .until(() -> Optional.ofNullable(redis.opsForValue().get("link:" + link.shortCode())), any -> true)
                .orElse(null);
        return value != null && CachedLink.decode(value) != null;
    }

    /** A redirect that must answer 302 quickly whatever state Redis is in. */
    private static void redirects(Link link) {
        long start = System.nanoTime();
        api.get("/" + link.shortCode()).expect(302);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    private static void awaitCircuit(double state) {
        await("shortener.redis.circuit.open = " + state)
                .atMost(Duration.ofSeconds(20))
                .until(() -> circuitOpen() == state);
    }

    @Test
    void redirectsKeepWorkingWhileRedisIsDownAndRedisIsUsedAgainOnceItIsBack() throws Exception {
        Link cached = link("cached");
        Link uncached = link("uncached");
        awaitCircuit(0.0);
        StringRedisTemplate redis = instance.bean(StringRedisTemplate.class);
        assertThat(cachedInRedis(redis, cached)).isTrue();

        redisServer.stop();

        redirects(cached);
        for (int i = 0; i < 5; i++) {
            redirects(uncached);
            redirects(link("during"));
        }
        awaitCircuit(1.0);
        // changed behind this instance's back: its invalidation could not be published
        instance.bean(JdbcClient.class)
                .sql("UPDATE urls SET original_url = 'https://example.com/moved' WHERE id = ?")
                .param(cached.id())
                .update();
        List<Link> fresh = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fresh.add(link("open"));
        }
        long start = System.nanoTime();
        fresh.forEach(RedisOutageTest::redirects);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("with the circuit open no request waits for Redis")
                .isLessThan(Duration.ofSeconds(2));

        redisServer.start();

        awaitCircuit(0.0);
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        String target;
        do {
            target = api.get("/" + cached.shortCode()).expect(302).header("Location");
        } while (!target.endsWith("/moved") && System.nanoTime() < deadline);
        assertThat(target)
                .as("a change whose invalidation was missed during the outage is picked up once Redis is back")
                .isEqualTo("https://example.com/moved");
        Link after = link("after");
        assertThat(cachedInRedis(redis, after)).isTrue();
        instance.bean(dev.shortener.event.ClickRecorder.class).flush();
        assertThat(links.clicks(uncached.id())).isEqualTo(5);
    }

    @Test
    void aRedisThatHangsCostsAtMostTheCommandTimeout() throws Exception {
        Link link = link("paused");
        StringRedisTemplate redis = instance.bean(StringRedisTemplate.class);
        redis.execute((org.springframework.data.redis.core.RedisCallback<Object>)
                connection -> connection.execute("CLIENT", "PAUSE".getBytes(), "3000".getBytes(), "ALL".getBytes()));

        long start = System.nanoTime();
        redirects(link);
        // the lookup and the cache fill may each wait one command timeout (500 ms here), no more
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        awaitCircuit(0.0);
    }

    @Test
    void aRedisThatTimedOutLeavesTheNearCacheInPlace() throws Exception {
        Link kept = link("kept");
        redirects(kept);
        awaitCircuit(0.0);
        StringRedisTemplate redis = instance.bean(StringRedisTemplate.class);
        redis.execute((org.springframework.data.redis.core.RedisCallback<Object>)
                connection -> connection.execute("CLIENT", "PAUSE".getBytes(), "4000".getBytes(), "ALL".getBytes()));

        // new links: each misses the near cache and times out on Redis twice (read, then fill)
        redirects(link("slow"));
        redirects(link("slower"));
        awaitCircuit(1.0);
        awaitCircuit(0.0);

        assertThat(instance.bean(NearCache.class).get(kept.shortCode()))
                .as("the near cache is not dropped when Redis comes back")
                .isNotNull();
    }
}
