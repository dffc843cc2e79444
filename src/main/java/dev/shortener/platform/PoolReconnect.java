package dev.shortener.platform;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

/**
 * Brings the connection pools back within about one probe interval of PostgreSQL answering again,
 * where HikariCP alone takes up to 5 s more: after a failed connect a pool waits before the next
 * attempt, 10 ms doubling to 5 s, and that pause cannot be configured (ADR 0019). A pool is stuck
 * when it wants connections, its connection adder sleeps in that pause, and it has no more
 * connections than at the last look. While any pool is stuck, each interval opens one connection
 * of its own; once that opens, it interrupts the pausing adders, which ends HikariCP's attempt, and
 * the pool's next borrower starts a new one at once.
 */
@Component
class PoolReconnect implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PoolReconnect.class);
    private static final Driver DRIVER = new Driver();

    private final ListableBeanFactory beans;
    private final Duration interval;
    private final Map<HikariDataSource, Integer> lastTotals = new IdentityHashMap<>();
    private final AtomicLong nudges = new AtomicLong();
    private @Nullable List<HikariDataSource> pools;
    private @Nullable ScheduledExecutorService timer;

    PoolReconnect(
            ListableBeanFactory beans, @Value("${shortener.database.reconnect-probe-interval}") Duration interval) {
        this.beans = beans;
        this.interval = interval;
    }

    /** Gives Spring Boot's pool its {@link PoolThreads} before it starts; DatabasePools gives its own. */
    @Bean
    static BeanPostProcessor poolThreadsOfTheApplicationPool() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof HikariDataSource pool && pool.getThreadFactory() == null && !pool.isRunning()) {
                    PoolThreads.install(pool);
                }
                return bean;
            }
        };
    }

    @Override
    public synchronized void start() {
        // a thread of its own: the scheduler's would wait behind tasks that wait for these very pools
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("pool-reconnect").daemon().factory());
        timer.scheduleWithFixedDelay(this::probe, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }

    /** How many pausing connection adders were woken since the start. */
    long nudges() {
        return nudges.get();
    }

    private void probe() {
        try {
            List<HikariDataSource> stuck = new ArrayList<>();
            for (HikariDataSource pool : pools()) {
                if (stuck(pool)) {
                    stuck.add(pool);
                }
            }
            if (stuck.isEmpty() || !answers(stuck.getFirst())) {
                return;
            }
            for (HikariDataSource pool : stuck) {
                // looked at again: an adder that has just woken may be connecting, and must not be cut short
                Thread adder = ((PoolThreads) pool.getThreadFactory()).pausingAdder();
                if (adder != null) {
                    adder.interrupt();
                    nudges.incrementAndGet();
                    log.info(
                            "PostgreSQL answers again: pool {} connects now, not after HikariCP's pause",
                            pool.getPoolName());
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not look at the connection pools", e);
        }
    }

    /** Every HikariCP pool of the context with its {@link PoolThreads}, the application's too. */
    private List<HikariDataSource> pools() {
        if (pools == null) {
            Set<HikariDataSource> found = Collections.newSetFromMap(new IdentityHashMap<>());
            for (DataSource source : beans.getBeansOfType(DataSource.class).values()) {
                try {
                    if (source.isWrapperFor(HikariDataSource.class)) {
                        HikariDataSource pool = source.unwrap(HikariDataSource.class);
                        if (pool.getThreadFactory() instanceof PoolThreads) {
                            found.add(pool);
                        }
                    }
                } catch (SQLException e) {
                    log.debug("Not a HikariCP pool: {}", source, e);
                }
            }
            pools = List.copyOf(found);
        }
        return pools;
    }

    /**
     * Whether the pool wants connections by HikariCP's own rule, read from its counters, gained none
     * since the last look, and its adder sleeps in the pause (and so not growing under load).
     */
    private boolean stuck(HikariDataSource pool) {
        HikariPoolMXBean counters = pool.getHikariPoolMXBean();
        if (counters == null || pool.isClosed()) {
            return false;
        }
        int total = counters.getTotalConnections();
        int idle = counters.getIdleConnections();
        Integer before = lastTotals.put(pool, total);
        boolean wants = total < pool.getMaximumPoolSize()
                && (idle < pool.getMinimumIdle() || counters.getThreadsAwaitingConnection() > idle);
        return wants
                && before != null
                && total <= before
                && ((PoolThreads) pool.getThreadFactory()).pausingAdder() != null;
    }

    /** Whether a connection of the pool's settings opens now, within a second. */
    private static boolean answers(HikariDataSource pool) {
        Properties properties = new Properties();
        properties.putAll(pool.getDataSourceProperties());
        if (pool.getUsername() != null) {
            properties.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            properties.setProperty("password", pool.getPassword());
        }
        properties.setProperty("connectTimeout", "1");
        properties.setProperty("loginTimeout", "1");
        properties.setProperty("socketTimeout", "1");
        try (Connection connection = DRIVER.connect(pool.getJdbcUrl(), properties)) {
            return connection != null;
        } catch (SQLException e) {
            log.debug("PostgreSQL does not answer yet: {} {}", e.getSQLState(), e.getMessage());
            return false;
        }
    }
}
