package dev.shortener.importing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api.Response;
import dev.shortener.ApiTest;
import dev.shortener.importing.cli.SeedGeneratorTest;
import dev.shortener.importing.load.Entity;
import dev.shortener.importing.load.Row;
import dev.shortener.importing.load.UserRow;
import dev.shortener.link.OriginalUrl;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class ImportApiTest extends ApiTest {

    /** 400 generated users with ids 1..400; the same seed in every test keeps re-imports idempotent. */
    private static final String USERS =
            SeedGeneratorTest.generate(400, 0, 0, 42).users();

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    @Autowired
    JdbcClient db;

    private Response upload(String entity, String csv) {
        return api.upload("/" + entity + "/bulk", "file", entity + ".csv", csv);
    }

    private static List<String> errors(JsonNode report) {
        return report.get("errors")
                .valueStream()
                .map(e -> e.get("line").asLong() + ": " + e.get("message").asString())
                .toList();
    }

    @Test
    void aGenerated400RowUsersFileWithRepeatedUsernamesImportsEveryRow() {
        List<Row> rows = SeedGeneratorTest.rows(Entity.USERS, USERS);
        assertThat(rows.stream().map(r -> ((UserRow) r).username()).distinct())
                .as("the file repeats usernames")
                .hasSizeLessThan(400);

        JsonNode report = upload("users", USERS).expect(201).json();

        assertThat(report.get("imported").asLong()).isEqualTo(400);
        assertThat(report.get("count").asLong()).isEqualTo(400);
        assertThat(report.get("failed").asLong()).isZero();
        assertThat(report.get("errors").isEmpty()).isTrue();
        JsonNode page = api.get("/users?per_page=400").expect(200).json();
        for (int i = 0; i < 400; i++) {
            UserRow row = (UserRow) rows.get(i);
            JsonNode user = page.get(i);
            assertThat(user.get("id").asLong()).isEqualTo(row.id());
            assertThat(user.get("username").asString()).isEqualTo(row.username());
            assertThat(user.get("email").asString()).isEqualTo(row.email());
            assertThat(user.get("created_at").asString()).isEqualTo(SECONDS.format(row.createdAt()));
        }
        assertThat(api.get("/users/1").expect(200).json()).isEqualTo(page.get(0));
    }

    @Test
    void reimportingTheSameFileGivesTheSameCountsAndNoDuplicates() {
        upload("users", USERS).expect(201);
        String total = api.get("/users").header("X-Total-Count");
        JsonNode before = api.get("/users?per_page=400").json();

        JsonNode again = upload("users", USERS).expect(201).json();

        assertThat(again.get("imported").asLong()).isEqualTo(400);
        assertThat(again.get("failed").asLong()).isZero();
        assertThat(api.get("/users").header("X-Total-Count")).isEqualTo(total);
        assertThat(api.get("/users?per_page=400").json()).isEqualTo(before);
    }

    @Test
    void usersWithoutIdAreUpsertedByEmailIgnoringCase() {
        String email = unique("noid") + "@example.com";
        JsonNode first = upload("users", "username,email\nfirst," + email + "\n")
                .expect(201)
                .json();
        assertThat(first.get("imported").asLong()).isEqualTo(1);
        long id = db.sql("SELECT id FROM users WHERE email = ?")
                .param(email)
                .query(Long.class)
                .single();

        upload("users", "username,email\nsecond," + email.toUpperCase() + "\n").expect(201);

        JsonNode user = api.get("/users/" + id).expect(200).json();
        assertThat(user.get("username").asString()).isEqualTo("second");
        assertThat(user.get("email").asString()).isEqualTo(email.toUpperCase());
        assertThat(db.sql("SELECT count(*) FROM users WHERE lower(email) = ?")
                        .param(email)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void theIdSequenceMovesPastImportedIdsSoLaterCreatesNeverCollide() {
        upload("users", "id,username,email\n987654,late," + unique("seq") + "@example.com\n")
                .expect(201);

        JsonNode created = api.post("/users", Map.of("username", "after", "email", unique("after") + "@example.com"))
                .expect(201)
                .json();

        assertThat(created.get("id").asLong()).isGreaterThan(987654);
    }

    @Test
    void badRowsAreReportedByLineWhileEveryGoodRowLands() {
        String taken = unique("taken") + "@example.com";
        long owner = api.post("/users", Map.of("username", "owner", "email", taken))
                .expect(201)
                .json()
                .get("id")
                .asLong();
        String csv = String.join(
                "\n",
                "id,username,email,created_at",
                "900001,good1," + unique("g1") + "@example.com,2024-11-14 04:11:00",
                "900002,," + unique("e") + "@example.com,",
                "900003,bad,not-an-email,",
                "abc,x," + unique("e") + "@example.com,",
                "900004,\"two",
                "lines\",also-bad,",
                "900005,good2," + unique("g2") + "@example.com,2024-11-14T04:11:00",
                "900006,thief," + taken.toUpperCase() + ",",
                "900007," + "x".repeat(65) + "," + unique("e") + "@example.com,",
                "900008,ok," + unique("e") + "@example.com,2024-13-01 00:00:00",
                "",
                "900009,good3," + unique("g3") + "@EXAMPLE.com,",
                "900010,x," + unique("e") + "@example.com,extra,value",
                "");

        JsonNode report = upload("users", csv).expect(201).json();

        assertThat(errors(report))
                .containsExactly(
                        "3: username is required",
                        "4: email must be a valid e-mail address",
                        "5: id must be a positive integer, not 'abc'",
                        "6: email must be a valid e-mail address",
                        "9: email " + taken.toUpperCase() + " is already taken by another user",
                        "10: username must be at most 64 characters",
                        "11: created_at must be a timestamp like 2024-11-14 04:11:00, not '2024-13-01 00:00:00'",
                        "14: has 5 values but the header has 4 columns");
        assertThat(report.get("imported").asLong()).isEqualTo(3);
        assertThat(report.get("failed").asLong()).isEqualTo(8);
        assertThat(api.get("/users/900001").expect(200).json().get("created_at").asString())
                .isEqualTo("2024-11-14T04:11:00");
        api.get("/users/900005").expect(200);
        api.get("/users/900009").expect(200);
        api.get("/users/900006").expect(404);
        assertThat(api.get("/users/" + owner).json().get("email").asString()).isEqualTo(taken);
    }

    @Test
    void urlsWithTrueFalseBooleansImportAndRowsOfUnknownUsersAreRefused() {
        long user = api.post("/users", Map.of("username", "linker", "email", unique("linker") + "@example.com"))
                .expect(201)
                .json()
                .get("id")
                .asLong();
        String[] codes = {unique("a"), unique("b"), unique("c"), unique("d"), unique("e"), unique("f")};
        String csv = String.join(
                "\n",
                "id,user_id,short_code,original_url,title,is_active,created_at,updated_at",
                "800001," + user + "," + codes[0]
                        + ",https://seeded.app/gold/meadow/1,Service guide orbit,True,2025-06-22 20:54:35,"
                        + "2025-07-05 18:21:21",
                "800002," + user + "," + codes[1] + ",https://example.com/b,,False,,",
                "800003,," + codes[2] + ",http://example.com/c,Anonymous,true,,",
                "800004,987654321," + codes[3] + ",https://example.com/d,Nobody's,1,,",
                "800005," + user + "," + codes[4] + ",ftp://example.com/e,T,0,,",
                "800006," + user + "," + codes[5] + ",https://example.com/f,T,0,,",
                "");

        JsonNode report = upload("urls", csv).expect(201).json();

        assertThat(errors(report))
                .containsExactly("5: user_id 987654321 does not exist", "6: original_url " + OriginalUrl.RULE);
        assertThat(report.get("imported").asLong()).isEqualTo(4);
        Map<String, Object> first =
                db.sql("SELECT * FROM urls WHERE id = 800001").query().singleRow();
        assertThat(first)
                .containsEntry("user_id", user)
                .containsEntry("short_code", codes[0])
                .containsEntry("title", "Service guide orbit")
                .containsEntry("is_active", true);
        assertThat(first.get("created_at").toString()).isEqualTo("2025-06-22 20:54:35.0");
        assertThat(first.get("updated_at").toString()).isEqualTo("2025-07-05 18:21:21.0");
        assertThat(db.sql("SELECT id, user_id, title, is_active FROM urls WHERE id IN (800002, 800003, 800006)"
                                + " ORDER BY id")
                        .query()
                        .listOfRows())
                .containsExactly(
                        row(800002L, user, null, false),
                        row(800003L, null, "Anonymous", true),
                        row(800006L, user, "T", false));
        assertThat(db.sql("SELECT count(*) FROM urls WHERE id IN (800004, 800005)")
                        .query(Long.class)
                        .single())
                .isZero();

        JsonNode again = upload("urls", csv).expect(201).json();
        assertThat(again.get("imported").asLong()).isEqualTo(4);
        assertThat(db.sql("SELECT updated_at::text FROM urls WHERE id = 800001")
                        .query(String.class)
                        .single())
                .as("an identical re-import changes nothing")
                .isEqualTo("2025-07-05 18:21:21");
    }

    @Test
    void aRedirectFollowsTheImportAtOnceWhereTheLinkWasCached() {
        String code = unique("cached");
        api.post("/urls", Map.of("original_url", "https://example.com/before", "short_code", code))
                .expect(201);
        assertThat(api.get("/" + code).expect(302).header("Location")).isEqualTo("https://example.com/before");

        upload("urls", "short_code,original_url\n" + code + ",https://example.com/after\n")
                .expect(201);

        assertThat(api.get("/" + code).expect(302).header("Location"))
                .as("the import's LinksImported event evicted the cached link")
                .isEqualTo("https://example.com/after");
    }

    private static Map<String, Object> row(Object id, Object userId, Object title, Object isActive) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("id", id);
        row.put("user_id", userId);
        row.put("title", title);
        row.put("is_active", isActive);
        return row;
    }

    @Test
    void eventsKeepTheirJsonDetailsAsObjectsAndRowsWithoutIdAreAppended() {
        String csv = String.join(
                "\n",
                "id,url_id,user_id,event_type,timestamp,details",
                "700001,1,1,created,2025-06-22 20:54:35,\"{\"\"short_code\"\":\"\"WqxP6K\"\","
                        + "\"\"original_url\"\":\"\"https://seeded.app/gold/meadow/1\"\"}\"",
                "700002,1,,click,2025-06-22T20:54:36,",
                ",2,1,updated,2025-06-22 20:54:37,\"{\"\"field\"\":\"\"title\"\",\"\"new_value\"\":\"\"x\"\"}\"",
                "700003,1,1,created,,\"[1,2]\"",
                "700004,,1,created,,{}",
                "700005,1,1,,,{}",
                "");

        JsonNode report = upload("events", csv).expect(201).json();

        assertThat(errors(report))
                .containsExactly(
                        "5: details must be the text of a JSON object",
                        "6: url_id is required",
                        "7: event_type is required");
        assertThat(report.get("imported").asLong()).isEqualTo(3);
        assertThat(db.sql("SELECT jsonb_typeof(details) || ' ' || (details ->> 'short_code') FROM events"
                                + " WHERE id = 700001")
                        .query(String.class)
                        .single())
                .isEqualTo("object WqxP6K");
        assertThat(db.sql("SELECT user_id IS NULL AND details = '{}'::jsonb FROM events WHERE id = 700002")
                        .query(Boolean.class)
                        .single())
                .isTrue();
        String appended = "SELECT count(*) FROM events WHERE url_id = 2 AND details ->> 'new_value' = 'x'";
        assertThat(db.sql(appended).query(Long.class).single()).isEqualTo(1);

        upload("events", csv).expect(201);

        assertThat(db.sql(appended).query(Long.class).single()).isEqualTo(2);
        assertThat(db.sql("SELECT count(*) FROM events WHERE id IN (700001, 700002)")
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
    }

    @Test
    void aFileWithNoValidRowIsRefusedWith422ListingTheErrors() {
        JsonNode problem = upload("users", "username,email\n,a@example.com\nb,nope\n")
                .expect(422)
                .json();

        assertThat(problem.get("type").asString()).isEqualTo("urn:shortener:problem:no-valid-rows");
        assertThat(problem.get("imported").asLong()).isZero();
        assertThat(problem.get("failed").asLong()).isEqualTo(2);
        assertThat(errors(problem))
                .containsExactly("2: username is required", "3: email must be a valid e-mail address");
    }

    @Test
    void aHeaderWithoutTheRequiredColumnsIsRefusedWith422() {
        JsonNode problem = upload("users", "id,name\n1,ada\n").expect(422).json();

        assertThat(errors(problem))
                .containsExactly("1: the header lacks the required columns username, email (it has id, name)");
    }

    @Test
    void anEmptyFileIsRefusedWith422AndAHeaderOnlyFileImportsNothing() {
        upload("users", "").expect(422);

        JsonNode report = upload("events", "id,url_id,user_id,event_type,timestamp,details\n")
                .expect(201)
                .json();

        assertThat(report.get("imported").asLong()).isZero();
        assertThat(report.get("failed").asLong()).isZero();
    }

    @Test
    void anUploadWithoutAFilePartIsRefusedWith400() {
        api.upload("/users/bulk", "upload", "users.csv", USERS).expect(400);
    }

    @ParameterizedTest(name = "a {0} body is refused with 400")
    @ValueSource(strings = {"application/json", "text/csv", "application/x-www-form-urlencoded"})
    void aBodyThatIsNotMultipartIsRefusedWith400(String contentType) {
        api.raw("POST", "/urls/bulk", "id,username,email\n1,a,a@example.com\n", contentType)
                .expect(400);
    }

    @Test
    void aMultipartBodyWithoutBoundaryIsRefusedWith400() {
        api.raw("POST", "/events/bulk", "garbage", "multipart/form-data").expect(400);
    }

    @Test
    void otherEntitiesHaveNoBulkRoute() {
        api.upload("/links/bulk", "file", "x.csv", "a\n1\n").expect(404);
    }
}
