package dev.shortener.platform;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says which setting a start refused for want of a data store lacks, without a stack trace. */
public final class DataStoreFailureAnalyzer extends AbstractFailureAnalyzer<DataStores.MissingDataStore> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DataStores.MissingDataStore cause) {
        return new FailureAnalysis(
                cause.getMessage(),
                "Point DATABASE_URL (or DATABASE_HOST and its companions) and REDIS_URL at the"
                        + " PostgreSQL and Redis this instance should use (see README, Configuration).",
                cause);
    }
}
