package dev.shortener.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.core.env.AbstractEnvironment;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Where the data lives: external stores when they are configured; embedded ones only where the
 * build has them and they are allowed; otherwise no start, with a message that names the setting.
 */
class DataStoresTest {

    /** An environment of exactly these properties: no process environment, no system properties. */
    private static ConfigurableEnvironment environment(Map<String, Object> properties) {
        ConfigurableEnvironment env = new AbstractEnvironment() {};
        env.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return env;
    }

    private static void choose(ConfigurableEnvironment env) {
        new DataStores(new DeferredLogs()).postProcessEnvironment(env, new SpringApplication());
    }

    @Test
    void withoutEmbeddedServersAStartWithoutDataStoresIsRefusedNamingBothSettings() {
        ConfigurableEnvironment env = environment(Map.of("shortener.embedded.enabled", "false"));

        assertThatThrownBy(() -> choose(env))
                .isInstanceOf(DataStores.MissingDataStore.class)
                .hasMessage("DATABASE_URL (or DATABASE_HOST) and REDIS_URL are not set, and this build starts no"
                        + " embedded servers (the container image has none, or SHORTENER_EMBEDDED_ENABLED=false)");
    }

    @Test
    void aMissingRedisAloneIsNamedAlone() {
        ConfigurableEnvironment env = environment(Map.of(
                "shortener.embedded.enabled", "false", "DATABASE_URL", "postgres://app:secret@db.internal:5432/links"));

        assertThatThrownBy(() -> choose(env))
                .isInstanceOf(DataStores.MissingDataStore.class)
                .hasMessageStartingWith("REDIS_URL is not set");
    }

    @Test
    void externalStoresNeedNoEmbeddedServer() {
        ConfigurableEnvironment env = environment(Map.of(
                "shortener.embedded.enabled", "false",
                "DATABASE_URL", "postgres://app:secret@db.internal:5432/links",
                "REDIS_URL", "redis://:pw@cache.internal:6379/2"));

        choose(env);

        assertThat(env.getProperty("spring.datasource.url")).isEqualTo("jdbc:postgresql://db.internal:5432/links");
        assertThat(env.getProperty("spring.datasource.username")).isEqualTo("app");
        assertThat(env.getProperty("spring.data.redis.url")).isEqualTo("redis://:pw@cache.internal:6379/2");
    }

    @Test
    void theRefusedStartIsExplainedWithoutAStackTrace() {
        DataStores.MissingDataStore refused = new DataStores.MissingDataStore("REDIS_URL is not set, and …");

        FailureAnalysis analysis = new DataStoreFailureAnalyzer().analyze(new IllegalStateException(refused));

        assertThat(analysis.getDescription()).isEqualTo("REDIS_URL is not set, and …");
        assertThat(analysis.getAction()).contains("DATABASE_URL").contains("REDIS_URL");
    }
}
