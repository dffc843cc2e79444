package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.AppInstance;
import dev.shortener.TestDatabase;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Closing an instance writes every click it had queued before its DataSource closes. */
class ClickShutdownTest {

    @Test
    void aGracefulShutdownCommitsEveryQueuedClick() {
        AppInstance instance = AppInstance.start(Map.of("shortener.clicks.flush-interval", "10m"));
        TestLinks links = new TestLinks(instance.api(), instance.context());
        Link link = links.create("bye" + Long.toString(System.nanoTime(), 36), "https://example.com/bye", true);
        for (int i = 0; i < 30; i++) {
            instance.api().get("/" + link.shortCode()).expect(302);
        }
        Environment env = instance.bean(Environment.class);
        JdbcClient db = TestDatabase.outside(env);
        assertThat(links.clicks(link.id())).as("clicks are still queued").isZero();

        instance.close();

        assertThat(db.sql("SELECT count(*) FROM events WHERE url_id = ? AND event_type = 'click'")
                        .param(link.id())
                        .query(Long.class)
                        .single())
                .isEqualTo(30);
    }
}
