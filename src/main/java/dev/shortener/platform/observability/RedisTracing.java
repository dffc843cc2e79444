package dev.shortener.platform.observability;

import io.lettuce.core.tracing.MicrometerTracing;
import io.lettuce.core.tracing.TraceContext;
import io.lettuce.core.tracing.TraceContextProvider;
import io.lettuce.core.tracing.Tracer;
import io.lettuce.core.tracing.TracerProvider;
import io.micrometer.observation.ObservationRegistry;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Lettuce's Micrometer tracing, but only for commands sent from inside a sampled trace: Lettuce
 * would otherwise start a trace of its own for every command a redirect, the invalidation
 * listener or a rate limit sends.
 */
final class RedisTracing implements io.lettuce.core.tracing.Tracing {

    private static final Tracer.Span NONE = io.lettuce.core.tracing.Tracing.disabled()
            .getTracerProvider()
            .getTracer()
            .nextSpan();

    private final MicrometerTracing delegate;
    private final Tracer tracer;

    RedisTracing(ObservationRegistry registry) {
        this.delegate = new MicrometerTracing(registry, "redis");
        Tracer spans = delegate.getTracerProvider().getTracer();
        this.tracer = new Tracer() {
            @Override
            public Span nextSpan() {
                return NONE;
            }

            @Override
            public Span nextSpan(@Nullable TraceContext context) {
                return context == null ? NONE : spans.nextSpan(context);
            }
        };
    }

    @Override
    public TracerProvider getTracerProvider() {
        return () -> tracer;
    }

    @Override
    public TraceContextProvider initialTraceContextProvider() {
        TraceContextProvider traced = delegate.initialTraceContextProvider();
        return () -> Traces.inSampledTrace() ? traced.getTraceContext() : null;
    }

    @Override
    public boolean isEnabled() {
        return true;
    }

    @Override
    public boolean includeCommandArgsInSpanTags() {
        return false;
    }

    @Override
    public Endpoint createEndpoint(SocketAddress socketAddress) {
        return delegate.createEndpoint(socketAddress);
    }
}
