package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.platform.ShutdownDeadline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/** The recorder on its own, with a journal of its own, against the real events table. */
class ClickRecorderTest extends ApiTest {

    /** Recorders stopped here are not part of a graceful stop of a whole instance. */
    private static final ShutdownDeadline NO_DEADLINE = new ShutdownDeadline(Duration.ofMinutes(1));

    private static final Duration NEVER = Duration.ofMinutes(10);
    private static final Duration OFFER_TIMEOUT = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** A PostgreSQL that refuses every connection. */
    private static final DataSource NOWHERE =
            new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");

    @Autowired
    JdbcClient db;

    @Autowired
    DataSource dataSource;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    Environment env;

    @TempDir
    Path journals;

    private final List<ClickRecorder> started = new ArrayList<>();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final long urlId = ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);

    @AfterEach
    void stopRecorders() {
        started.forEach(ClickRecorder::stop);
    }

    private ClickSettings settings(int capacity, int batchSize, Duration flushInterval) {
        return settings(
                capacity, batchSize, flushInterval, Duration.ZERO, DataSize.ofGigabytes(1), WAIT, OFFER_TIMEOUT);
    }

    /** For a recorder whose PostgreSQL never answers: a flush gives up soon. */
    private ClickSettings unreachable(int batchSize, DataSize journalMax) {
        return settings(100, batchSize, NEVER, Duration.ZERO, journalMax, Duration.ofMillis(100), OFFER_TIMEOUT);
    }

    private ClickSettings settings(
            int capacity,
            int batchSize,
            Duration flushInterval,
            Duration paceMax,
            DataSize journalMax,
            Duration flushTimeout,
            Duration offerTimeout) {
        return new ClickSettings(
                capacity,
                batchSize,
                flushInterval,
                paceMax,
                offerTimeout,
                journals,
                journalMax,
                DataSize.ofKilobytes(64),
                Duration.ofSeconds(5),
                Duration.ofMillis(10),
                Duration.ofMillis(200),
                flushTimeout,
                Duration.ofSeconds(1));
    }

    private ClickRecorder recorder(ClickSettings settings) {
        return recorder(dataSource, settings);
    }

    private ClickRecorder recorder(DataSource target, ClickSettings settings) {
        ClickRecorder recorder = unstarted(target, settings);
        recorder.start();
        started.add(recorder);
        return recorder;
    }

    private ClickRecorder unstarted(DataSource target, ClickSettings settings) {
        return new ClickRecorder(new PostgresClickSink(target, settings.copyTimeout()), settings, meters, NO_DEADLINE);
    }

    private void stop(ClickRecorder recorder) {
        recorder.stop();
        started.remove(recorder);
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

    private double lost(String reason) {
        return meters.get("shortener.clicks.lost")
                .tag("reason", reason)
                .counter()
                .count();
    }

    private static long segmentBytes(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".clicks"))
                    .mapToLong(file -> file.toFile().length())
                    .sum();
        }
    }

    @Test
    void aFailingPostgresqlIsTriedAgainAfterGrowingPausesWhileClicksKeepComing() throws InterruptedException {
        ClickRecorder recorder = recorder(
                NOWHERE,
                settings(1000, 10, Duration.ofMillis(20), Duration.ZERO, DataSize.ofGigabytes(1), WAIT, OFFER_TIMEOUT));
        AtomicInteger n = new AtomicInteger();
        ScheduledExecutorService clicks = Executors.newSingleThreadScheduledExecutor();
        // a click every 5 ms for a second: the journal syncs, and nudges the loader, every 20 ms
        clicks.scheduleAtFixedRate(() -> recorder.record(click(n.incrementAndGet())), 0, 5, TimeUnit.MILLISECONDS);
        clicks.schedule(clicks::shutdown, 1, TimeUnit.SECONDS);
        assertThat(clicks.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        // pauses of 10, 20, 40 … 200 ms: about ten attempts in the second, not one a sync
        assertThat(count("shortener.clicks.load.failures")).isBetween(3.0, 20.0);
    }

    @Test
    void flushCommitsEveryClickRecordedBeforeIt() {
        ClickRecorder recorder = recorder(settings(100, 100, NEVER));
        for (int i = 0; i < 5; i++) {
            recorder.record(click(i));
        }

        recorder.flush();

        assertThat(rows()).isEqualTo(5);
        assertThat(count("shortener.clicks.flushed")).isEqualTo(5);
    }

    @Test
    void clicksReachPostgresqlWithinAFewFlushIntervalsWithoutAFlush() {
        ClickRecorder recorder = recorder(settings(100, 100, Duration.ofMillis(20)));
        for (int i = 0; i < 10; i++) {
            recorder.record(click(i));
        }

        await().atMost(Duration.ofSeconds(2)).until(() -> rows() == 10);
        assertThat(meters.get("shortener.clicks.lag").timer().count()).isPositive();
        assertThat(meters.get("shortener.clicks.batch.size").summary().totalAmount())
                .isEqualTo(10);
    }

    @Test
    void aQueueThatTheJournalNeverEmptiesMakesTheCallerWaitBrieflyThenCountsTheClickAsLost() {
        ClickRecorder recorder = unstarted(dataSource, settings(2, 100, NEVER));
        recorder.record(click(1));
        recorder.record(click(2));

        long start = System.nanoTime();
        recorder.record(click(3));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(OFFER_TIMEOUT);
        assertThat(meters.get("shortener.clicks.queue.depth").gauge().value()).isEqualTo(2);
        assertThat(count("shortener.clicks.queued")).isEqualTo(2);
        assertThat(lost("stalled")).isEqualTo(1);
    }

    @Test
    void aLoaderStoppedByAnErrorLeavesItsClicksInTheJournalAndNoFlushWaitsForIt() {
        PostgresClickSink postgres = new PostgresClickSink(dataSource, Duration.ofSeconds(5));
        // a fault no retry mends, as a bug's StackOverflowError would be
        ClickSink failing = new ClickSink() {
            @Override
            public ClickJournal.Position storedPosition(java.util.UUID journal) throws java.sql.SQLException {
                return postgres.storedPosition(journal);
            }

            @Override
            public boolean store(java.util.UUID journal, JournalReader.Chunk chunk, byte[] records) {
                throw new StackOverflowError("injected");
            }

            @Override
            public void reset(java.util.UUID journal) throws java.sql.SQLException {
                postgres.reset(journal);
            }

            @Override
            public boolean answersQuickly() {
                return true;
            }
        };
        ClickSettings waitingLong = settings(
                100, 100, NEVER, Duration.ZERO, DataSize.ofGigabytes(1), Duration.ofSeconds(30), OFFER_TIMEOUT);
        ClickRecorder broken = new ClickRecorder(failing, waitingLong, meters, NO_DEADLINE);
        broken.start();
        started.add(broken);
        broken.record(click(0));

        long start = System.nanoTime();
        broken.flush();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("the flush ends with the loader, not at its 30 s timeout")
                .isLessThan(Duration.ofSeconds(10));
        assertThat(rows()).isZero();
        // what ShortenerClickLoaderStopped watches, once the thread has ended; the loader's thread
        // ends on the injected error, which Awaitility would otherwise rethrow here
        await().dontCatchUncaughtExceptions()
                .atMost(Duration.ofSeconds(5))
                .until(() ->
                        meters.get("shortener.clicks.loader.stopped").gauge().value() == 1);
        stop(broken);

        ClickRecorder next = recorder(settings(100, 100, NEVER));
        next.flush();
        await().atMost(Duration.ofSeconds(5)).until(() -> rows() == 1);
    }

    @Test
    void withPostgresqlUnreachableClicksWaitInTheJournalAndTheNextInstanceLoadsThem() throws IOException {
        ClickRecorder down = recorder(NOWHERE, unreachable(100, DataSize.ofGigabytes(1)));
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            down.record(click(i));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("recording never waits for PostgreSQL")
                .isLessThan(Duration.ofMillis(100));

        down.flush();

        assertThat(rows()).isZero();
        CopyText written = new CopyText(64);
        for (int i = 0; i < 4; i++) {
            ClickRecords.append(written, click(i));
        }
        assertThat(segmentBytes(journals)).isGreaterThanOrEqualTo(ClickJournal.HEADER_BYTES + written.length());
        assertThat(count("shortener.clicks.load.failures")).isPositive();
        assertThat(lost("stalled") + lost("disk") + lost("journal-full")).isZero();
        stop(down);

        ClickRecorder next = recorder(settings(100, 100, NEVER));
        next.flush();

        await().atMost(Duration.ofSeconds(5)).until(() -> rows() == 4);
        assertThat(count("shortener.clicks.flushed")).isEqualTo(4);
    }

    @Test
    void aReadOfOneLinkWaitsOnlyWhileThatLinkHasClicksOnTheirWay() {
        Duration flushTimeout = Duration.ofMillis(500);
        ClickRecorder down = recorder(
                NOWHERE,
                settings(100, 100, NEVER, Duration.ZERO, DataSize.ofGigabytes(1), flushTimeout, OFFER_TIMEOUT));
        down.record(click(1));

        assertThat(timed(() -> down.flush(urlId + 1)))
                .as("another link's read does not touch the pipeline")
                .isLessThan(Duration.ofMillis(100));
        assertThat(timed(() -> down.flush(urlId)))
                .as("this link's read waits for its click, up to the flush timeout")
                .isGreaterThanOrEqualTo(flushTimeout);
        stop(down);

        ClickRecorder up = recorder(settings(100, 100, NEVER));
        up.record(click(2));
        up.flush(urlId);
        assertThat(rows())
                .as("the link's read sees its clicks, the journalled one too")
                .isEqualTo(2);
    }

    private static Duration timed(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void aJournalWhoseSegmentsWereLostIsLoadedFromItsStartInsteadOfFromWherePostgresqlLeftIt() throws IOException {
        ClickRecorder first = recorder(settings(100, 100, NEVER));
        for (int i = 0; i < 5; i++) {
            first.record(click(i));
        }
        first.flush();
        stop(first);
        assertThat(rows()).isEqualTo(5);
        try (Stream<Path> files = Files.walk(journals)) {
            for (Path segment :
                    files.filter(file -> file.toString().endsWith(".clicks")).toList()) {
                Files.delete(segment);
            }
        }

        // the slot keeps its id, so PostgreSQL still holds a position past anything on disk now
        ClickRecorder next = recorder(settings(100, 100, NEVER));
        next.record(click(5));
        next.record(click(6));
        next.flush();

        assertThat(rows()).as("the new clicks are not skipped as if loaded").isEqualTo(7);
    }

    @Test
    void aJournalOverItsCapDropsNewClicksAndCountsThem() {
        ClickRecorder recorder = unstarted(NOWHERE, unreachable(1, DataSize.ofBytes(600)));
        recorder.start();
        started.add(recorder);
        for (int i = 0; i < 10; i++) {
            recorder.record(click(i));
        }

        recorder.flush();

        assertThat(lost("journal-full")).isBetween(1.0, 9.0);
        assertThat(count("shortener.clicks.queued")).isEqualTo(10);
    }

    /** The application's database, reached through a proxy that can cut a connection at a chosen answer. */
    private DataSource through(PostgresProxy proxy) {
        return new DriverManagerDataSource(
                proxy.jdbcUrl(),
                env.getRequiredProperty("spring.datasource.username"),
                env.getProperty("spring.datasource.password", ""));
    }

    /**
     * Cut at the answer to COMMIT, the chunk is committed but the loader does not know it; cut at the
     * answer to COPY, its transaction is aborted. Either way the next attempt stores each click once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"COMMIT", "COPY"})
    void aChunkWhoseConnectionIsCutIsStoredExactlyOnce(String answer) throws IOException {
        try (PostgresProxy proxy = PostgresProxy.inFrontOf(env)) {
            ClickRecorder recorder = recorder(through(proxy), settings(100, 100, NEVER));
            recorder.flush(); // the journal's row exists before the cut is armed
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
        }
    }

    /**
     * The lost answer to a COMMIT, then more clicks journalled before the retry: the retry's chunk
     * starts where the committed one did and reaches further. Only the clicks after the committed
     * chunk may be stored again.
     */
    @Test
    void aRetryAfterALostCommitAnswerStoresOnlyWhatCameAfterTheCommittedChunk() throws Exception {
        try (PostgresProxy proxy = PostgresProxy.inFrontOf(env)) {
            ClickSettings slowRetry = new ClickSettings(
                    100,
                    100,
                    NEVER,
                    Duration.ZERO,
                    OFFER_TIMEOUT,
                    journals,
                    DataSize.ofGigabytes(1),
                    DataSize.ofKilobytes(64),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    WAIT,
                    Duration.ofSeconds(1));
            ClickRecorder recorder = recorder(through(proxy), slowRetry);
            recorder.flush(); // the journal's row exists before the cut is armed
            for (int i = 0; i < 3; i++) {
                recorder.record(click(i));
            }
            proxy.dropAnswerTo("COMMIT");
            Thread first = Thread.ofVirtual().start(recorder::flush);
            await().atMost(Duration.ofSeconds(5)).until(proxy::dropped);

            for (int i = 3; i < 6; i++) {
                recorder.record(click(i));
            }
            recorder.flush();
            first.join();

            assertThat(rows()).isEqualTo(6);
        }
    }

    @Test
    void concurrentRedirectsAreEachRecordedExactlyOnceInBoundedBatches() throws InterruptedException {
        // offers wait for room as long as a flush does: a journal sync slowed by a busy disk must
        // not drop clicks as stalled here, which other tests make happen on purpose
        ClickRecorder recorder =
                recorder(settings(1000, 200, Duration.ofMillis(5), Duration.ZERO, DataSize.ofGigabytes(1), WAIT, WAIT));
        recordConcurrently(recorder, 8, 2000);

        recorder.flush();

        assertThat(rows()).isEqualTo(16_000);
        assertThat(count("shortener.clicks.flushed")).isEqualTo(16_000);
        assertThat(lost("stalled")).isZero();
        // a chunk holds whole records of at most 200 clicks, up to 200 clicks unless one record is alone
        assertThat(meters.get("shortener.clicks.batch.size").summary().max()).isLessThanOrEqualTo(200);
    }

    @Test
    void stoppingLoadsEveryQueuedClickAndALaterClickIsCountedAsLost() {
        ClickRecorder recorder = recorder(settings(100, 100, NEVER));
        for (int i = 0; i < 7; i++) {
            recorder.record(click(i));
        }
        assertThat(rows()).isZero();

        stop(recorder);

        assertThat(rows()).isEqualTo(7);
        recorder.record(click(8));
        assertThat(lost("stopped")).isEqualTo(1);
    }

    @Test
    void aClickThatWaitedForRoomUntilTheStopIsStoredOrCountedAsLost() throws InterruptedException {
        ClickSettings waitingLong = new ClickSettings(
                2,
                100,
                NEVER,
                Duration.ZERO,
                Duration.ofSeconds(30),
                journals,
                DataSize.ofGigabytes(1),
                DataSize.ofKilobytes(64),
                Duration.ofSeconds(5),
                Duration.ofMillis(10),
                Duration.ofMillis(200),
                WAIT,
                Duration.ofSeconds(1));
        ClickRecorder recorder = recorder(waitingLong);
        int clicks = 0;
        Thread redirect;
        do { // until a click waits for room (the journal thread takes what is queued once, at its start)
            Click next = click(++clicks);
            redirect = Thread.ofVirtual().start(() -> recorder.record(next));
            Thread recording = redirect;
            await().until(() -> recording.getState() == Thread.State.TIMED_WAITING
                    || recording.getState() == Thread.State.TERMINATED);
        } while (redirect.getState() == Thread.State.TERMINATED);

        stop(recorder); // makes room: the waiting click enters the queue as the journal closes
        redirect.join();
        recorder(settings(100, 100, NEVER)).flush(); // the next instance loads what the journal holds

        assertThat(rows() + lost("stopped"))
                .as("clicks stored, or counted as lost")
                .isEqualTo(clicks);
    }

    @Test
    void aTornRecordAtTheEndOfACrashedWritersSegmentIsSkippedAndCountedAndTheRestLoaded() throws IOException {
        ClickRecorder crashed = recorder(NOWHERE, unreachable(100, DataSize.ofGigabytes(1)));
        for (int i = 0; i < 3; i++) {
            crashed.record(click(i));
            crashed.flush(); // one record per click
        }
        stop(crashed);
        Path segment;
        try (Stream<Path> files = Files.walk(journals)) {
            segment = files.filter(file ->
                            file.toString().endsWith(".clicks") && file.toFile().length() > 0)
                    .findFirst()
                    .orElseThrow();
        }
        // the third record cut in its middle, as a crash while writing it leaves it
        long size = Files.size(segment);
        try (var channel = Files.newByteChannel(segment, StandardOpenOption.WRITE)) {
            channel.truncate(size - 40);
        }

        recorder(settings(100, 100, NEVER)).flush();

        await().atMost(Duration.ofSeconds(5)).until(() -> rows() == 2);
        assertThat(count("shortener.clicks.journal.torn")).isEqualTo(1);
    }

    @Test
    void flushInsideACallersReadOnlyTransactionStillCommitsTheClicks() {
        ClickRecorder recorder = recorder(settings(10, 10, NEVER));
        recorder.record(click(1));
        TransactionTemplate readOnly = new TransactionTemplate(transactions);
        readOnly.setReadOnly(true);

        readOnly.executeWithoutResult(status -> recorder.flush());

        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void nulCharactersThatJsonbRefusesAreDropped() {
        ClickRecorder recorder = recorder(settings(10, 10, NEVER));
        recorder.record(new Click(
                urlId, 900_000_000_007L, "c", "https://example.com/", "a\0b", null, System.currentTimeMillis()));

        recorder.flush();

        assertThat(db.sql("SELECT event_details(events)->>'referrer' FROM events WHERE url_id = ?")
                        .param(urlId)
                        .query(String.class)
                        .single())
                .isEqualTo("ab");
    }

    @Test
    void aClickIsStoredAtItsNearestSecondInUtcAndALoneSurrogateAsAReplacementCharacter() {
        ClickRecorder recorder = recorder(settings(10, 10, NEVER));
        LocalDateTime first = LocalDateTime.of(2026, 11, 28, 9, 5, 7, 900_000_000);
        LocalDateTime second = LocalDateTime.of(2026, 11, 28, 9, 6, 0, 1_000_000);
        for (LocalDateTime at : List.of(first, second)) {
            recorder.record(new Click(
                    urlId,
                    900_000_000_007L,
                    "t",
                    "https://example.com/",
                    null,
                    "\uD800lone",
                    at.toInstant(ZoneOffset.UTC).toEpochMilli()));
        }

        recorder.flush();

        var stored = db.sql(
                        "SELECT \"timestamp\", event_details(events)->>'user_agent' FROM events WHERE url_id = ? ORDER BY id")
                .param(urlId)
                .query((row, n) -> row.getObject(1, LocalDateTime.class) + " " + row.getString(2))
                .list();
        assertThat(stored).containsExactly("2026-11-28T09:05:08 \uFFFDlone", "2026-11-28T09:06 \uFFFDlone");
    }

    @Test
    void detailsKeepEveryCharacterOfTheHeadersThroughJsonAndCsvEscaping() {
        ClickRecorder recorder = recorder(settings(10, 10, NEVER));
        String referrer = "https://r.example/?q=\"quoted\",comma\\back\nline\ttab\u0001ctl é✓😀";
        recorder.record(new Click(
                urlId,
                900_000_000_007L,
                "Ab_-9",
                "https://example.com/a?b=\"c\"",
                referrer,
                null,
                System.currentTimeMillis()));

        recorder.flush();

        var stored = db.sql("""
                        SELECT details->>'short_code', details->>'original_url', details->>'referrer',
                               jsonb_typeof(details->'user_agent'), (SELECT count(*) FROM jsonb_object_keys(details))
                        FROM (SELECT event_details(events) AS details FROM events WHERE url_id = ?) stored""")
                .param(urlId)
                .query((row, n) -> List.of(
                        row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5)))
                .single();
        assertThat(stored).containsExactly("Ab_-9", "https://example.com/a?b=\"c\"", referrer, "null", "4");
    }

    @Test
    void aGrowingBacklogSlowsRedirectsInProportionWhileAShortOneDoesNot() {
        // not started: no journal thread takes clicks from the queue meanwhile
        ClickRecorder recorder = unstarted(
                dataSource,
                settings(100, 10, NEVER, Duration.ofMillis(80), DataSize.ofGigabytes(1), WAIT, OFFER_TIMEOUT));
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
        recorder.start();
        started.add(recorder);
        recorder.flush();
        assertThat(rows()).isEqualTo(81);
    }
}
