package dev.shortener.identity;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.stereotype.Component;

/**
 * Matches the requests that arrive on the management server ({@code MANAGEMENT_PORT}: {@code /metrics}
 * and the probes). The port is told apart by the server that started on it, not by path, so no
 * spelling of a path on the public port can pass for a management request.
 */
@Component
class ManagementPort implements RequestMatcher {

    private static final String NAMESPACE = "management";

    /** 0 until the management server runs; it never does when it shares the public port. */
    private volatile int port;

    @EventListener
    void started(WebServerInitializedEvent event) {
        if (NAMESPACE.equals(event.getApplicationContext().getServerNamespace())) {
            port = event.getWebServer().getPort();
        }
    }

    @Override
    public boolean matches(HttpServletRequest request) {
        int management = port;
        return management > 0 && request.getLocalPort() == management;
    }
}
