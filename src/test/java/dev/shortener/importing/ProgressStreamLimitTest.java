package dev.shortener.importing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.AppInstance;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A caller holds a bounded number of progress streams open; others are not held back by it. */
class ProgressStreamLimitTest {

    @Test
    void aCallerHoldsAtMostItsStreams() {
        try (AppInstance app = AppInstance.start(Map.of(
                "shortener.auth.mode", "open",
                "shortener.importing.worker.enabled", "false",
                "shortener.importing.async-above", "1B",
                "shortener.importing.queue", "import-streams",
                "shortener.importing.events-per-caller", "2"))) {
            String job = app.api()
                    .upload("/users/bulk", "file", "users.csv", "username,email\nstream,stream@example.com\n")
                    .expect(202)
                    .header("Location");
            String url = app.api().base() + job + "/events";

            EventStream first = EventStream.open(url, Map.of());
            try (EventStream second = EventStream.open(url, Map.of())) {
                assertThat(first.status()).isEqualTo(200);
                assertThat(second.status()).isEqualTo(200);
                try (EventStream third = EventStream.open(url, Map.of())) {
                    assertThat(third.status()).isEqualTo(429);
                }
                try (EventStream elsewhere = EventStream.open(url, Map.of("X-Forwarded-For", "198.51.100.77"))) {
                    assertThat(elsewhere.status()).isEqualTo(200);
                }
                first.close();
                // the server notices the closed stream at its next progress event
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    try (EventStream again = EventStream.open(url, Map.of())) {
                        return again.status() == 200;
                    }
                });
            } finally {
                first.close();
            }
        }
    }
}
