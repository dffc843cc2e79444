package dev.shortener.platform.observability;

import io.micrometer.core.instrument.Clock;
import io.micrometer.observation.ObservationHandler.FirstMatchingCompositeObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.tracer.common.SpanContext;
import java.util.List;
import net.ttddyy.observation.tracing.ConnectionTracingObservationHandler;
import net.ttddyy.observation.tracing.QueryTracingObservationHandler;
import net.ttddyy.observation.tracing.ResultSetTracingObservationHandler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.otlp.OtlpTracingConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Traces over OpenTelemetry (ADR 0012): exported with OTLP/HTTP when {@code
 * OTEL_EXPORTER_OTLP_ENDPOINT} is set, and otherwise never sampled, so that no span is recorded.
 * Spring Boot instruments HTTP requests; {@link Traces} adds the fast path's redirects, JDBC
 * statements (datasource-micrometer, on the statement proxy of {@link SqlMonitoring}) and Redis
 * commands (Lettuce).
 */
@Configuration(proxyBeanMethods = false)
class Tracing {

    /**
     * Follows the parent's decision, then one taken before the span started ({@link Traces}), and
     * samples the share {@code TRACING_SAMPLE} of the rest.
     */
    @Bean
    Sampler otelSampler(TracingSettings settings) {
        if (!settings.enabled()) {
            return Sampler.alwaysOff();
        }
        Sampler ratio = Sampler.traceIdRatioBased(settings.sample());
        return Sampler.parentBased(new Sampler() {
            @Override
            public SamplingResult shouldSample(
                    Context parent,
                    String traceId,
                    String name,
                    SpanKind kind,
                    Attributes attributes,
                    List<LinkData> links) {
                Boolean decided = parent.get(Traces.DECIDED);
                if (decided != null) {
                    return decided ? SamplingResult.recordAndSample() : SamplingResult.drop();
                }
                return ratio.shouldSample(parent, traceId, name, kind, attributes, links);
            }

            @Override
            public String getDescription() {
                return "DecidedOr{" + ratio.getDescription() + "}";
            }
        });
    }

    /** The OpenTelemetry convention: the variable names a base address, spans go to its /v1/traces. */
    @Bean
    @Conditional(TracingSettings.Enabled.class)
    OtlpTracingConnectionDetails otlpTracingConnectionDetails(TracingSettings settings) {
        return transport -> settings.tracesUrl();
    }

    /**
     * Spring Boot's registry, with exemplars only while traces are exported: otherwise no span is
     * ever sampled, and the exemplar sampler would still run on every counter increment, the
     * redirect path's included.
     */
    @Bean
    PrometheusMeterRegistry prometheusMeterRegistry(
            PrometheusConfig config,
            PrometheusRegistry registry,
            Clock clock,
            ObjectProvider<SpanContext> spanContext,
            TracingSettings settings) {
        return new PrometheusMeterRegistry(
                config, registry, clock, settings.enabled() ? spanContext.getIfAvailable() : null);
    }

    @Bean
    Traces traces(TracingSettings settings, Tracer tracer) {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig()
                .observationHandler(new FirstMatchingCompositeObservationHandler(
                        new QueryTracingObservationHandler(tracer),
                        new ConnectionTracingObservationHandler(tracer),
                        new ResultSetTracingObservationHandler(tracer),
                        new DefaultTracingObservationHandler(tracer)))
                // JDBC calls outside a sampled trace (the click loader, import workers, unsampled
                // requests) make no span; Lettuce's commands are filtered by RedisTracing
                .observationPredicate((name, context) -> !name.startsWith("jdbc.") || Traces.inSampledTrace());
        return new Traces(settings.enabled(), settings.redirectSample(), registry);
    }

    @Bean
    ClientResourcesBuilderCustomizer redisTracing(Traces traces) {
        return builder -> {
            if (traces.enabled()) {
                builder.tracing(new RedisTracing(traces.registry()));
            }
        };
    }
}
