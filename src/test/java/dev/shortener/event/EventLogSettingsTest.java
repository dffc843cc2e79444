package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The event log's settings refuse intervals that would stop their task or run it without pause. */
class EventLogSettingsTest {

    @Test
    void aFoldIntervalThatIsNotPositiveIsRefusedByItsName() {
        for (Duration interval : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1)}) {
            assertThatThrownBy(() -> new EventLogSettings(null, Duration.ofMinutes(10), interval))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("EVENTS_FOLD_INTERVAL");
        }
        assertThat(new EventLogSettings(null, Duration.ofMinutes(10), Duration.ofMillis(250)).foldInterval())
                .isEqualTo(Duration.ofMillis(250));
    }
}
