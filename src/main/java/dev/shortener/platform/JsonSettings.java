package dev.shortener.platform;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.LocalDateTime;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Timestamps are written as UTC {@code YYYY-MM-DDTHH:MM:SS}, no zone and no fraction. */
@Configuration(proxyBeanMethods = false)
class JsonSettings {

    static final String TIMESTAMP_PATTERN = "yyyy-MM-dd'T'HH:mm:ss";

    @Bean
    JsonMapperBuilderCustomizer timestampFormat() {
        return builder -> builder.withConfigOverride(
                LocalDateTime.class, o -> o.setFormat(JsonFormat.Value.forPattern(TIMESTAMP_PATTERN)));
    }
}
