package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.AppInstance;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import redis.embedded.RedisServer;

/** An instance whose Redis is down when it starts: it redirects at once and subscribes once Redis is up. */
class RedisDownAtStartTest {

    @Test
    void anInstanceStartsWithoutRedisAndSubscribesToInvalidationsWhenRedisComesUp() throws IOException {
        OwnRedis own = OwnRedis.onAFreePort();
        RedisServer redis = own.server();
        try (AppInstance instance = AppInstance.start(
                Map.of("spring.data.redis.url", own.url(), "shortener.redirect.circuit-probe-interval", "200ms"))) {
            RedisMessageListenerContainer invalidations =
                    instance.context().getBean(InvalidationContainer.NAME, RedisMessageListenerContainer.class);
            Link link = new TestLinks(instance.api(), instance.context())
                    .create("down" + Long.toString(System.nanoTime(), 36), "https://example.com/down", true);

            assertThat(instance.api().get("/" + link.shortCode()).status()).isEqualTo(302);
            assertThat(invalidations.isListening()).isFalse();

            redis.start();
            await().atMost(Duration.ofSeconds(10)).until(invalidations::isListening);
        } finally {
            if (redis.isActive()) {
                redis.stop();
            }
        }
    }
}
