package dev.shortener.importing.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.ShortenerApplication;
import dev.shortener.importing.EventStream;
import dev.shortener.importing.Jobs;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Jobs across instances sharing PostgreSQL and Redis. This test's context (instance A) serves the
 * API only; worker instances are started as needed. Its jobs go to a queue of their own, so the
 * workers of the other tests' contexts stay out.
 */
@TestPropertySource(
        properties = {
            "shortener.importing.worker.enabled=false",
            "shortener.importing.chunk-size=100",
            "shortener.importing.worker.reclaim-idle=1s",
            "shortener.importing.queue=" + DistributedImportTest.QUEUE
        })
class DistributedImportTest extends ApiTest {

    static final String QUEUE = "import-distributed";
    private static final Duration FINISH = Duration.ofSeconds(90);

    @Autowired
    JdbcClient db;

    @Autowired
    DataSource dataSource;

    @Autowired
    ImportChunks chunks;

    @Autowired
    Environment env;

    @Autowired
    ChunkWork work;

    /** A worker instance: same queue and chunk size, dead workers' chunks taken over after 1 s. */
    private static AppInstance workerInstance(Map<String, String> settings) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "shortener.importing.worker.enabled", "true",
                "shortener.importing.chunk-size", "100",
                "shortener.importing.queue", QUEUE,
                "shortener.importing.worker.reclaim-idle", "1s"));
        properties.putAll(settings);
        return AppInstance.start(properties);
    }

    /** Settings of an instance whose import statements give up waiting for a row lock after 300 ms. */
    private static Map<String, String> shortLockTimeout(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(more);
        settings.put(
                "spring.datasource.hikari.connection-init-sql",
                "SET statement_timeout = '5s'; SET lock_timeout = '300ms'");
        return settings;
    }

    private long count(String sql, Object... params) {
        return db.sql(sql).params(params).query(Long.class).single();
    }

    private static String events(String type, int rows) {
        StringJoiner csv = new StringJoiner("\n", "url_id,event_type\n", "\n");
        for (int i = 1; i <= rows; i++) {
            csv.add(i + "," + type);
        }
        return csv.toString();
    }

    @Test
    void aWorkerKilledMidJobLeavesItsChunksToAnotherInstanceThatFinishesWithoutDuplicates() throws Exception {
        // events without ids are appended: a chunk applied twice would show as duplicates
        String type = unique("killed");
        long id = Jobs.submit(api, "events", events(type, 3000));
        List<Long> leased = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            leased.add(chunks.leaseNext().orElseThrow());
        }
        // the doomed worker commits two of its chunks, then dies holding the leases of all five
        assertThat(work.run(leased.get(0), true, pause -> true).kind()).isEqualTo(ChunkWork.Kind.DONE);
        assertThat(work.run(leased.get(1), true, pause -> true).kind()).isEqualTo(ChunkWork.Kind.DONE);
        JsonNode midway = api.get("/imports/" + id).expect(200).json();
        assertThat(midway.get("state").asString()).isEqualTo("running");
        assertThat(midway.get("rows_processed").asLong()).isEqualTo(200);
        assertThat(count(
                        "SELECT count(*) FROM import_chunks WHERE job_id = ? AND state = 'pending'"
                                + " AND leased_until > now() AT TIME ZONE 'utc'",
                        id))
                .as("leased by the dead worker, not done")
                .isEqualTo(3);

        try (AppInstance survivor = workerInstance(Map.of())) {
            assertThat(survivor.bean(ImportWorkers.class).isRunning()).isTrue();
            JsonNode job = Jobs.awaitFinished(api, id, FINISH);

            assertThat(job.get("state").asString()).isEqualTo("completed");
            assertThat(job.get("rows_imported").asLong()).isEqualTo(3000);
            assertThat(job.get("rows_failed").asLong()).isZero();
            assertThat(count("SELECT count(*) FROM events WHERE event_type = ?", type))
                    .isEqualTo(3000);
            assertThat(count(
                            "SELECT count(*) FROM (SELECT url_id FROM events WHERE event_type = ?"
                                    + " GROUP BY url_id HAVING count(*) > 1) twice",
                            type))
                    .as("no row applied twice")
                    .isZero();
            assertThat(count("SELECT count(*) FROM import_chunks WHERE job_id = ?", id))
                    .as("every chunk done and dropped, the dead worker's included")
                    .isZero();
        }
    }

    @Test
    void aWorkerProcessKilledMidImportLeavesExactCountsAndTheOtherInstanceCompletesTheJob(@TempDir Path dir)
            throws Exception {
        String type = unique("sigkill");
        int rows = 100_000;
        long id = Jobs.submit(api, "events", events(type, rows));
        Process doomed = workerProcess(dir);
        try {
            // killed once its workers are well into the job: most likely inside a chunk's transaction
            await().atMost(FINISH).pollInterval(Duration.ofMillis(20)).until(() -> {
                assertThat(doomed.isAlive())
                        .as("the worker process runs (log in %s)", dir)
                        .isTrue();
                return api.get("/imports/" + id).json().get("rows_processed").asLong() >= rows / 10;
            });
        } finally {
            doomed.destroyForcibly().waitFor();
        }
        long atKill = api.get("/imports/" + id).json().get("rows_processed").asLong();
        assertThat(atKill).as("killed mid-import").isLessThan(rows);

        try (AppInstance survivor = workerInstance(Map.of())) {
            assertThat(survivor.bean(ImportWorkers.class).isRunning()).isTrue();
            JsonNode job = Jobs.awaitFinished(api, id, FINISH);

            assertThat(job.get("state").asString()).isEqualTo("completed");
            assertThat(job.get("rows_imported").asLong()).isEqualTo(rows);
            assertThat(job.get("rows_failed").asLong()).isZero();
            assertThat(count("SELECT count(*) FROM events WHERE event_type = ?", type))
                    .as("every row once: none lost with the killed process, none applied twice")
                    .isEqualTo(rows);
            assertThat(count("SELECT count(DISTINCT url_id) FROM events WHERE event_type = ?", type))
                    .isEqualTo(rows);
        }
    }

    /**
     * A second instance as a process of its own (this JVM's classpath), with workers on this test's
     * queue and data stores, so that it can be killed with SIGKILL.
     */
    private Process workerProcess(Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                ShortenerApplication.class.getName(),
                "--server.port=0",
                "--management.server.port=0",
                "--shortener.importing.worker.enabled=true",
                "--shortener.importing.chunk-size=100",
                "--shortener.importing.queue=" + QUEUE,
                "--shortener.importing.worker.reclaim-idle=1s"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("worker.log").toFile());
        builder.environment().put("DATABASE_URL", env.getRequiredProperty("spring.datasource.url"));
        builder.environment().put("DATABASE_USER", env.getRequiredProperty("spring.datasource.username"));
        builder.environment().put("DATABASE_PASSWORD", env.getProperty("spring.datasource.password", ""));
        builder.environment().put("REDIS_URL", env.getRequiredProperty("spring.data.redis.url"));
        builder.environment().put("SHORTENER_DATA_DIR", dir.toString());
        return builder.start();
    }

    @Test
    void aJobStartedOnOneInstanceIsFollowedOverServerSentEventsFromAnother() throws Exception {
        String tag = unique("across");
        int rows = 20_000;
        long id = Jobs.submit(api, "users", Jobs.users(tag, rows));

        List<EventStream.Event> onA;
        List<EventStream.Event> onB;
        try (EventStream streamA = EventStream.open(api.base() + "/imports/" + id + "/events", Map.of())) {
            // no worker yet: the queued job is reported every second
            List<EventStream.Event> queued = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofMillis(3500).toNanos();
            while (System.nanoTime() < until) {
                EventStream.Event event = streamA.next(Duration.ofMillis(500));
                if (event != null) {
                    queued.add(event);
                }
            }
            assertThat(queued)
                    .hasSizeGreaterThanOrEqualTo(3)
                    .allMatch(e -> e.name().equals("progress"));
            assertThat(queued.getFirst().job().get("state").asString()).isEqualTo("queued");

            try (AppInstance b = workerInstance(Map.of());
                    EventStream streamB = EventStream.open(b.api().base() + "/imports/" + id + "/events", Map.of())) {
                onA = new ArrayList<>(queued);
                onA.addAll(streamA.untilFinal(FINISH));
                onB = streamB.untilFinal(FINISH);
            }
        }

        for (List<EventStream.Event> events : List.of(onA, onB)) {
            EventStream.Event last = events.getLast();
            assertThat(last.name()).isEqualTo("completed");
            assertThat(last.job().get("rows_imported").asLong()).isEqualTo(rows);
            EventStream.assertNeverGoBack(events);
        }
        assertThat(onA)
                .as("instance A relays the progress of B's workers")
                .anyMatch(e -> e.name().equals("progress")
                        && e.job().get("rows_processed").asLong() > 0
                        && e.job().get("rows_processed").asLong() < rows);
        assertThat(onB.getLast().id()).isEqualTo(onA.getLast().id());
        assertThat(count("SELECT count(*) FROM users WHERE email LIKE ?", tag + "%"))
                .isEqualTo(rows);
    }

    @Test
    void aChunkThatKeepsFailingIsRetriedThenSplitUntilOnlyTheFailingRowIsDeadLettered() throws Exception {
        String tag = unique("split");
        long locked = api.post("/users", Map.of("username", "before", "email", tag + "-locked@example.com"))
                .expect(201)
                .json()
                .get("id")
                .asLong();
        long base = 50_000_000 + (System.nanoTime() / 1000 % 1_000_000) * 10;
        String csv = "id,username,email\n"
                + locked + ",after," + tag + "-locked@example.com\n"
                + (base + 1) + ",n1," + tag + "1@example.com\n"
                + (base + 2) + ",n2," + tag + "2@example.com\n"
                + (base + 3) + ",n3," + tag + "3@example.com\n";

        JsonNode job;
        long letter;
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("SELECT 1 FROM users WHERE id = ? FOR UPDATE")) {
                lock.setLong(1, locked);
                lock.executeQuery().close();
            }
            try (AppInstance worker = workerInstance(shortLockTimeout(Map.of(
                    "shortener.importing.worker.max-attempts", "2",
                    "shortener.importing.worker.backoff", "50ms")))) {
                assertThat(worker.bean(ImportWorkers.class).isRunning()).isTrue();
                long id = Jobs.submit(api, "users", csv);
                job = Jobs.awaitFinished(api, id, FINISH);
            }
            JsonNode letters = api.get(
                            "/imports/dead-letters?job_id=" + job.get("id").asLong())
                    .expect(200)
                    .json();
            assertThat(letters.size()).isEqualTo(1);
            assertThat(letters.get(0).get("line").asLong()).isEqualTo(2);
            assertThat(letters.get(0).get("reason").asString())
                    .startsWith("not imported after 2 attempts")
                    .contains("lock");
            letter = letters.get(0).get("id").asLong();
            holder.rollback();
        }

        assertThat(job.get("state").asString()).isEqualTo("completed");
        assertThat(job.get("rows_imported").asLong()).isEqualTo(3);
        assertThat(job.get("rows_failed").asLong()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM users WHERE id BETWEEN ? AND ?", base + 1, base + 3))
                .isEqualTo(3);
        assertThat(count(
                        "SELECT count(*) FROM import_chunks WHERE job_id = ?",
                        job.get("id").asLong()))
                .isZero();

        api.post("/imports/dead-letters/" + letter + "/replay", "").expect(200);
        assertThat(api.get("/users/" + locked).json().get("username").asString())
                .isEqualTo("after");
    }

    @Test
    void aStoppingWorkerGivesItsChunkBackForAnotherInstance() throws Exception {
        String tag = unique("release");
        long locked = api.post("/users", Map.of("username", "before", "email", tag + "-locked@example.com"))
                .expect(201)
                .json()
                .get("id")
                .asLong();
        String csv = "id,username,email\n" + locked + ",after," + tag + "-locked@example.com\n";
        long id;
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("SELECT 1 FROM users WHERE id = ? FOR UPDATE")) {
                lock.setLong(1, locked);
                lock.executeQuery().close();
            }
            try (AppInstance stopping = workerInstance(shortLockTimeout(Map.of(
                    "shortener.importing.worker.max-attempts", "100",
                    "shortener.importing.worker.backoff", "2s")))) {
                assertThat(stopping.bean(ImportWorkers.class).isRunning()).isTrue();
                id = Jobs.submit(api, "users", csv);
                long job = id;
                await().atMost(FINISH)
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> count("SELECT attempts FROM import_chunks WHERE job_id = ?", job) > 0);
            }
            holder.rollback();
        }
        assertThat(api.get("/imports/" + id).json().get("state").asString()).isEqualTo("running");

        // another instance gets the chunk at once: given back, not waiting to be reclaimed
        try (AppInstance next = workerInstance(Map.of("shortener.importing.worker.reclaim-idle", "10m"))) {
            assertThat(next.bean(ImportWorkers.class).isRunning()).isTrue();
            JsonNode job = Jobs.awaitFinished(api, id, FINISH);

            assertThat(job.get("state").asString()).isEqualTo("completed");
            assertThat(job.get("rows_imported").asLong()).isEqualTo(1);
        }
        assertThat(api.get("/users/" + locked).json().get("username").asString())
                .isEqualTo("after");
    }
}
