package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/** The recorder on its own, against the real events table, with settings chosen per scenario. */
class ClickRecorderTest extends ApiTest {

    @Autowired
    JdbcClient db;

    @Autowired
    DataSource dataSource;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    ObjectMapper json;

    @Autowired
    Environment env;

    private final List<ClickRecorder> started = new ArrayList<>();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final long urlId = ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);

    @AfterEach
    void stopRecorders() {
        started.forEach(ClickRecorder::stop);
    }

    private static ClickSettings settings(int capacity, int batchSize, Duration flushInterval, int attempts) {
        return new ClickSettings(
                capacity,
                batchSize,
                1,
                flushInterval,
                Duration.ZERO,
                Duration.ofMillis(50),
                attempts,
                Duration.ofMillis(10));
    }

    private ClickRecorder recorder(ClickSettings settings, boolean start) {
        return recorder(dataSource, settings, start);
    }

    private ClickRecorder recorder(DataSource target, ClickSettings settings, boolean start) {
        ClickRecorder recorder = new ClickRecorder(target, settings, meters);
        if (start) {
            recorder.start();
            started.add(recorder);
        }
        return recorder;
    }

    private Click click(int n) {
        return new Click(
                urlId,
                null,
                "code" + n,
                "https://example.com/" + n,
                "https://ref.example/",
                "Agent",
                System.currentTimeMillis());
    }

    /** Redirects on {@code threads} virtual threads, {@code each} clicks apiece; returns when all are recorded. */
    private void recordConcurrently(ClickRecorder recorder, int threads, int each) throws InterruptedException {
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            producers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    recorder.record(click(i));
                }
            }));
        }
        for (Thread producer : producers) {
            producer.join();
        }
    }

    private long rows() {
        return db.sql("SELECT count(*) FROM events WHERE url_id = ? AND event_type = 'click'")
                .param(urlId)
                .query(Long.class)
                .single();
    }

    private double count(String meter) {
        return meters.get(meter).counter().count();
    }

    @Test
    void flushCommitsEveryClickRecordedBeforeIt() {
        ClickRecorder recorder = recorder(settings(100, 100, Duration.ofMinutes(10), 1), true);
        for (int i = 0; i < 5; i++) {
            recorder.record(click(i));
        }

        recorder.flush();

        assertThat(rows()).isEqualTo(5);
        assertThat(count("shortener.clicks.flushed")).isEqualTo(5);
    }

    @Test
    void theWriterCommitsABatchAfterTheFlushIntervalWithOneInsert() throws InterruptedException {
        ClickRecorder recorder = recorder(settings(100, 100, Duration.ofMillis(20), 1), true);
        for (int i = 0; i < 10; i++) {
            recorder.record(click(i));
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (rows() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        assertThat(rows()).isEqualTo(10);
        assertThat(meters.get("shortener.clicks.batch.size").summary().count()).isEqualTo(1);
        assertThat(meters.get("shortener.clicks.lag").timer().count()).isEqualTo(10);
    }

    @Test
    void aFullQueueMakesTheCallerWaitBrieflyThenWriteItsOwnClick() {
        ClickRecorder recorder = recorder(settings(2, 100, Duration.ofMinutes(10), 1), false);
        recorder.record(click(1));
        recorder.record(click(2));

        long start = System.nanoTime();
        recorder.record(click(3));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(rows()).as("the third click is written by its caller").isEqualTo(1);
        assertThat(meters.get("shortener.clicks.queue.depth").gauge().value()).isEqualTo(2);
        recorder.flush();
        assertThat(rows()).isEqualTo(3);
        assertThat(count("shortener.clicks.queued")).isEqualTo(2);
        assertThat(count("shortener.clicks.written.by.callers")).isEqualTo(1);
        assertThat(count("shortener.clicks.flushed")).isEqualTo(3);
        assertThat(count("shortener.clicks.lost")).isZero();
    }

    @Test
    void aBatchThatKeepsFailingIsRetriedThenCountedAsLost() {
        DriverManagerDataSource nowhere =
                new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");
        ClickRecorder recorder = recorder(nowhere, settings(100, 100, Duration.ofMinutes(10), 3), false);
        for (int i = 0; i < 4; i++) {
            recorder.record(click(i));
        }

        recorder.flush();

        assertThat(count("shortener.clicks.lost")).isEqualTo(4);
        assertThat(count("shortener.clicks.flushed")).isZero();
    }

    /** The application's database, reached through a proxy that can cut a connection at a chosen answer. */
    private DataSource through(AnswerDroppingProxy proxy) {
        URI database =
                URI.create(env.getRequiredProperty("spring.datasource.url").substring("jdbc:".length()));
        String query = database.getQuery() == null ? "" : database.getQuery() + "&";
        return new DriverManagerDataSource(
                "jdbc:postgresql://127.0.0.1:" + proxy.port() + database.getPath() + "?" + query
                        + "sslmode=disable&gssEncMode=disable",
                env.getRequiredProperty("spring.datasource.username"),
                env.getProperty("spring.datasource.password", ""));
    }

    private AnswerDroppingProxy proxyToDatabase() throws IOException {
        URI database =
                URI.create(env.getRequiredProperty("spring.datasource.url").substring("jdbc:".length()));
        return new AnswerDroppingProxy(database.getHost(), database.getPort());
    }

    /**
     * Cut at the answer to COMMIT, the batch is committed but the writer does not know it; cut at
     * the answer to COPY, its transaction is aborted. Either way the retry stores each click once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"COMMIT", "COPY"})
    void aBatchWhoseConnectionIsCutIsStoredExactlyOnce(String answer) throws IOException {
        try (AnswerDroppingProxy proxy = proxyToDatabase()) {
            ClickRecorder recorder = recorder(through(proxy), settings(100, 100, Duration.ofMinutes(10), 6), false);
            for (int i = 0; i < 3; i++) {
                recorder.record(click(i));
            }
            proxy.dropAnswerTo(answer);

            recorder.flush();

            assertThat(proxy.dropped())
                    .as("the connection was cut at the answer to " + answer)
                    .isTrue();
            assertThat(rows()).isEqualTo(3);
            assertThat(count("shortener.clicks.flushed")).isEqualTo(3);
            assertThat(count("shortener.clicks.lost")).isZero();
        }
    }

    @Test
    void concurrentRedirectsAreEachRecordedExactlyOnceInBoundedBatches() throws InterruptedException {
        ClickRecorder recorder = recorder(settings(1000, 200, Duration.ofMillis(5), 3), true);
        recordConcurrently(recorder, 8, 2000);

        recorder.flush();

        assertThat(rows()).isEqualTo(16_000);
        assertThat(count("shortener.clicks.flushed")).isEqualTo(16_000);
        assertThat(meters.get("shortener.clicks.batch.size").summary().max()).isLessThanOrEqualTo(200);
    }

    @Test
    void stoppingWritesEveryQueuedClickAndLaterClicksAreWrittenDirectly() {
        ClickRecorder recorder = recorder(settings(100, 100, Duration.ofMinutes(10), 1), true);
        for (int i = 0; i < 7; i++) {
            recorder.record(click(i));
        }
        assertThat(rows()).isZero();

        recorder.stop();
        started.remove(recorder);

        assertThat(rows()).isEqualTo(7);
        recorder.record(click(8));
        assertThat(rows()).isEqualTo(8);
    }

    @Test
    void flushInsideACallersReadOnlyTransactionStillCommitsTheClicks() {
        ClickRecorder recorder = recorder(settings(10, 10, Duration.ofMinutes(10), 1), false);
        recorder.record(click(1));
        TransactionTemplate readOnly = new TransactionTemplate(transactions);
        readOnly.setReadOnly(true);

        readOnly.executeWithoutResult(status -> recorder.flush());

        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void nulCharactersThatJsonbRefusesAreDropped() {
        ClickRecorder recorder = recorder(settings(10, 10, Duration.ofMinutes(10), 1), false);
        recorder.record(new Click(urlId, 7L, "c", "https://example.com/", "a\0b", null, System.currentTimeMillis()));

        recorder.flush();

        assertThat(db.sql("SELECT details->>'referrer' FROM events WHERE url_id = ?")
                        .param(urlId)
                        .query(String.class)
                        .single())
                .isEqualTo("ab");
    }

    @Test
    void aClickIsStoredAtItsSecondInUtcAndALoneSurrogateAsAReplacementCharacter() {
        ClickRecorder recorder = recorder(settings(10, 10, Duration.ofMinutes(10), 1), false);
        LocalDateTime first = LocalDateTime.of(2026, 11, 28, 9, 5, 7, 900_000_000);
        LocalDateTime second = LocalDateTime.of(2026, 11, 28, 9, 6, 0, 1_000_000);
        for (LocalDateTime at : List.of(first, second)) {
            recorder.record(new Click(
                    urlId,
                    7L,
                    "t",
                    "https://example.com/",
                    null,
                    "\uD800lone",
                    at.toInstant(ZoneOffset.UTC).toEpochMilli()));
        }

        recorder.flush();

        var stored = db.sql("SELECT \"timestamp\", details->>'user_agent' FROM events WHERE url_id = ? ORDER BY id")
                .param(urlId)
                .query((row, n) -> row.getObject(1, LocalDateTime.class) + " " + row.getString(2))
                .list();
        assertThat(stored).containsExactly("2026-11-28T09:05:07 \uFFFDlone", "2026-11-28T09:06 \uFFFDlone");
    }

    @Test
    void detailsKeepEveryCharacterOfTheHeadersThroughJsonAndCsvEscaping() {
        ClickRecorder recorder = recorder(settings(10, 10, Duration.ofMinutes(10), 1), false);
        String referrer = "https://r.example/?q=\"quoted\",comma\\back\nline\ttab\u0001ctl é✓😀";
        recorder.record(new Click(
                urlId, 7L, "Ab_-9", "https://example.com/a?b=\"c\"", referrer, null, System.currentTimeMillis()));

        recorder.flush();

        var stored = db.sql("""
                        SELECT details->>'short_code', details->>'original_url', details->>'referrer',
                               jsonb_typeof(details->'user_agent'), (SELECT count(*) FROM jsonb_object_keys(details))
                        FROM events WHERE url_id = ?""")
                .param(urlId)
                .query((row, n) -> List.of(
                        row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5)))
                .single();
        assertThat(stored).containsExactly("Ab_-9", "https://example.com/a?b=\"c\"", referrer, "null", "4");
    }

    @Test
    void severalWritersTogetherRecordEveryClickOnce() throws InterruptedException {
        ClickRecorder recorder = recorder(
                new ClickSettings(
                        500,
                        50,
                        3,
                        Duration.ofMillis(2),
                        Duration.ofMillis(1),
                        Duration.ofMillis(50),
                        3,
                        Duration.ofMillis(10)),
                true);
        recordConcurrently(recorder, 4, 1500);

        recorder.flush();

        assertThat(rows()).isEqualTo(6_000);
        assertThat(count("shortener.clicks.flushed")).isEqualTo(6_000);
        assertThat(count("shortener.clicks.lost")).isZero();
    }

    @Test
    void aGrowingBacklogSlowsRedirectsInProportionWhileAShortOneDoesNot() {
        ClickRecorder recorder = recorder(
                new ClickSettings(
                        100,
                        10,
                        1,
                        Duration.ofMinutes(10),
                        Duration.ofMillis(80),
                        Duration.ofMillis(50),
                        1,
                        Duration.ofMillis(10)),
                false);
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            recorder.record(click(i));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("a backlog up to half the queue costs nothing")
                .isLessThan(Duration.ofMillis(40));
        assertThat(count("shortener.clicks.paced")).isZero();
        for (int i = 50; i < 80; i++) {
            recorder.record(click(i));
        }

        start = System.nanoTime();
        recorder.record(click(80));

        // 31 clicks past half the queue, of the 50 it can take beyond that: 31/50 of 80 ms
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(45));
        assertThat(count("shortener.clicks.paced")).isEqualTo(31);
        recorder.flush();
        assertThat(rows()).isEqualTo(81);
    }
}
