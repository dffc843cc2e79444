package dev.shortener.importing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Import jobs on one instance with its workers: 202 answers, job state, dead letters, progress events. */
class ImportJobApiTest extends ApiTest {

    private static final Duration FINISH = Duration.ofSeconds(60);

    @Autowired
    JdbcClient db;

    private long count(String sql, Object... params) {
        return db.sql(sql).params(params).query(Long.class).single();
    }

    private static List<String> lines(JsonNode deadLetters) {
        return deadLetters
                .valueStream()
                .map(d -> d.get("line").asLong() + ": " + d.get("reason").asString())
                .toList();
    }

    @Test
    void aRespondAsyncUploadIsAcceptedAsAJobThatTheWorkersImportCompletely() throws Exception {
        String tag = unique("job");

        Api.Response accepted = Jobs.upload(api, "users", Jobs.users(tag, 4500), Jobs.RESPOND_ASYNC)
                .expect(202);

        JsonNode job = accepted.json();
        long id = job.get("id").asLong();
        assertThat(accepted.header("Location")).isEqualTo("/imports/" + id);
        assertThat(accepted.header("Preference-Applied")).isEqualTo("respond-async");
        assertThat(job.get("entity").asString()).isEqualTo("users");
        assertThat(job.get("mode").asString()).isEqualTo("async");
        assertThat(job.get("state").asString()).isIn("queued", "running", "completed");
        assertThat(job.get("rows_total").asLong())
                .as("the whole upload is stored before the answer")
                .isEqualTo(4500);
        assertThat(job.get("file_name").asString()).isEqualTo("users.csv");
        assertThat(job.get("received_at").isNull()).isFalse();

        JsonNode finished = Jobs.awaitFinished(api, id, FINISH);

        assertThat(finished.get("state").asString()).isEqualTo("completed");
        assertThat(finished.get("rows_processed").asLong()).isEqualTo(4500);
        assertThat(finished.get("rows_imported").asLong()).isEqualTo(4500);
        assertThat(finished.get("rows_failed").asLong()).isZero();
        assertThat(finished.get("started_at").isNull()).isFalse();
        assertThat(finished.get("finished_at").isNull()).isFalse();
        assertThat(finished.get("elapsed_seconds").asDouble()).isPositive();
        assertThat(finished.get("version").asLong())
                .isGreaterThan(job.get("version").asLong());
        assertThat(count("SELECT count(*) FROM users WHERE email LIKE ?", tag + "%"))
                .isEqualTo(4500);
        assertThat(count("SELECT count(*) FROM import_chunks WHERE job_id = ?", id))
                .as("a finished job's stored chunks are dropped")
                .isZero();
    }

    @Test
    void poisonRowsAreDeadLetteredWithTheirLinesAndImportedWhenReplayedAfterAFix() throws Exception {
        String tag = unique("poison");
        String taken = tag + "-taken@example.com";
        long holder = api.post("/users", Map.of("username", "holder", "email", taken))
                .expect(201)
                .json()
                .get("id")
                .asLong();
        long base = 40_000_000 + (System.nanoTime() / 1000 % 1_000_000) * 10;
        String csv = String.join(
                "\n",
                "id,username,email",
                (base + 1) + ",ok1," + tag + "1@example.com",
                (base + 2) + ",ok2," + tag + "2@example.com",
                (base + 3) + ",bad,not-an-email",
                (base + 4) + ",ok3," + tag + "3@example.com",
                (base + 5) + ",thief," + taken.toUpperCase(),
                (base + 6) + ",ok4," + tag + "4@example.com",
                (base + 7) + ",extra," + tag + "5@example.com,value",
                "");

        long id = Jobs.submit(api, "users", csv);
        JsonNode job = Jobs.awaitFinished(api, id, FINISH);

        assertThat(job.get("state").asString()).isEqualTo("completed");
        assertThat(job.get("rows_imported").asLong()).isEqualTo(4);
        assertThat(job.get("rows_failed").asLong()).isEqualTo(3);
        Api.Response page = api.get("/imports/dead-letters?job_id=" + id).expect(200);
        assertThat(page.header("X-Total-Count")).isEqualTo("3");
        JsonNode letters = page.json();
        assertThat(lines(letters))
                .containsExactly(
                        "4: email must be a valid e-mail address",
                        "6: email " + taken.toUpperCase() + " is already taken by another user",
                        "8: has 4 values but the header has 3 columns");
        assertThat(letters.get(0).get("raw_row").asString()).isEqualTo((base + 3) + ",bad,not-an-email");
        assertThat(letters.get(0).get("job_id").asLong()).isEqualTo(id);
        assertThat(letters.get(0).get("entity").asString()).isEqualTo("users");
        long invalid = letters.get(0).get("id").asLong();
        long thief = letters.get(1).get("id").asLong();
        long extra = letters.get(2).get("id").asLong();

        JsonNode again = api.post("/imports/dead-letters/" + invalid + "/replay", "")
                .expect(422)
                .json();
        assertThat(again.get("type").asString()).isEqualTo("urn:shortener:problem:replay-failed");
        assertThat(again.get("dead_letter").get("replays").asInt()).isEqualTo(1);

        JsonNode replayed = api.post(
                        "/imports/dead-letters/" + invalid + "/replay",
                        Map.of("raw_row", (base + 3) + ",fixed," + tag + "-fixed@example.com"))
                .expect(200)
                .json();
        assertThat(replayed.get("outcome").asString()).isEqualTo("imported");
        assertThat(replayed.get("line").asLong()).isEqualTo(4);
        assertThat(count("SELECT count(*) FROM users WHERE email = ?", tag + "-fixed@example.com"))
                .isEqualTo(1);
        api.get("/imports/dead-letters/" + invalid).expect(404);

        api.post("/imports/dead-letters/" + thief + "/replay", "").expect(422);
        api.delete("/users/" + holder).expect(204);
        api.post("/imports/dead-letters/" + thief + "/replay", "").expect(200);
        assertThat(count("SELECT count(*) FROM users WHERE email = ?", taken.toUpperCase()))
                .isEqualTo(1);

        api.delete("/imports/dead-letters/" + extra).expect(204);
        api.delete("/imports/dead-letters/" + extra).expect(404);
        api.post("/imports/dead-letters/" + extra + "/replay", "").expect(404);

        JsonNode after = api.get("/imports/" + id).expect(200).json();
        assertThat(after.get("rows_imported").asLong()).isEqualTo(6);
        assertThat(after.get("rows_failed").asLong())
                .as("the discarded row stays failed")
                .isEqualTo(1);
        assertThat(api.get("/imports/dead-letters?job_id=" + id).header("X-Total-Count"))
                .isEqualTo("0");
    }

    @Test
    void aReplayBodyMustBeAJsonObjectWithOneCsvRecord() throws Exception {
        String tag = unique("body");
        long id = Jobs.submit(api, "users", "username,email\nbad,nope\nok," + tag + "@example.com\n");
        Jobs.awaitFinished(api, id, FINISH);
        long letter = api.get("/imports/dead-letters?job_id=" + id)
                .json()
                .get(0)
                .get("id")
                .asLong();

        api.raw("POST", "/imports/dead-letters/" + letter + "/replay", "[1]", "application/json")
                .expect(400);
        api.post("/imports/dead-letters/" + letter + "/replay", Map.of("raw_row", 5))
                .expect(422);
        JsonNode twoRecords = api.post(
                        "/imports/dead-letters/" + letter + "/replay",
                        Map.of("raw_row", "a," + tag + "a@example.com\nb," + tag + "b@example.com"))
                .expect(422)
                .json();
        assertThat(twoRecords.get("errors").get("raw_row").asString()).contains("exactly one CSV record");
        api.get("/imports/dead-letters/" + letter).expect(200);
    }

    @Test
    void aClientFollowsAJobOverServerSentEventsInOrderUntilTheFinalEvent() throws Exception {
        String tag = unique("sse");
        long id = Jobs.submit(api, "users", Jobs.users(tag, 8000));

        List<EventStream.Event> events;
        try (EventStream stream = EventStream.open(api.base() + "/imports/" + id + "/events", Map.of())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            events = stream.untilFinal(FINISH);
            assertThat(stream.ended(Duration.ofSeconds(5)))
                    .as("the stream ends after the final event")
                    .isTrue();
        }

        EventStream.Event last = events.getLast();
        assertThat(last.name()).isEqualTo("completed");
        assertThat(last.job().get("rows_imported").asLong()).isEqualTo(8000);
        assertThat(events.subList(0, events.size() - 1)).allMatch(e -> e.name().equals("progress"));
        EventStream.assertNeverGoBack(events);
        assertThat(last.version())
                .isEqualTo(api.get("/imports/" + id).json().get("version").asLong());

        try (EventStream resumed =
                EventStream.open(api.base() + "/imports/" + id + "/events", Map.of("Last-Event-ID", last.id()))) {
            assertThat(resumed.status()).as("nothing follows the final event").isEqualTo(204);
        }
        try (EventStream resumed = EventStream.open(
                api.base() + "/imports/" + id + "/events",
                Map.of("Last-Event-ID", Long.toString(last.version() - 1)))) {
            List<EventStream.Event> rest = resumed.untilFinal(Duration.ofSeconds(10));
            assertThat(rest).extracting(EventStream.Event::name).containsExactly("completed");
        }
    }

    @Test
    void aSynchronousImportRunsAsAJobWhoseFailuresAreNotDeadLetters() {
        String tag = unique("sync");
        long before = count("SELECT count(*) FROM import_jobs WHERE mode = 'sync'");

        JsonNode report = Jobs.upload(api, "users", "username,email\nok," + tag + "@example.com\nbad,nope\n", Map.of())
                .expect(201)
                .json();

        assertThat(report.get("imported").asLong()).isEqualTo(1);
        assertThat(report.get("failed").asLong()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM import_jobs WHERE mode = 'sync'"))
                .isEqualTo(before + 1);
        assertThat(count("SELECT count(*) FROM import_failures f JOIN import_jobs j ON j.id = f.job_id"
                        + " WHERE j.mode = 'sync' AND f.dead"))
                .isZero();
    }

    @Test
    void aJobWhoseFileHasNoUsableHeaderIsRefusedWith422() {
        JsonNode problem = Jobs.upload(api, "urls", "id,name\n1,x\n", Jobs.RESPOND_ASYNC)
                .expect(422)
                .json();

        assertThat(problem.get("type").asString()).isEqualTo("urn:shortener:problem:no-valid-rows");
        assertThat(problem.get("errors").get(0).get("line").asLong()).isEqualTo(1);
    }

    @Test
    void unknownJobsAndDeadLettersAreNotFoundAndBadParametersAreRefused() {
        api.get("/imports/987654321").expect(404);
        api.get("/imports/987654321/events").expect(404);
        api.get("/imports/abc").expect(404);
        api.get("/imports/dead-letters/987654321").expect(404);
        api.delete("/imports/dead-letters/987654321").expect(404);
        api.post("/imports/dead-letters/987654321/replay", "").expect(404);
        api.get("/imports/dead-letters?job_id=x").expect(400);
        api.get("/imports/dead-letters?entity=links").expect(400);
        api.get("/imports/dead-letters?per_page=0").expect(400);
    }

    @Test
    void aNonNumericLastEventIdIsRefused() {
        long id = Jobs.submit(api, "users", Jobs.users(unique("lei"), 1));

        api.send("GET", "/imports/" + id + "/events", Map.of("Last-Event-ID", "x"))
                .expect(400);
    }

    @Test
    void theImportMetersAreRegisteredForEveryEntityAndState() {
        String metrics = management.get("/metrics").expect(200).body();

        for (String entity : List.of("users", "urls", "events")) {
            for (String outcome : List.of("imported", "failed")) {
                assertThat(metrics)
                        .containsPattern("shortener_import_rows_total\\{[^}]*entity=\"" + entity + "\"[^}]*outcome=\""
                                + outcome + "\"");
            }
        }
        assertThat(metrics)
                .containsPattern("shortener_import_jobs_total\\{[^}]*state=\"completed\"")
                .containsPattern("shortener_import_jobs_total\\{[^}]*state=\"failed\"")
                .contains("shortener_import_dead_letters{")
                .contains("shortener_import_dead_lettered_total{");
    }

    @Test
    void theNewEndpointsAreDocumentedWithTheirErrorsAsProblems() {
        JsonNode paths = api.get("/openapi.json").expect(200).json().get("paths");

        for (String[] op : List.of(
                new String[] {"/imports/{id}", "get"},
                new String[] {"/imports/{id}/events", "get"},
                new String[] {"/imports/dead-letters", "get"},
                new String[] {"/imports/dead-letters/{id}", "get"},
                new String[] {"/imports/dead-letters/{id}", "delete"},
                new String[] {"/imports/dead-letters/{id}/replay", "post"})) {
            JsonNode operation = paths.path(op[0]).path(op[1]);
            assertThat(operation.path("summary").asString(""))
                    .as("%s %s", op[1], op[0])
                    .isNotBlank();
            List<String> errors = operation.path("responses").propertyNames().stream()
                    .filter(code -> code.startsWith("4"))
                    .toList();
            assertThat(errors).as("error responses of %s %s", op[1], op[0]).isNotEmpty();
            for (String code : errors) {
                assertThat(operation
                                .path("responses")
                                .path(code)
                                .path("content")
                                .path("application/problem+json")
                                .path("schema")
                                .path("$ref")
                                .asString(""))
                        .as("%s of %s %s", code, op[1], op[0])
                        .endsWith("/Problem");
            }
        }
        assertThat(paths.path("/{entity}/bulk").path("post").path("responses").has("202"))
                .isTrue();
        assertThat(paths.path("/imports/{id}/events")
                        .path("get")
                        .path("responses")
                        .path("200")
                        .path("content")
                        .has("text/event-stream"))
                .isTrue();
    }
}
