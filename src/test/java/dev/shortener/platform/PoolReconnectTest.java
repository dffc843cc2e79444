package dev.shortener.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.shortener.ApiTest;
import dev.shortener.FaultProxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.core.env.Environment;

/**
 * A pool of the application's settings whose PostgreSQL, behind a {@link FaultProxy}, goes away
 * long enough for HikariCP's pause between connects to reach its 5 s, while borrowers keep asking
 * as requests do. With {@link PoolReconnect} running, the pool connects well before that pause
 * would end. (Without it, this pool came back 3 to 4 s after the fault ended.)
 */
class PoolReconnectTest extends ApiTest {

    /**
     * Long enough for HikariCP's pause to reach its 5 s: the pauses before it (10 ms doubling to
     * 2.56 s) add up to 5.11 s, so that one ends 10 s or more after the fault began.
     */
    private static final Duration OUTAGE = Duration.ofSeconds(7);

    private static final Duration PROBE_INTERVAL = Duration.ofMillis(250);

    @Autowired
    Environment env;

    @Autowired
    DataSource application;

    private HikariDataSource pool(FaultProxy proxy) throws SQLException {
        HikariConfig config = new HikariConfig();
        application.unwrap(HikariDataSource.class).copyStateTo(config);
        config.setPoolName(unique("reconnect-test-"));
        PoolThreads.install(config);
        config.setJdbcUrl(proxy.route().get("spring.datasource.url"));
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(250);
        return new HikariDataSource(config);
    }

    private static boolean connects(DataSource pool) {
        try (Connection connection = pool.getConnection()) {
            return connection.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    @Test
    void aPoolConnectsSoonAfterPostgresqlAnswersAgainNotAfterHikariCpsPause() throws Exception {
        PoolReconnect reconnect = null;
        try (FaultProxy proxy = FaultProxy.inFrontOfPostgres(env);
                HikariDataSource pool = pool(proxy)) {
            assertThat(connects(pool)).isTrue();
            reconnect = new PoolReconnect(new StaticListableBeanFactory(Map.of("pool", pool)), PROBE_INTERVAL);
            reconnect.start();

            proxy.inject(FaultProxy.Fault.DOWN);
            pool.getHikariPoolMXBean().softEvictConnections();
            long end = System.nanoTime() + OUTAGE.toNanos();
            while (System.nanoTime() < end) {
                assertThatThrownBy(pool::getConnection).isInstanceOf(SQLException.class);
            }
            proxy.heal();
            long healed = System.nanoTime();

            // well under the 3 s or more the pause would still take, with room for a loaded machine
            await().atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> connects(pool));
            Duration recovered = Duration.ofNanos(System.nanoTime() - healed);
            System.out.printf("pool connected %d ms after the fault ended%n", recovered.toMillis());
            assertThat(reconnect.nudges()).as("pausing adders woken").isPositive();
        } finally {
            if (reconnect != null) {
                reconnect.stop();
            }
        }
    }
}
