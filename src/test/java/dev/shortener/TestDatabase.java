package dev.shortener;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The tests' database as {@code env} names it, on connections of their own: no instance's pool. */
public final class TestDatabase {

    private TestDatabase() {}

    /** Reads what an instance stored while that instance's pools are exhausted, faulted or closed. */
    public static JdbcClient outside(Environment env) {
        return JdbcClient.create(dataSource(env));
    }

    /** A connection of its own, to hold a transaction open while the instance serves requests. */
    public static Connection connect(Environment env) throws SQLException {
        return dataSource(env).getConnection();
    }

    /**
     * Folds the clicks stored so far into the click rollup, as the service does every second (V29):
     * a scratch database has no service folding it.
     */
    public static void foldClicks(JdbcClient db) {
        db.sql("SELECT fold_clicks((SELECT last_value FROM events_id_seq), 1000000000)")
                .query(Long.class)
                .single();
    }

    /** An empty database of its own on the tests' server, for a migration test; dropped on close. */
    public static Scratch scratch(Environment env, String prefix) {
        String name = prefix + Long.toString(System.nanoTime(), 36);
        outside(env).sql("CREATE DATABASE " + name).update();
        String url = env.getRequiredProperty("spring.datasource.url").replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
        return new Scratch(env, name, dataSource(env, url));
    }

    /** A database made by {@link #scratch}, migrated as far as a test asks. */
    public record Scratch(Environment env, String name, DataSource data) implements AutoCloseable {

        public JdbcClient db() {
            return JdbcClient.create(data);
        }

        /** Its JDBC URL, for an instance of the application on it. */
        public String url() {
            return ((DriverManagerDataSource) data).getUrl();
        }

        /** Runs the migrations up to {@code target} ("latest" for all), with the application's settings. */
        public void migrate(String target) {
            Flyway.configure()
                    // as the application's settings: an index built CONCURRENTLY waits for no lock of Flyway's
                    .configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                    .dataSource(data)
                    .locations("classpath:db/migration")
                    .target(target)
                    .load()
                    .migrate();
        }

        @Override
        public void close() {
            outside(env)
                    .sql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
                    .update();
        }
    }

    private static DriverManagerDataSource dataSource(Environment env) {
        return dataSource(env, env.getRequiredProperty("spring.datasource.url"));
    }

    private static DriverManagerDataSource dataSource(Environment env, String url) {
        return new DriverManagerDataSource(
                url,
                env.getRequiredProperty("spring.datasource.username"),
                env.getProperty("spring.datasource.password", ""));
    }
}
