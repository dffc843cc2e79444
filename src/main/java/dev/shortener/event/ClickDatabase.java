package dev.shortener.event;

import dev.shortener.platform.DatabasePools;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The pool of the click loader, which no API request or import can take (ADR 0009), and its sink. */
@Configuration(proxyBeanMethods = false)
class ClickDatabase {

    static final String NAME = "clickDataSource";

    /** One loader thread COPYs at a time; the second connection replaces one being closed. */
    @Bean(name = NAME, defaultCandidate = false)
    DataSource clickDataSource(DataSource dataSource, ClickSettings settings, MeterRegistry meters) {
        return DatabasePools.beside(dataSource, "shortener-clicks", 2, 1, null, settings.copyTimeout(), meters);
    }

    @Bean
    ClickSink clickSink(@Qualifier(NAME) DataSource clickDataSource, ClickSettings settings) {
        return new PostgresClickSink(clickDataSource, settings.copyTimeout());
    }
}
