package dev.shortener.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import redis.embedded.RedisServer;

/**
 * Chooses where the data lives before any bean is created. With {@code DATABASE_URL} or {@code
 * DATABASE_HOST} set the external PostgreSQL is used, otherwise an embedded PostgreSQL is started;
 * likewise {@code REDIS_URL} or an embedded Redis. Embedded servers keep their data under {@code
 * shortener.embedded.data-dir} (default {@code ./data}), are shared by every application context
 * of the JVM and stop when the JVM does.
 */
public final class EmbeddedServers implements EnvironmentPostProcessor, Ordered {

    private static @Nullable EmbeddedPostgres postgres;
    private static @Nullable RedisServer redis;
    private static int redisPort;
    /** Directories already emptied by this JVM: the first context cleans, later ones share. */
    private static final Set<Path> cleaned = new HashSet<>();

    private final Log log;

    public EmbeddedServers(DeferredLogFactory logs) {
        this.log = logs.getLog(EmbeddedServers.class);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> props = new HashMap<>();
        Path dataDir = Path.of(env.getProperty("shortener.embedded.data-dir", "data"));
        boolean clean = env.getProperty("shortener.embedded.clean", Boolean.class, false);
        if (clean) {
            // clicks journalled against an earlier database must not be loaded into the new one
            deleteOnce(dataDir.resolve("clicks"));
        }

        String databaseMode;
        String jdbcUrl = DatabaseUrl.jdbcUrl(env);
        if (jdbcUrl != null) {
            props.put("spring.datasource.url", jdbcUrl);
            DatabaseUrl.credentials(env).forEach(props::put);
            databaseMode = "external PostgreSQL " + DatabaseUrl.redacted(jdbcUrl);
        } else {
            EmbeddedPostgres pg = startPostgres(dataDir.resolve("postgres"), clean);
            props.put("spring.datasource.url", pg.getJdbcUrl("postgres", "postgres"));
            props.put("spring.datasource.username", "postgres");
            props.put("spring.datasource.password", "");
            databaseMode = "embedded PostgreSQL on 127.0.0.1:" + pg.getPort() + " (data in "
                    + dataDir.resolve("postgres").toAbsolutePath() + ")";
        }

        String redisMode;
        String redisUrl = env.getProperty("REDIS_URL", env.getProperty("spring.data.redis.url", ""));
        if (!redisUrl.isBlank()) {
            props.put("spring.data.redis.url", redisUrl);
            redisMode = "external Redis " + redisUrl.replaceAll("//[^@/]*@", "//***@");
        } else {
            int port = startRedis(dataDir.resolve("redis"), clean);
            props.put("spring.data.redis.url", "redis://127.0.0.1:" + port);
            redisMode = "embedded Redis on 127.0.0.1:" + port;
        }
        env.getPropertySources().addFirst(new MapPropertySource("shortener-data-stores", props));
        log.info("Data stores: " + databaseMode + "; " + redisMode);
    }

    private static synchronized EmbeddedPostgres startPostgres(Path dir, boolean clean) {
        if (postgres == null) {
            try {
                Files.createDirectories(dir);
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(clean)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("timezone", "UTC")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("Embedded PostgreSQL did not start in " + dir, e);
            }
        }
        return postgres;
    }

    private static synchronized void deleteOnce(Path dir) {
        if (cleaned.add(dir.toAbsolutePath())) {
            try {
                delete(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot clean " + dir, e);
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static synchronized int startRedis(Path dir, boolean clean) {
        if (redis == null) {
            try {
                if (clean) {
                    delete(dir);
                }
                Files.createDirectories(dir);
                redisPort = freePort();
                RedisServer server = RedisServer.newRedisServer()
                        .bind("127.0.0.1")
                        .port(redisPort)
                        .setting("dir " + dir.toAbsolutePath())
                        .setting("appendonly yes")
                        .setting("appendfsync everysec")
                        .setting("save \"\"")
                        .onShutdownForceStop(true)
                        .build();
                server.start();
                redis = server;
                Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedServers::stopRedis, "embedded-redis-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException("Embedded Redis did not start in " + dir, e);
            }
        }
        return redisPort;
    }

    private static synchronized void stopRedis() {
        if (redis != null) {
            try {
                redis.stop();
            } catch (IOException e) {
                // the JVM is exiting; the server process is killed with it
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
