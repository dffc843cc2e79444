package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.FaultProxy;
import dev.shortener.FaultProxy.Fault;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A link change that Redis did not take is delivered by another instance once Redis answers it,
 * although the instance that made the change stopped before it could: otherwise Redis's copy from
 * before the change, and the other instances' near caches, would go on redirecting (ADR 0008).
 */
class UndeliveredChangesTest extends ApiTest {

    @Autowired
    Environment env;

    @Autowired
    JdbcClient db;

    @Test
    void aDeactivationRedisMissedIsDeliveredAfterItsInstanceStopped() throws Exception {
        try (FaultProxy redis = FaultProxy.inFrontOfRedis(env)) {
            Map<String, String> settings = new HashMap<>(redis.route());
            settings.put("spring.data.redis.timeout", "300ms");
            AppInstance changer = AppInstance.start(settings);
            Link link;
            try {
                TestLinks links = new TestLinks(changer.api(), changer.context());
                link = links.create(unique("undelivered"), "https://example.com/undelivered", true);
                // this instance (the test's) caches the link, and Redis holds its copy
                api.get("/" + link.shortCode()).expect(302);
                api.get("/" + link.shortCode()).expect(302);

                redis.inject(Fault.DOWN);
                links.deactivate(link);
                assertThat(changer.api().get("/" + link.shortCode()).status()).isNotEqualTo(302);
            } finally {
                changer.close();
            }

            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> api.get("/" + link.shortCode()).status() != 302);
            await().atMost(Duration.ofSeconds(5)).until(() -> kept(link.shortCode()) == 0);
        }
    }

    private long kept(String code) {
        return db.sql("SELECT count(*) FROM undelivered_link_changes WHERE code = ?")
                .param(code)
                .query(Long.class)
                .single();
    }
}
