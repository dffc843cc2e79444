package dev.shortener.platform.observability;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Traces (ADR 0012).
 *
 * @param otlpEndpoint the OTLP/HTTP base address ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, e.g. {@code
 *     http://tempo:4318}); empty switches tracing off, and no span is then recorded anywhere
 * @param sample the share of requests traced that start a trace here (API, pages)
 * @param redirectSample the share of redirects the fast path answers that it traces
 */
@ConfigurationProperties("shortener.tracing")
record TracingSettings(
        @DefaultValue("") String otlpEndpoint,
        @DefaultValue("1.0") double sample,
        @DefaultValue("0.001") double redirectSample) {

    TracingSettings {
        if (!(sample >= 0 && sample <= 1) || !(redirectSample >= 0 && redirectSample <= 1)) {
            throw new IllegalArgumentException("shortener.tracing.sample and redirect-sample must lie between 0 and 1");
        }
        otlpEndpoint = otlpEndpoint.strip();
    }

    boolean enabled() {
        return !otlpEndpoint.isEmpty();
    }

    /** The same answer before the settings are bound: for conditions and post-processors. */
    static boolean enabled(Environment environment) {
        return !environment.getProperty("shortener.tracing.otlp-endpoint", "").isBlank();
    }

    /** Matches when traces are exported. */
    static final class Enabled implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return enabled(context.getEnvironment());
        }
    }

    /** Where spans go: the OTLP/HTTP traces path under the base address, as OpenTelemetry's SDKs do. */
    String tracesUrl() {
        return otlpEndpoint.endsWith("/") ? otlpEndpoint + "v1/traces" : otlpEndpoint + "/v1/traces";
    }
}
