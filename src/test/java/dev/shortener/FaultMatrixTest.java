package dev.shortener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.FaultProxy.Fault;
import dev.shortener.importing.EventStream;
import dev.shortener.importing.Jobs;
import dev.shortener.link.Link;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The fault matrix: one instance reaches PostgreSQL and Redis through {@link FaultProxy}s; each
 * row injects one fault into one of them for a few seconds while cached redirects, uncached
 * redirects, link creations, link changes, an import and the progress stream of a running import
 * job run, and states what each may answer and how fast. After the fault ends, everything works
 * again within 5 s and every redirect answered is stored as a click. {@code bench/faults.sh} runs
 * the same rows with 30 s faults; {@code GracefulStopTest} is the shutdown column.
 */
@Execution(ExecutionMode.SAME_THREAD)
class FaultMatrixTest extends ApiTest {

    private static final Duration FAULT = Duration.ofSeconds(Long.getLong("faults.seconds", 3));
    private static final Duration RECOVERY = Duration.ofSeconds(5);
    /** Twice the default (250 ms) on a test machine; {@code bench/faults.sh} runs with the default. */
    private static final Duration REDIS_TIMEOUT =
            DurationStyle.detectAndParse(System.getProperty("faults.redis-timeout", "500ms"));

    private static final Set<Integer> REDIRECTED = Set.of(302);
    private static final Set<Integer> UNAVAILABLE = Set.of(503);
    /** The longest a running job's progress stream waits between two reads of the job (IMPORT_PROGRESS_INTERVAL). */
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);

    private static FaultProxy postgres;
    private static FaultProxy redis;
    private static AppInstance instance;
    private static TestLinks links;
    private static JdbcClient db;

    /** What a cell may answer, and the slowest answer allowed. */
    record Cell(Set<Integer> statuses, Duration slowest) {}

    /** What the writes (create, update, import) may answer: done, 503 or either, and how fast. */
    record Writes(boolean done, boolean unavailable, Duration slowest) {
        Cell answering(int success) {
            Set<Integer> statuses = new HashSet<>();
            if (done) {
                statuses.add(success);
            }
            if (unavailable) {
                statuses.addAll(UNAVAILABLE);
            }
            return new Cell(statuses, slowest);
        }
    }

    /**
     * A row: the fault, where, and what an uncached redirect and the writes may answer. Cached
     * redirects always answer 302 within 200 ms, with a p99 under 100 ms.
     */
    record Row(String dependency, Fault fault, Cell uncached, Writes writes) {
        @Override
        public String toString() {
            return dependency + " " + fault;
        }
    }

    private static final Cell CACHED = new Cell(REDIRECTED, Duration.ofMillis(200));

    private static Writes fail(Duration within) {
        return new Writes(false, true, within);
    }

    private static Writes doneOrFail(Duration within) {
        return new Writes(true, true, within);
    }

    private static Writes done(Duration within) {
        return new Writes(true, false, within);
    }

    static Stream<Row> rows() {
        Cell redirected = new Cell(REDIRECTED, Duration.ofSeconds(2));
        return Stream.of(
                new Row(
                        "postgres",
                        Fault.DOWN,
                        new Cell(UNAVAILABLE, Duration.ofSeconds(2)),
                        fail(Duration.ofSeconds(3))),
                new Row(
                        "postgres",
                        Fault.RESET,
                        new Cell(UNAVAILABLE, Duration.ofSeconds(2)),
                        fail(Duration.ofSeconds(3))),
                // the lookup's socket timeout (its 1 s statement timeout + 2 s), and the application
                // pool's (DB_SOCKET_TIMEOUT_SECONDS, 15 s, here 4 s)
                new Row(
                        "postgres",
                        Fault.BLACKHOLE,
                        new Cell(UNAVAILABLE, Duration.ofSeconds(4)),
                        fail(Duration.ofSeconds(6))),
                // a second per round trip: a lookup or a write that finds no idle connection cannot
                // make one within its connection timeout; one that finds one pays a second a
                // statement (a synchronous import runs about 17 of them one after another)
                new Row(
                        "postgres",
                        FaultProxy.latency(Duration.ofMillis(500)),
                        new Cell(Set.of(302, 503), Duration.ofSeconds(3)),
                        doneOrFail(Duration.ofSeconds(25))),
                new Row(
                        "postgres",
                        FaultProxy.bandwidth(10_000),
                        new Cell(Set.of(302, 503), Duration.ofSeconds(4)),
                        doneOrFail(Duration.ofSeconds(10))),
                new Row("redis", FaultProxy.bandwidth(10_000), redirected, done(Duration.ofSeconds(3))),
                new Row("redis", Fault.DOWN, redirected, done(Duration.ofSeconds(1))),
                new Row("redis", Fault.RESET, redirected, done(Duration.ofSeconds(1))),
                new Row("redis", Fault.BLACKHOLE, redirected, done(Duration.ofSeconds(3))),
                new Row("redis", FaultProxy.latency(Duration.ofMillis(500)), redirected, done(Duration.ofSeconds(3))));
    }

    @BeforeAll
    static void startBehindProxies(@Autowired Environment env) throws Exception {
        postgres = FaultProxy.inFrontOfPostgres(env);
        redis = FaultProxy.inFrontOfRedis(env);
        Map<String, String> settings = new HashMap<>(postgres.route());
        settings.putAll(redis.route());
        settings.putAll(Map.of(
                "spring.datasource.hikari.connection-timeout",
                "1000",
                "spring.datasource.hikari.data-source-properties.socketTimeout",
                "4",
                "spring.data.redis.timeout",
                REDIS_TIMEOUT.toMillis() + "ms",
                "shortener.clicks.retry-backoff-max",
                "500ms",
                // pacing from 1,024 clicks behind, which a few seconds of fault reach
                "shortener.clicks.queue-capacity",
                "2048",
                // its import jobs are its own: no other instance's workers take them
                "shortener.importing.queue",
                unique("faults")));
        instance = AppInstance.start(settings);
        links = new TestLinks(instance.api(), instance.context());
        db = TestDatabase.outside(env);
    }

    @AfterAll
    static void stop() throws Exception {
        instance.close();
        postgres.close();
        redis.close();
    }

    /**
     * How soon the Redis circuit opens: three calls failed at the timeout, within four timeouts (1 s
     * at bench/faults's 250 ms). Behind latency rather than a dead connection, the failures come from the
     * invalidation heartbeats alone (cached redirects do not call Redis), one per timeout plus
     * REDIRECT_INVALIDATION_HEARTBEAT's 200 ms.
     */
    private static Duration circuitBound(Row row) {
        return row.fault().name().startsWith("latency")
                ? REDIS_TIMEOUT.plus(Duration.ofMillis(200)).multipliedBy(3)
                : REDIS_TIMEOUT.multipliedBy(4);
    }

    private static FaultProxy proxy(Row row) {
        return row.dependency().equals("postgres") ? postgres : redis;
    }

    /** Clicks stored per link, by link id. */
    private static Map<Long, Long> clicksPerLink(List<Link> among) {
        Map<Long, Long> stored = new HashMap<>();
        db.sql("SELECT url_id, count(*) FROM events WHERE event_type = 'click' AND url_id IN (:ids) GROUP BY url_id")
                .param("ids", among.stream().map(Link::id).toList())
                .query((row, n) -> stored.put(row.getLong(1), row.getLong(2)))
                .list();
        return stored;
    }

    private static long clicks(List<Link> among) {
        return db.sql("SELECT count(*) FROM events WHERE event_type = 'click' AND url_id IN (:ids)")
                .param("ids", among.stream().map(Link::id).toList())
                .query(Long.class)
                .single();
    }

    private static double circuitOpen() {
        return instance.bean(MeterRegistry.class)
                .get("shortener.redis.circuit.open")
                .gauge()
                .value();
    }

    private static double nearHits() {
        return instance.counted("shortener.cache.requests", "level", "near", "result", "hit");
    }

    /** A small CSV of new links for the import cell. */
    private static String importFile() {
        StringBuilder csv = new StringBuilder("short_code,original_url\n");
        for (int i = 0; i < 20; i++) {
            csv.append(unique("imp"))
                    .append(i)
                    .append(",https://example.com/imported/")
                    .append(i)
                    .append('\n');
        }
        return csv.toString();
    }

    private static String progressOf(long job) {
        return instance.api().base() + "/imports/" + job + "/events";
    }

    /**
     * The longest the stream stayed silent from {@code since} on (no event, and not ended), and the
     * id of the last event it sent.
     */
    private record Silence(Duration longest, String lastId) {
        static Silence of(EventStream stream, String lastId, long since) throws InterruptedException {
            long last = since;
            long longest = 0;
            for (EventStream.Event event = stream.next(Duration.ZERO);
                    event != null;
                    event = stream.next(Duration.ZERO)) {
                longest = Math.max(longest, event.receivedAt() - last);
                last = Math.max(last, event.receivedAt());
                lastId = event.id();
            }
            long ended = stream.endedAt();
            longest = Math.max(longest, (ended == 0 ? System.nanoTime() : ended) - last);
            return new Silence(Duration.ofNanos(longest), lastId);
        }
    }

    /** One timed request: its status and how long it took. */
    private record Answer(int status, Duration took) {}

    private static Answer timed(IntSupplier request) {
        long start = System.nanoTime();
        int status = request.getAsInt();
        return new Answer(status, Duration.ofNanos(System.nanoTime() - start));
    }

    private static void expect(String cell, Answer answer, Cell expected) {
        assertThat(answer.status()).as("%s: status", cell).isIn(expected.statuses());
        assertThat(answer.took()).as("%s: time", cell).isLessThan(expected.slowest());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachCellAnswersAsStatedDuringTheFaultAndRecoversWithin5sWithEveryClickStored(Row row) throws Exception {
        List<Link> cached = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            cached.add(links.create(unique("cached"), "https://example.com/cached/" + i, true));
        }
        Link uncached = links.create(unique("uncached"), "https://example.com/uncached", true);
        Link changed = links.create(unique("changed"), "https://example.com/changed", true);
        List<Link> redirected = new ArrayList<>(cached);
        redirected.add(uncached);
        // every warm-up redirect is a click: all of them must be stored before the count starts
        Map<Long, Long> answers = new HashMap<>();
        await().atMost(RECOVERY).until(() -> {
            double before = nearHits();
            cached.forEach(link -> {
                instance.api().get("/" + link.shortCode()).expect(302);
                answers.merge(link.id(), 1L, Long::sum);
            });
            return nearHits() - before == cached.size();
        });
        long clicksBefore = answers.values().stream().mapToLong(Long::longValue).sum();
        await().atMost(RECOVERY).until(() -> clicks(redirected) == clicksBefore);
        // a job that cannot finish before the fault ends: its only workers wait till then
        SmartLifecycle workers = instance.context().getBean("importWorkers", SmartLifecycle.class);
        workers.stop();
        long job = Jobs.submit(instance.api(), "urls", importFile());
        EventStream progress = EventStream.open(progressOf(job), Map.of());
        EventStream.Event queued = progress.next(Duration.ofSeconds(2));
        assertThat(queued).as("the held job's first progress event").isNotNull();

        double pacedBefore = instance.counted("shortener.clicks.paced");
        proxy(row).inject(row.fault());
        long injected = System.nanoTime();
        Duration circuitOpenedAfter = null;
        long faultEnds = System.nanoTime() + FAULT.toNanos();
        List<Long> cachedMicros = Collections.synchronizedList(new ArrayList<>());
        int answered = 0;
        Answer uncachedAnswer;
        Answer create;
        Answer update;
        Answer imported;
        Silence silence;
        Answer reconnected = null;
        try {
            uncachedAnswer =
                    timed(() -> instance.api().get("/" + uncached.shortCode()).status());
            if (uncachedAnswer.status() == 302) {
                answered++;
                answers.merge(uncached.id(), 1L, Long::sum);
            }
            create = timed(() -> instance.api()
                    .post("/urls", Map.of("original_url", "https://example.com/new"))
                    .status());
            update = timed(() -> instance.api()
                    .put("/urls/" + changed.id(), Map.of("title", "changed"))
                    .status());
            imported = timed(() -> instance.api()
                    .upload("/urls/bulk", "file", "urls.csv", importFile())
                    .status());
            do {
                if (circuitOpenedAfter == null && circuitOpen() == 1) {
                    circuitOpenedAfter = Duration.ofNanos(System.nanoTime() - injected);
                }
                for (Link link : cached) {
                    Answer answer = timed(
                            () -> instance.api().get("/" + link.shortCode()).status());
                    expect("cached redirect", answer, CACHED);
                    cachedMicros.add(answer.took().toNanos() / 1000);
                    answered++;
                    answers.merge(link.id(), 1L, Long::sum);
                }
            } while (System.nanoTime() < faultEnds);
            silence = Silence.of(progress, queued.id(), injected);
            if (progress.endedAt() != 0) {
                String lastId = silence.lastId();
                reconnected = timed(() -> {
                    try (EventStream again = EventStream.open(progressOf(job), Map.of("Last-Event-ID", lastId))) {
                        return again.status();
                    }
                });
            }
        } finally {
            proxy(row).heal();
        }
        long healed = System.nanoTime();
        double paced = instance.counted("shortener.clicks.paced") - pacedBefore;
        if (row.dependency().equals("redis") && !row.fault().name().startsWith("bandwidth")) {
            assertThat(circuitOpenedAfter)
                    .as("Redis circuit opened after (Redis timeout %s)", REDIS_TIMEOUT)
                    .isNotNull()
                    .isLessThan(circuitBound(row));
        }
        if (row.dependency().equals("postgres") && row.fault().name().startsWith("latency")) {
            // the loader is behind, but on the network: slowing redirects would not help it
            assertThat(paced)
                    .as("redirects paced while PostgreSQL was slow to answer")
                    .isZero();
        }
        expect("uncached redirect", uncachedAnswer, row.uncached());
        expect("create", create, row.writes().answering(201));
        expect("update", update, row.writes().answering(200));
        expect("import", imported, row.writes().answering(201));
        // the stream reads the job through the application's pool, as the writes do
        assertThat(silence.longest())
                .as("progress stream: longest silence")
                .isLessThan(row.writes().slowest().plus(PROGRESS_INTERVAL));
        if (reconnected != null) {
            expect("progress stream, reconnected", reconnected, row.writes().answering(200));
        }
        Collections.sort(cachedMicros);
        assertThat(cachedMicros.get((int) (cachedMicros.size() * 0.99)))
                .as("cached redirect p99 (µs) over %d", cachedMicros.size())
                .isLessThan(CACHED.slowest().toNanos() / 1000 / 2);

        await().atMost(RECOVERY).pollInterval(Duration.ofMillis(50)).until(() -> {
            int status = instance.api().get("/" + uncached.shortCode()).status();
            return status == 302;
        });
        int afterwards = 1;
        answers.merge(uncached.id(), 1L, Long::sum);
        await().atMost(RECOVERY.minus(Duration.ofNanos(System.nanoTime() - healed)))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> instance.api()
                                .post("/urls", Map.of("original_url", "https://example.com/after"))
                                .status()
                        == 201);
        instance.api().upload("/urls/bulk", "file", "urls.csv", importFile()).expect(201);
        Duration recovered = Duration.ofNanos(System.nanoTime() - healed);
        long expected = clicksBefore + answered + afterwards;
        await().atMost(Duration.ofSeconds(10)).until(() -> clicks(redirected) >= expected);
        List<EventStream.Event> finished;
        long jobStarted = System.nanoTime();
        try {
            workers.start();
            await().atMost(RECOVERY).pollInterval(Duration.ofMillis(50)).until(() -> {
                Api.Response read = instance.api().get("/imports/" + job);
                return read.status() == 200 && Jobs.finished(read.json());
            });
            // as a client whose stream ended reconnects
            try (EventStream again = EventStream.open(progressOf(job), Map.of("Last-Event-ID", silence.lastId()))) {
                finished = again.untilFinal(RECOVERY);
            }
        } finally {
            workers.start();
            progress.close();
        }
        Duration jobFinished = Duration.ofNanos(System.nanoTime() - jobStarted);
        // read after the job's seconds, so that a click stored late, or twice, shows too
        long stored = clicks(redirected);
        // one line per row for bench/faults.sh
        System.out.printf(
                "FAULT | %s | %d | %d | %d in %d ms | %d in %d ms | %d in %d ms | %d in %d ms | %d ms, %s; done %d ms after the workers' restart | %s | %d | %d of %d%n",
                row,
                cachedMicros.size(),
                cachedMicros.get((int) (cachedMicros.size() * 0.99)),
                uncachedAnswer.status(),
                uncachedAnswer.took().toMillis(),
                create.status(),
                create.took().toMillis(),
                update.status(),
                update.took().toMillis(),
                imported.status(),
                imported.took().toMillis(),
                silence.longest().toMillis(),
                reconnected == null ? "open" : "ended, again " + reconnected.status(),
                jobFinished.toMillis(),
                circuitOpenedAfter == null ? "-" : circuitOpenedAfter.toMillis() + " ms",
                recovered.toMillis(),
                stored - clicksBefore,
                expected - clicksBefore);
        assertThat(clicksPerLink(redirected)).as("clicks stored per link").isEqualTo(answers);
        assertThat(stored).as("clicks stored = redirects answered").isEqualTo(expected);
        assertThat(finished).as("progress stream once the workers are back").isNotEmpty();
        assertThat(finished.getLast().name()).isEqualTo("completed");
        assertThat(finished.getLast().job().get("rows_imported").asLong()).isEqualTo(20);
    }
}
