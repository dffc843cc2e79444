package dev.shortener.platform.observability;

import java.util.Set;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Refuses to start on a {@code LOG_FORMAT} other than the two logback-spring.xml knows: it would
 * log JSON lines for any other value, and a mistyped {@code text} should not pass for one that
 * worked. Runs before logging is configured, so the refusal reaches the console.
 */
public class LogFormatCheck implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY = "shortener.logging.format";
    private static final Set<String> FORMATS = Set.of("json", "text");

    @Override
    public int getOrder() {
        // after application.yml and the environment are read, before the embedded data stores start
        return Ordered.LOWEST_PRECEDENCE - 1;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        String format = env.getProperty(PROPERTY, "json");
        if (!FORMATS.contains(format)) {
            throw new IllegalStateException("LOG_FORMAT (" + PROPERTY + ") must be json or text, not '" + format + "'");
        }
    }
}
