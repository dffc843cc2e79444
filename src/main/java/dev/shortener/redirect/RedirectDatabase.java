package dev.shortener.redirect;

import dev.shortener.platform.DatabasePools;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The pool of the redirect's lookups, which no API request or import can take (ADR 0009). */
@Configuration(proxyBeanMethods = false)
class RedirectDatabase {

    static final String NAME = "redirectDataSource";

    @Bean(name = NAME, defaultCandidate = false)
    DataSource redirectDataSource(DataSource dataSource, RedirectSettings settings, MeterRegistry meters) {
        return DatabasePools.beside(
                dataSource,
                "shortener-redirect",
                settings.dbPoolSize(),
                1,
                settings.dbConnectionTimeout(),
                settings.dbStatementTimeout(),
                meters);
    }

    @Bean(name = "redirectJdbc", defaultCandidate = false)
    JdbcClient redirectJdbc(@Qualifier(NAME) DataSource redirect) {
        return JdbcClient.create(redirect);
    }
}
