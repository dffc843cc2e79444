package dev.shortener.importing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of bulk imports.
 *
 * @param chunkSize rows staged and applied per transaction ({@code IMPORT_CHUNK_SIZE})
 * @param maxReportedErrors failed rows listed in a report; every failure is still counted ({@code
 *     IMPORT_MAX_REPORTED_ERRORS})
 * @param statementTimeout statement timeout inside an import transaction ({@code
 *     IMPORT_STATEMENT_TIMEOUT})
 */
@ConfigurationProperties("shortener.importing")
record ImportSettings(
        @DefaultValue("2000") int chunkSize,
        @DefaultValue("1000") int maxReportedErrors,
        @DefaultValue("60s") Duration statementTimeout) {

    ImportSettings {
        if (chunkSize < 1 || chunkSize > 100_000) {
            throw new IllegalArgumentException("shortener.importing.chunk-size must be from 1 to 100000");
        }
        if (maxReportedErrors < 1) {
            throw new IllegalArgumentException("shortener.importing.max-reported-errors must be at least 1");
        }
        if (statementTimeout.isNegative() || statementTimeout.isZero()) {
            throw new IllegalArgumentException("shortener.importing.statement-timeout must be positive");
        }
    }
}
