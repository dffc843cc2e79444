package dev.shortener.redirect;

import dev.shortener.platform.observability.Traces;
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

@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "shortener.redirect.fast-path", matchIfMissing = true)
class RedirectConfiguration {

    @Bean
    RedirectValve redirectValve(
            LinkResolver links,
            Redirector redirector,
            ObjectProvider<RequestMappingInfoHandlerMapping> mappings,
            MeterRegistry meters,
            Traces traces) {
        return new RedirectValve(links, redirector, mappings, meters, traces);
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
