package dev.shortener.importing.job;

import dev.shortener.importing.ImportSettings;
import dev.shortener.platform.DatabasePools;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The connections with which idle workers look at the queue (ADR 0009, 0013): beside the
 * application's pool, so that workers polling through a PostgreSQL outage neither wait for the
 * API's connections nor break and refill them, and none kept open while there is nothing to do.
 */
@Configuration(proxyBeanMethods = false)
public class ImportQueueDatabase {

    static final String NAME = "importQueueJdbc";
    private static final String POOL = "importQueueDataSource";

    @Bean(name = POOL, defaultCandidate = false)
    DataSource importQueueDataSource(DataSource dataSource, ImportSettings settings, MeterRegistry meters) {
        return DatabasePools.beside(
                dataSource,
                "shortener-import-queue",
                settings.worker().threads() + 1,
                0,
                // the application's wait: HikariCP sets it as the JVM-wide JDBC login timeout
                null,
                Duration.ofSeconds(5),
                meters);
    }

    @Bean(name = NAME, defaultCandidate = false)
    JdbcClient importQueueJdbc(@Qualifier(POOL) DataSource queue) {
        return JdbcClient.create(queue);
    }
}
