package dev.shortener.platform.observability;

import io.micrometer.common.KeyValue;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;

/**
 * The {@code uri} tag of {@code http.server.requests} as a bounded route: unknown paths answered
 * by the catch-all resource handler are tagged {@code NOT_FOUND}, never with their raw path.
 */
@Component
class RouteTagConvention extends DefaultServerRequestObservationConvention {

    @Override
    protected KeyValue uri(ServerRequestObservationContext context) {
        int status = context.getResponse() != null ? context.getResponse().getStatus() : 0;
        return KeyValue.of("uri", Routes.collapse(context.getPathPattern(), status));
    }
}
