package dev.shortener.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.platform.observability.SqlStatements.Operation;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {

    @Test
    void theOperationIsTheStatementsFirstKeyword() {
        assertThat(SqlStatements.operation("SELECT 1")).isEqualTo(Operation.SELECT);
        assertThat(SqlStatements.operation("  (select id from users)")).isEqualTo(Operation.SELECT);
        assertThat(SqlStatements.operation("insert into events values (?)")).isEqualTo(Operation.INSERT);
        assertThat(SqlStatements.operation("UPDATE urls SET title = ?")).isEqualTo(Operation.UPDATE);
        assertThat(SqlStatements.operation("DELETE FROM urls")).isEqualTo(Operation.DELETE);
        assertThat(SqlStatements.operation("COPY events FROM STDIN")).isEqualTo(Operation.COPY);
        assertThat(SqlStatements.operation("WITH x AS (SELECT 1) SELECT * FROM x"))
                .isEqualTo(Operation.OTHER);
        assertThat(SqlStatements.operation("")).isEqualTo(Operation.OTHER);
    }

    @Test
    void loggedStatementsKeepTheirShapeButNotTheirLiterals() {
        assertThat(SqlStatements.redacted(
                        "SELECT * FROM users\n  WHERE email = 'a@b.co' AND id = 42 AND t1.x = -3.5 LIMIT ?", 200))
                .isEqualTo("SELECT * FROM users WHERE email = ? AND id = ? AND t1.x = ? LIMIT ?");
        assertThat(SqlStatements.redacted("SELECT 'it''s'", 200)).isEqualTo("SELECT ?");
        assertThat(SqlStatements.redacted("SELECT " + "x".repeat(50), 20))
                .isEqualTo("SELECT " + "x".repeat(13) + "...");
    }
}
