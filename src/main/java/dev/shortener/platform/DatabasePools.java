package dev.shortener.platform;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Small connection pools of one feature's own, beside the application's pool, so that requests or
 * imports that take every connection of the one cannot stall the other (ADR 0009). Declare each
 * as {@code @Bean(defaultCandidate = false)}: Spring Boot keeps its application pool, statement
 * timing wraps it like any DataSource, and only a {@code @Qualifier} injects it.
 */
public final class DatabasePools {

    private DatabasePools() {}

    /**
     * A pool named {@code name} that connects as {@code application} (the application's
     * DataSource, a HikariCP pool, possibly wrapped for statement timing) does, with its own size,
     * connections kept open when idle, wait for a connection (the application's when null) and
     * statement timeout, and its own {@code hikaricp_*} series.
     */
    public static HikariDataSource beside(
            DataSource application,
            String name,
            int size,
            int minimumIdle,
            @Nullable Duration connectionTimeout,
            Duration statementTimeout,
            MeterRegistry meters) {
        HikariConfig config = new HikariConfig();
        try {
            application.unwrap(HikariDataSource.class).copyStateTo(config);
        } catch (SQLException e) {
            throw new IllegalStateException("The application's DataSource is not a HikariCP pool", e);
        }
        config.setPoolName(name);
        PoolThreads.install(config); // not the application pool's, which the copy shares
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(minimumIdle);
        if (connectionTimeout != null) {
            // HikariCP also makes it the JVM-wide JDBC login timeout (DriverManager): the pool
            // started last sets it for all, and closing a pool waits that long for a connect
            config.setConnectionTimeout(connectionTimeout.toMillis());
        }
        // a PostgreSQL that stops answering (blackholed) must not hold a statement longer than it may
        // run; a copy, as the copied state shares the application pool's properties
        Properties properties = new Properties();
        properties.putAll(config.getDataSourceProperties());
        properties.setProperty("socketTimeout", Long.toString(statementTimeout.toSeconds() + 2));
        config.setDataSourceProperties(properties);
        config.setConnectionInitSql("SET statement_timeout = " + statementTimeout.toMillis()
                + "; SET idle_in_transaction_session_timeout = '30s'; SET lock_timeout = '3s'");
        config.setMetricRegistry(null);
        config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
        return new HikariDataSource(config);
    }
}
