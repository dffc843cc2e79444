package dev.shortener.platform;

import org.apache.catalina.valves.RemoteIpValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * Tomcat settings that Spring Boot has no property for. The valve that honours X-Forwarded-* from
 * trusted proxies (server.tomcat.remoteip) still sets the client address and scheme, but no longer
 * copies them into six request attributes for an access-log valve this service does not use: that
 * copy cost a map entry and a listener notification each, on every request including redirects
 * (ADR 0003).
 */
@Component
class TomcatTuning implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.getEngineValves().stream()
                .filter(RemoteIpValve.class::isInstance)
                .map(RemoteIpValve.class::cast)
                .forEach(valve -> valve.setRequestAttributesEnabled(false));
    }

    /** After Spring Boot's own customizer, which adds the valve. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
