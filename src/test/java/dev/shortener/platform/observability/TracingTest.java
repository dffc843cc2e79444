package dev.shortener.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who decides whether a span is recorded: tracing off, the fast path's own rate, the parent, the ratio. */
class TracingTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

    private static TracingSettings settings(String endpoint, double sample, double redirectSample) {
        return new TracingSettings(endpoint, sample, redirectSample);
    }

    private static SamplingDecision decide(Sampler sampler, Context parent) {
        return sampler.shouldSample(parent, TRACE, "http get", SpanKind.SERVER, Attributes.empty(), List.of())
                .getDecision();
    }

    @Test
    void withoutAnEndpointNothingIsSampledAndNoRedirectIsTraced() {
        TracingSettings off = settings(" ", 1.0, 1.0);
        Traces traces = new Traces(off.enabled(), off.redirectSample(), ObservationRegistry.create());

        assertThat(decide(new Tracing().otelSampler(off), Context.root())).isEqualTo(SamplingDecision.DROP);
        assertThat(traces.enabled()).isFalse();
        assertThat(traces.redirect("/{code}")).isNull();
        try (Scope scope = traces.unsampled()) {
            assertThat(scope).isSameAs(Scope.noop());
        }
    }

    @Test
    void aDecisionTakenBeforeTheSpanWinsOverTheRatio() {
        Sampler none = new Tracing().otelSampler(settings("http://127.0.0.1:4318", 0.0, 0.0));
        Sampler all = new Tracing().otelSampler(settings("http://127.0.0.1:4318", 1.0, 0.0));

        assertThat(decide(none, Context.root())).isEqualTo(SamplingDecision.DROP);
        assertThat(decide(all, Context.root())).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(none, Context.root().with(Traces.DECIDED, true)))
                .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(all, Context.root().with(Traces.DECIDED, false))).isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void aChildFollowsItsParent() {
        Sampler none = new Tracing().otelSampler(settings("http://127.0.0.1:4318", 0.0, 0.0));
        SpanContext sampled =
                SpanContext.create(TRACE, "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault());

        assertThat(decide(none, Context.root().with(Span.wrap(sampled)).with(Traces.DECIDED, false)))
                .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    }

    @Test
    @SuppressWarnings("try")
    void redirectsAreTracedAtTheirOwnRate() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(context -> true);
        Traces never = new Traces(true, 0.0, registry);
        Traces always = new Traces(true, 1.0, registry);

        Observation traced = always.redirect("/{code}");

        assertThat(never.redirect("/{code}")).isNull();
        assertThat(traced).isNotNull();
        assertThat(traced.getContext().getContextualName()).isEqualTo("GET /{code}");
        assertThat(traced.getContext().getLowCardinalityKeyValue("http.route").getValue())
                .isEqualTo("/{code}");
        traced.stop();
        try (Scope ignored = never.unsampled()) {
            assertThat(Context.current().get(Traces.DECIDED)).isFalse();
        }
    }
}
