package dev.shortener.platform.observability;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shortener.ShortenerApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

class LogFormatCheckTest {

    @Test
    void anUnknownLogFormatStopsTheStartWithItsName() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(ShortenerApplication.class)
                        .run("--" + LogFormatCheck.PROPERTY + "=xml"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("LOG_FORMAT (shortener.logging.format) must be json or text, not 'xml'");
    }
}
