package dev.shortener.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import redis.embedded.RedisServer;

/**
 * The embedded PostgreSQL and Redis of the zero-configuration mode, started on first use: real
 * servers shipped as Maven artifacts, shared by every application context of the JVM, stopped when
 * the JVM is, after Spring has closed the application: on its own shutdown hook PostgreSQL stopped
 * while the service was still stopping, and the clicks flushed at a stop stayed in the journal.
 * The Redis library stops its server on a hook of its own too, which cannot be turned off: Redis
 * may still go first, which costs a stopping service only cache writes. Only the development build
 * holds them (the container image is built without them); {@link DataStores} loads this class only
 * when it needs a server.
 */
final class EmbeddedServers {

    private static @Nullable EmbeddedPostgres postgres;
    private static @Nullable RedisServer redis;
    private static int redisPort;

    private EmbeddedServers() {}

    /**
     * The JDBC URL of the embedded PostgreSQL keeping its data in {@code dir}. {@code stopsWithSpring}:
     * Spring's shutdown hook is on ({@code spring.main.register-shutdown-hook}), so the server stops
     * after the application; otherwise on a JVM hook of its own.
     */
    static String postgres(Path dir, boolean clean, boolean stopsWithSpring) {
        return startPostgres(dir, clean, stopsWithSpring).getJdbcUrl("postgres", "postgres");
    }

    private static synchronized EmbeddedPostgres startPostgres(Path dir, boolean clean, boolean stopsWithSpring) {
        if (postgres == null) {
            try {
                Files.createDirectories(dir);
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(clean)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("timezone", "UTC")
                        .setRegisterShutdownHook(!stopsWithSpring)
                        .start();
                if (stopsWithSpring) {
                    SpringApplication.getShutdownHandlers().add(EmbeddedServers::stopPostgres);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Embedded PostgreSQL did not start in " + dir, e);
            }
        }
        return postgres;
    }

    /** The port of the embedded Redis keeping its data in {@code dir}. */
    static synchronized int redis(Path dir, boolean clean, boolean stopsWithSpring) {
        if (redis == null) {
            try {
                if (clean) {
                    DataStores.delete(dir);
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
                if (stopsWithSpring) {
                    SpringApplication.getShutdownHandlers().add(EmbeddedServers::stopRedis);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Embedded Redis did not start in " + dir, e);
            }
        }
        return redisPort;
    }

    private static synchronized void stopPostgres() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                // nothing more to do as the JVM exits; the server process may outlive it
            }
        }
    }

    private static synchronized void stopRedis() {
        if (redis != null) {
            try {
                redis.stop();
            } catch (IOException e) {
                // nothing more to do as the JVM exits; the server process may outlive it
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
