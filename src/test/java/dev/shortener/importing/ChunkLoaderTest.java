package dev.shortener.importing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The chunk loader against the real database: set statements, bisection, upsert rules. */
class ChunkLoaderTest extends ApiTest {

    @Autowired
    ChunkLoader loader;

    @Autowired
    JdbcClient db;

    private String createUser() {
        String email = unique("owner") + "@example.com";
        api.post("/users", Map.of("username", "owner", "email", email)).expect(201);
        return email;
    }

    private long count(String sql) {
        return db.sql(sql).query(Long.class).single();
    }

    @Test
    void bisectionIsolatesExactlyTheRowsTheDatabaseRefusesAndAppliesTheRest() {
        List<String> taken = List.of(createUser(), createUser(), createUser());
        List<Integer> bad = List.of(4, 31, 59);
        List<UserRow> rows = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String email = bad.contains(i) ? taken.get(bad.indexOf(i)) : unique("row" + i) + "@example.com";
            rows.add(new UserRow(100 + i, 600_001L + i, "user" + i, email, null));
        }

        ChunkLoader.Outcome outcome = loader.load(Entity.USERS, rows);

        assertThat(outcome.imported()).isEqualTo(57);
        assertThat(outcome.failures())
                .extracting(RowFailure::line, RowFailure::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                104L, "email " + taken.get(0) + " is already taken by another user"),
                        org.assertj.core.groups.Tuple.tuple(
                                131L, "email " + taken.get(1) + " is already taken by another user"),
                        org.assertj.core.groups.Tuple.tuple(
                                159L, "email " + taken.get(2) + " is already taken by another user"));
        assertThat(count("SELECT count(*) FROM users WHERE id BETWEEN 600001 AND 600060"))
                .isEqualTo(57);
        assertThat(count("SELECT count(*) FROM users WHERE id IN (600005, 600032, 600060)"))
                .isZero();
    }

    @Test
    void whenAChunkRepeatsAnIdTheLastRowWinsAndBothCount() {
        String email = unique("twice") + "@example.com";
        List<UserRow> rows = List.of(
                new UserRow(2, 610_001L, "first", email, null), new UserRow(3, 610_001L, "second", email, null));

        ChunkLoader.Outcome outcome = loader.load(Entity.USERS, rows);

        assertThat(outcome.imported()).isEqualTo(2);
        assertThat(db.sql("SELECT username FROM users WHERE id = 610001")
                        .query(String.class)
                        .single())
                .isEqualTo("second");
    }

    @Test
    void whenTwoIdsClaimOneEmailAddressTheEarlierRowGetsIt() {
        String email = unique("claimed") + "@example.com";
        List<UserRow> rows = List.of(
                new UserRow(2, 620_001L, "first", email, null),
                new UserRow(3, 620_002L, "second", email.toUpperCase(), null));

        ChunkLoader.Outcome outcome = loader.load(Entity.USERS, rows);

        assertThat(outcome.imported()).isEqualTo(1);
        assertThat(outcome.failures()).extracting(RowFailure::line).containsExactly(3L);
        assertThat(count("SELECT count(*) FROM users WHERE id IN (620001, 620002)"))
                .isEqualTo(1);
    }

    @Test
    void anUnchangedUrlKeepsItsTimestampsAndAChangedOneWithoutUpdatedAtIsTouched() {
        String code = unique("touch");
        LocalDateTime created = LocalDateTime.of(2025, 1, 1, 10, 0);
        loader.load(
                Entity.URLS,
                List.of(new UrlRow(2, 630_001L, null, code, "https://example.com/t", "T", null, created, created)));
        String timestamps = "SELECT created_at::text || ' ' || updated_at::text || ' ' || is_active FROM urls"
                + " WHERE id = 630001";
        assertThat(db.sql(timestamps).query(String.class).single())
                .isEqualTo("2025-01-01 10:00:00 2025-01-01 10:00:00 true");

        loader.load(
                Entity.URLS,
                List.of(new UrlRow(2, 630_001L, null, code, "https://example.com/t", "T", null, null, null)));
        assertThat(db.sql(timestamps).query(String.class).single())
                .isEqualTo("2025-01-01 10:00:00 2025-01-01 10:00:00 true");

        loader.load(
                Entity.URLS,
                List.of(new UrlRow(2, 630_001L, null, code, "https://example.com/t", "New", false, null, null)));
        assertThat(db.sql(timestamps).query(String.class).single())
                .startsWith("2025-01-01 10:00:00 ")
                .doesNotContain(" 2025-01-01 10:00:00 ")
                .endsWith(" false");
    }

    @Test
    void aUrlWithoutIdIsUpsertedByShortCode() {
        String code = unique("bycode");
        loader.load(
                Entity.URLS, List.of(new UrlRow(2, null, null, code, "https://example.com/1", null, true, null, null)));

        ChunkLoader.Outcome again = loader.load(
                Entity.URLS, List.of(new UrlRow(2, null, null, code, "https://example.com/2", null, true, null, null)));

        assertThat(again.imported()).isEqualTo(1);
        assertThat(db.sql("SELECT original_url FROM urls WHERE short_code = ?")
                        .param(code)
                        .query(String.class)
                        .list())
                .containsExactly("https://example.com/2");
    }

    @Test
    void detailsTheDatabaseCannotStoreAreRefusedForThatRowOnly() {
        List<EventRow> rows = List.of(
                new EventRow(2, 640_001L, 1, null, "created", null, "{\"a\":1}"),
                new EventRow(3, 640_002L, 1, null, "created", null, "{\"nul\":\"\\u0000\"}"),
                new EventRow(4, 640_003L, 1, null, "created", null, "{}"));

        ChunkLoader.Outcome outcome = loader.load(Entity.EVENTS, rows);

        assertThat(outcome.imported()).isEqualTo(2);
        assertThat(outcome.failures()).singleElement().satisfies(f -> {
            assertThat(f.line()).isEqualTo(3);
            assertThat(f.message()).startsWith("refused by the database: ");
        });
        assertThat(count("SELECT count(*) FROM events WHERE id IN (640001, 640003)"))
                .isEqualTo(2);
    }
}
