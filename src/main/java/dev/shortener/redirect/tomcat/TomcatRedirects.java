package dev.shortener.redirect.tomcat;

import dev.shortener.platform.SecurityHeaders;
import dev.shortener.platform.observability.Traces;
import dev.shortener.redirect.LinkResolver;
import dev.shortener.redirect.Redirector;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.Valve;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/** The fast path (ADR 0003): the redirect valve, first in Tomcat's engine, unless REDIRECT_FAST_PATH=false. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "shortener.redirect.fast-path", matchIfMissing = true)
class TomcatRedirects {

    @Bean
    RedirectValve redirectValve(
            LinkResolver links,
            Redirector redirector,
            SecurityHeaders securityHeaders,
            ObjectProvider<RequestMappingInfoHandlerMapping> mappings,
            MeterRegistry meters,
            Traces traces) {
        return new RedirectValve(links, redirector, new RedirectBytes(securityHeaders), mappings, meters, traces);
    }

    /** Puts the valve first in the engine, ahead of the valves Spring Boot adds (forwarded headers). */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> redirectValveFirst(RedirectValve valve) {
        return new WebServerFactoryCustomizer<>() {
            @Override
            public void customize(TomcatServletWebServerFactory factory) {
                List<Valve> valves = new ArrayList<>();
                valves.add(valve);
                valves.addAll(factory.getEngineValves());
                factory.setEngineValves(valves);
            }
        };
    }
}
