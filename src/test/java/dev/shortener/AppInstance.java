package dev.shortener;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One more instance of the whole application in this JVM, on its own random port, sharing the
 * tests' embedded PostgreSQL (and Redis, unless {@code spring.data.redis.url} points elsewhere).
 */
public final class AppInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final Api api;
    private final int port;

    private AppInstance(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.api = new Api("http://127.0.0.1:" + port);
    }

    /** Starts an instance with the tests' data stores and the given extra properties. */
    public static AppInstance start(Map<String, String> properties) {
        List<String> all = new ArrayList<>(List.of(
                "server.port=0",
                "management.server.port=0",
                "shortener.embedded.data-dir=target/embedded-test-data",
                "shortener.embedded.clean=true"));
        properties.forEach((key, value) -> all.add(key + "=" + value));
        // as command-line arguments, so they outrank application.yml
        return new AppInstance(new SpringApplicationBuilder(ShortenerApplication.class)
                .run(all.stream().map(property -> "--" + property).toArray(String[]::new)));
    }

    public Api api() {
        return api;
    }

    /** The port of its public side. */
    public int port() {
        return port;
    }

    public ApplicationContext context() {
        return context;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** The count of the instance's counter with these tags (name, value, ...). */
    public double counted(String counter, String... tags) {
        return bean(MeterRegistry.class).get(counter).tags(tags).counter().count();
    }

    public boolean isRunning() {
        return context.isActive();
    }

    @Override
    public void close() {
        context.close();
    }
}
