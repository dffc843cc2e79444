package dev.shortener.importing.load;

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
    void rowsClaimingAnEmailAddressAnotherUserHoldsAreRefusedAndTheRestApplied() {
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
    void bisectionIsolatesExactlyTheRowsTheDatabaseRefusesAndAppliesTheRest() {
        List<Integer> bad = List.of(0, 17, 18, 63, 99);
        List<EventRow> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            // PostgreSQL's jsonb cannot hold \u0000, which the JSON parser accepts
            String details = bad.contains(i) ? "{\"nul\":\"\\u0000\"}" : "{\"n\":" + i + "}";
            rows.add(new EventRow(10 + i, 640_001L + i, 1, null, "created", null, details));
        }

        ChunkLoader.Outcome outcome = loader.load(Entity.EVENTS, rows);

        assertThat(outcome.imported()).isEqualTo(95);
        assertThat(outcome.failures()).extracting(RowFailure::line).containsExactly(10L, 27L, 28L, 73L, 109L);
        assertThat(outcome.failures()).allSatisfy(f -> assertThat(f.message()).startsWith("refused by the database: "));
        assertThat(count("SELECT count(*) FROM events WHERE id BETWEEN 640001 AND 640100"))
                .isEqualTo(95);
        assertThat(count("SELECT count(*) FROM events WHERE id IN (640001, 640018, 640019, 640064, 640100)"))
                .isZero();
    }

    @Test
    void urlsOfUnknownUsersAreRefusedWithoutBisectingEveryRow() {
        List<UrlRow> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            rows.add(new UrlRow(
                    2 + i,
                    null,
                    990_000_000L + i,
                    unique("nouser"),
                    "https://example.com/" + i,
                    null,
                    null,
                    null,
                    null));
        }

        ChunkLoader.Outcome outcome = loader.load(Entity.URLS, rows);

        assertThat(outcome.imported()).isZero();
        assertThat(outcome.failures()).hasSize(500);
        assertThat(outcome.failures().get(7).message()).isEqualTo("user_id 990000007 does not exist");
    }
}
