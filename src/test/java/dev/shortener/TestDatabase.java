package dev.shortener;

import java.sql.Connection;
import java.sql.SQLException;
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

    private static DriverManagerDataSource dataSource(Environment env) {
        return new DriverManagerDataSource(
                env.getRequiredProperty("spring.datasource.url"),
                env.getRequiredProperty("spring.datasource.username"),
                env.getProperty("spring.datasource.password", ""));
    }
}
