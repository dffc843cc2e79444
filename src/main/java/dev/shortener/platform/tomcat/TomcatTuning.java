package dev.shortener.platform.tomcat;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.apache.catalina.valves.RemoteIpValve;
import org.springframework.boot.thread.Threading;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Tomcat settings that Spring Boot has no property for (ADR 0003), each a cost paid by every
 * request, redirects included:
 *
 * <ul>
 *   <li>The valve that honours X-Forwarded-* from trusted proxies (server.tomcat.remoteip) still
 *       sets the client address and scheme, but no longer copies them into six request attributes
 *       for an access-log valve this service does not use (a map entry and a listener
 *       notification each).
 *   <li>With virtual threads on, each request's thread gets one fixed name and no copy of the
 *       inheritable thread-locals of Tomcat's poller thread: numbering the names and copying that
 *       map were a large share of what a redirect allocated (ADR 0003).
 *   <li>The socket buffers of closed connections are kept for new ones, up to {@code
 *       shortener.http.socket-buffer-cache}. Tomcat keeps none below a 2 GB heap, so each
 *       connection's buffers were promoted and died in the old generation, which then filled
 *       until a full collection stopped every request (ADR 0003).
 * </ul>
 */
@Component
class TomcatTuning implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

    private final Environment environment;

    TomcatTuning(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        String socketBufferCache = environment.getRequiredProperty("shortener.http.socket-buffer-cache");
        factory.addConnectorCustomizers(connector -> {
            if (!connector.setProperty("socket.bufferPool", socketBufferCache)) {
                throw new IllegalStateException("Tomcat refused socket.bufferPool=" + socketBufferCache);
            }
        });
        factory.getEngineValves().stream()
                .filter(RemoteIpValve.class::isInstance)
                .map(RemoteIpValve.class::cast)
                .forEach(valve -> valve.setRequestAttributesEnabled(false));
        if (Threading.VIRTUAL.isActive(environment)) {
            ThreadFactory threads = Thread.ofVirtual()
                    .name("tomcat-handler")
                    .inheritInheritableThreadLocals(false)
                    .factory();
            Executor perRequest = task -> threads.newThread(task).start();
            factory.addProtocolHandlerCustomizers(handler -> handler.setExecutor(perRequest));
        }
    }

    /** After Spring Boot's own customizers, which add the valve and the virtual-thread executor. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
