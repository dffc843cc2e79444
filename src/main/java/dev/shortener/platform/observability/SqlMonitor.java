package dev.shortener.platform.observability;

import dev.shortener.platform.observability.SqlStatements.Operation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times every SQL statement into {@code shortener.sql.statements{operation}}, logs slow statements
 * (text only: bound parameters are never logged, inline literals are redacted), adds each
 * statement to the current request's {@link RequestStats} and reports N+1 patterns when a request
 * ends.
 */
final class SqlMonitor implements QueryExecutionListener {

    private static final Logger log = LoggerFactory.getLogger("dev.shortener.sql");
    private static final String STARTED = "shortener.started";
    private static final int LOGGED_SQL_LENGTH = 2000;

    private final Map<Operation, Timer> timers = new EnumMap<>(Operation.class);
    private final DistributionSummary statementsPerRequest;
    private final Counter nPlusOne;
    private final long slowNanos;
    private final int nPlusOneThreshold;

    SqlMonitor(MeterRegistry meters, ObservabilitySettings settings) {
        for (Operation operation : Operation.values()) {
            timers.put(
                    operation,
                    Timer.builder("shortener.sql.statements")
                            .description("SQL statement executions (a batch counts once)")
                            .tag("operation", operation.tag)
                            .register(meters));
        }
        statementsPerRequest = DistributionSummary.builder("shortener.sql.statements.per.request")
                .description("SQL statements run by one HTTP request")
                .register(meters);
        nPlusOne = Counter.builder("shortener.sql.n.plus.one")
                .description("Requests that ran one statement shape more often than the N+1 threshold")
                .register(meters);
        slowNanos = settings.sqlSlowThreshold().toNanos();
        nPlusOneThreshold = settings.sqlNPlusOneThreshold();
    }

    @Override
    public void beforeQuery(ExecutionInfo execution, List<QueryInfo> queries) {
        execution.addCustomValue(STARTED, System.nanoTime());
    }

    @Override
    public void afterQuery(ExecutionInfo execution, List<QueryInfo> queries) {
        Long started = execution.getCustomValue(STARTED, Long.class);
        long nanos = started != null
                ? System.nanoTime() - started
                : TimeUnit.MILLISECONDS.toNanos(execution.getElapsedTime());
        String sql = queries.isEmpty() ? "" : queries.getFirst().getQuery();
        Operation operation = SqlStatements.operation(sql);
        timers.get(operation).record(nanos, TimeUnit.NANOSECONDS);
        if (nanos >= slowNanos && log.isWarnEnabled()) {
            log.atWarn()
                    .addKeyValue("event", "slow_sql")
                    .addKeyValue("operation", operation.tag)
                    .addKeyValue("duration_ms", millis(nanos))
                    .addKeyValue("batch_size", execution.isBatch() ? execution.getBatchSize() : 1)
                    .addKeyValue("sql", SqlStatements.redacted(sql, LOGGED_SQL_LENGTH))
                    .log("slow_sql: statement took {} ms", millis(nanos));
        }
        RequestStats stats = RequestStats.current();
        if (stats != null) {
            stats.record(sql, nanos);
        }
    }

    /** Records the request's statement count and reports each statement shape repeated too often. */
    void requestFinished(RequestStats stats, String method, String route) {
        statementsPerRequest.record(stats.statements());
        if (stats.statements() <= nPlusOneThreshold) {
            return;
        }
        stats.repeatedMoreThan(nPlusOneThreshold).forEach((sql, count) -> {
            nPlusOne.increment();
            log.atWarn()
                    .addKeyValue("event", "n_plus_one")
                    .addKeyValue("method", method)
                    .addKeyValue("route", route)
                    .addKeyValue("count", count)
                    .addKeyValue("threshold", nPlusOneThreshold)
                    .addKeyValue("sql", SqlStatements.redacted(sql, LOGGED_SQL_LENGTH))
                    .log(
                            "n_plus_one: {} {} ran the same statement {} times: {}",
                            method,
                            route,
                            count,
                            SqlStatements.redacted(sql, 200));
        });
    }

    static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
