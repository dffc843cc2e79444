package dev.shortener.platform.observability;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Spans that Spring's own instrumentation does not make: the redirects the fast path answers
 * before any servlet filter runs, and the JDBC and Redis calls inside a sampled trace. They are
 * observed in a registry of their own that only traces (no timers: statements and commands have
 * theirs), and only inside a sampled trace, so that an unsampled request pays for none of them.
 */
public final class Traces {

    /** A decision made before a span starts, which the sampler then follows (see {@link Tracing}). */
    static final ContextKey<Boolean> DECIDED = ContextKey.named("shortener.trace.decided");

    private static final Context SAMPLED = Context.root().with(DECIDED, Boolean.TRUE);
    private static final Context UNSAMPLED = Context.root().with(DECIDED, Boolean.FALSE);

    private final boolean enabled;
    private final double redirectSample;
    private final ObservationRegistry registry;

    Traces(boolean enabled, double redirectSample, ObservationRegistry registry) {
        this.enabled = enabled;
        this.redirectSample = redirectSample;
        this.registry = registry;
    }

    /** Whether spans are exported at all ({@code OTEL_EXPORTER_OTLP_ENDPOINT} is set). */
    public boolean enabled() {
        return enabled;
    }

    /**
     * A started observation (a span {@code GET route}) for one redirect of the fast path, for the share
     * {@code TRACING_REDIRECT_SAMPLE} of them; null for the others, and always when tracing is off,
     * which then costs a redirect one field read.
     */
    @SuppressWarnings("try") // the scope only has to be open while the span starts
    public @Nullable Observation redirect(String route) {
        if (!enabled || ThreadLocalRandom.current().nextDouble() >= redirectSample) {
            return null;
        }
        try (Scope ignored = SAMPLED.makeCurrent()) {
            return Observation.createNotStarted("shortener.redirect", registry)
                    .contextualName("GET " + route)
                    .lowCardinalityKeyValue("http.route", route)
                    .start();
        }
    }

    /**
     * While open, a trace started below (Spring MVC answering a redirect path the fast path passed
     * on) is not sampled: redirects are traced at their own rate, whichever layer answers them.
     */
    public Scope unsampled() {
        return enabled ? UNSAMPLED.makeCurrent() : Scope.noop();
    }

    ObservationRegistry registry() {
        return registry;
    }

    /** Whether the calling thread is inside a sampled trace. */
    static boolean inSampledTrace() {
        return Span.current().getSpanContext().isSampled();
    }
}
