package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.TestDatabase;
import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.JournalReader.Chunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The PostgreSQL sink against the tests' PostgreSQL: {@code events} and {@code click_journals}. */
// ApiTest's context, so that this class shares its application and PostgreSQL
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {"shortener.embedded.data-dir=target/embedded-test-data", "shortener.embedded.clean=true"})
class PostgresClickSinkTest extends ClickSinkContract {

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient db;

    @Autowired
    Environment env;

    @Override
    ClickSink newSink() {
        return new PostgresClickSink(dataSource, Duration.ofSeconds(5));
    }

    private static final long SECOND = 1_796_000_000_000L;
    /** A user no test creates: clicks of other tests' users would change those users' counts. */
    private static final long USER = 900_000_000_007L;

    @Test
    void aClickIsTimedToTheSecondAsPostgresqlRoundsTheTimesOfOtherEvents() throws SQLException {
        long narrow = ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);
        long[] offsets = {0, 1, 499, 500, 501, 999};
        storeNarrowAndWide(
                narrow,
                link -> Arrays.stream(offsets)
                        .mapToObj(millis ->
                                new Click(link, USER, "t", "https://example.com/t", null, null, SECOND + millis))
                        .toList());

        List<LocalDateTime> rounded = new ArrayList<>();
        for (long millis : offsets) {
            rounded.add(db.sql("SELECT (timestamp '1970-01-01' + ? * interval '1 millisecond')::timestamp(0)")
                    .param(SECOND + millis)
                    .query(LocalDateTime.class)
                    .single());
        }
        assertThat(times(narrow)).as("narrow rows, sent binary").isEqualTo(rounded);
        assertThat(times(narrow + 1)).as("wide rows, sent as CSV").isEqualTo(rounded);
    }

    /**
     * Stores the clicks of link {@code narrow} as a chunk of journal records (narrow rows), then those
     * of link {@code narrow + 1} as a legacy chunk's lines (wide rows), in one new journal.
     */
    private void storeNarrowAndWide(long narrow, LongFunction<List<Click>> clicksOf) throws SQLException {
        UUID journal = UUID.randomUUID();
        ClickSink sink = newSink();
        sink.storedPosition(journal);
        List<Click> narrowClicks = clicksOf.apply(narrow);
        CopyText records = new CopyText(64);
        narrowClicks.forEach(click -> ClickRecords.append(records, click));
        CopyText lines = new CopyText(64);
        clicksOf.apply(narrow + 1).forEach(click -> ClickCsv.appendWide(lines, click));
        int clicks = narrowClicks.size();
        assertThat(sink.store(journal, chunk(0, 100, clicks, records.length(), false), records.bytes()))
                .isTrue();
        assertThat(sink.store(journal, chunk(100, 200, clicks, lines.length(), true), lines.bytes()))
                .isTrue();
    }

    private List<LocalDateTime> times(long urlId) {
        return db.sql("SELECT \"timestamp\" FROM events WHERE url_id = ? ORDER BY id")
                .param(urlId)
                .query(LocalDateTime.class)
                .list();
    }

    /** Clicks whose texts need every escape of JSON and CSV, and texts that are no JSON at all. */
    private static List<Click> awkward(long urlId) {
        String quoted = "https://r.example/?q=\"quoted\",comma\\back\nline\ttab\u0001ctl é✓😀";
        return List.of(
                new Click(urlId, USER, "Ab_-9", "https://example.com/a?b=\"c\"", quoted, "Agent/1 (\"x\")", SECOND),
                new Click(urlId, null, "Ab_-9", "https://example.com/", "", "", SECOND + 1000),
                new Click(urlId, USER, "Ab_-9", "https://example.com/", null, null, SECOND + 2000),
                new Click(urlId, USER, "x", "https://example.com/", "a\0b", "\uD800lone", SECOND + 3000),
                new Click(
                        urlId,
                        USER,
                        "x",
                        "https://example.com/",
                        "https://long.example/" + "r".repeat(10_000),
                        "{}",
                        SECOND));
    }

    @Test
    void aNarrowClickReadsBackByteForByteAsTheWideRowOfItsLegacyRecord() throws SQLException {
        long narrow = ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);
        long wide = narrow + 1;
        int clicks = awkward(narrow).size();
        storeNarrowAndWide(narrow, PostgresClickSinkTest::awkward);

        assertThat(details(narrow)).hasSize(clicks).isEqualTo(details(wide));
        assertThat(db.sql("SELECT count(*) FROM events WHERE url_id = ? AND details = '{}' AND referrer_id IS NULL")
                        .param(narrow)
                        .query(Long.class)
                        .single())
                .as("stored narrow, without a referrer only where the click had none")
                .isOne();
        assertThat(db.sql("SELECT count(*) FROM events WHERE url_id = ? AND details <> '{}' AND short_code_id IS NULL")
                        .param(wide)
                        .query(Long.class)
                        .single())
                .isEqualTo(clicks);
        assertThat(rollup(narrow)).hasSize(5).isEqualTo(rollup(wide));

        db.sql("DELETE FROM events WHERE url_id IN (?, ?)").params(narrow, wide).update();

        assertThat(rollup(narrow))
                .as("the delete took each click off its referrer's row")
                .isEmpty();
        assertThat(rollup(wide)).isEmpty();
    }

    @Test
    void clicksGoIntoThePartitionTheSequencePointsIntoAndThroughEventsOnceItMovedOn() throws SQLException {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "partition_")) {
            scratch.migrate("latest");
            JdbcClient target = scratch.db();
            // records each run of a statement trigger of events
            target.sql("""
                            CREATE TABLE statements_on_events (at timestamptz DEFAULT now());
                            CREATE FUNCTION note_statement() RETURNS trigger LANGUAGE plpgsql AS $$
                            BEGIN INSERT INTO statements_on_events DEFAULT VALUES; RETURN NULL; END $$;
                            CREATE TRIGGER events_noted AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION note_statement()""").update();
            ClickSink sink = new PostgresClickSink(scratch.data(), Duration.ofSeconds(5));
            UUID journal = UUID.randomUUID();
            sink.storedPosition(journal);
            CopyText records = new CopyText(64);
            for (int n = 0; n < 3; n++) {
                ClickRecords.append(records, new Click(1, 7L, "p", "https://example.com/p", "ref", null, SECOND));
            }

            assertThat(sink.store(journal, chunk(0, 100, 3, records.length(), false), records.bytes()))
                    .isTrue();
            assertThat(rowsByPartition(target)).containsExactly("events_first=3");
            assertThat(target.sql("SELECT count(*) FROM statements_on_events")
                            .query(Long.class)
                            .single())
                    .as("copied into the partition: no statement trigger of events ran")
                    .isZero();
            assertThat(tallied(target)).as("the sink tallied its clicks itself").isEqualTo(3);

            // the partition the sink found holds the next id, the next but one is in the next partition:
            // as when the sequence moves on between the sink's reading and its COPY
            target.sql("""
                            CREATE TABLE events_next (LIKE events INCLUDING DEFAULTS);
                            DO $$
                            DECLARE bound bigint := (SELECT to_id FROM event_partitions);
                            BEGIN
                                PERFORM setval('events_id_seq', bound - 2);
                                EXECUTE format('ALTER TABLE events ATTACH PARTITION events_next FOR VALUES FROM (%s) TO (%s)',
                                               bound, bound + 1000);
                            END $$""").update();
            assertThat(sink.store(journal, chunk(100, 200, 3, records.length(), false), records.bytes()))
                    .isTrue();
            assertThat(rowsByPartition(target))
                    .as("stored through events, each row where its id belongs")
                    .containsExactlyInAnyOrder("events_first=3", "events_next=3");
            assertThat(target.sql("SELECT count(*) FROM statements_on_events")
                            .query(Long.class)
                            .single())
                    .isEqualTo(1);
            assertThat(tallied(target)).as("tallied once, by events' trigger").isEqualTo(6);
        }
    }

    private static List<String> rowsByPartition(JdbcClient target) {
        return target.sql("SELECT tableoid::regclass || '=' || count(*) FROM events GROUP BY tableoid")
                .query(String.class)
                .list();
    }

    private static long tallied(JdbcClient target) {
        return target.sql("SELECT sum(events) FROM event_tallies WHERE event_type = 'click'")
                .query(Long.class)
                .single();
    }

    @Test
    void aClickWithATextTheDictionaryCannotTakeIsStoredWideBesideTheNarrowOnes() throws SQLException {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "texts_")) {
            scratch.migrate("latest");
            // texts of one length collide here, as two texts of one md5 would
            scratch.db().sql("DROP INDEX click_texts_key").update();
            scratch.db()
                    .sql("CREATE UNIQUE INDEX click_texts_key ON click_texts (length(text))")
                    .update();
            ClickSink sink = new PostgresClickSink(scratch.data(), Duration.ofSeconds(5));
            UUID journal = UUID.randomUUID();
            sink.storedPosition(journal);
            CopyText records = new CopyText(64);
            ClickRecords.append(records, new Click(1, 7L, "aa", "https://example.com/1", "ref", null, SECOND));
            ClickRecords.append(records, new Click(1, 7L, "bb", "https://example.com/1", "ref", null, SECOND));

            assertThat(sink.store(journal, chunk(0, 100, 2, records.length(), false), records.bytes()))
                    .isTrue();

            assertThat(scratch.db().sql("""
                                    SELECT (short_code_id IS NULL) || ' ' || (event_details(events) ->> 'short_code')
                                           || ' ' || event_details(events)::text
                                    FROM events ORDER BY event_details(events) ->> 'short_code'""").query(String.class).list())
                    .as("one of the two short codes had no id: that click is wide, with the same details")
                    .hasSize(2)
                    .allMatch(row -> row.endsWith(" {\"referrer\": \"ref\", \"short_code\": \"" + row.split(" ")[1]
                            + "\", \"user_agent\": null, \"original_url\": \"https://example.com/1\"}"))
                    .extracting(row -> row.split(" ")[0])
                    .containsExactlyInAnyOrder("true", "false");
            assertThat(scratch.db()
                            .sql("SELECT sum(clicks) FROM clicks_counted WHERE referrer = 'ref'")
                            .query(Long.class)
                            .single())
                    .isEqualTo(2);
        }
    }

    @Test
    void sinksThatMeetTheSameNewTextsAtOnceShareOneEntryEach() throws Exception {
        long urlId = ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);
        String referrer = "https://shared.example/" + UUID.randomUUID();
        List<Click> clicks =
                List.of(new Click(urlId, USER, "s", "https://example.com/s", referrer, referrer + "/agent", SECOND));
        CopyText records = new CopyText(64);
        clicks.forEach(click -> ClickRecords.append(records, click));
        try (ExecutorService loaders = Executors.newFixedThreadPool(4)) {
            List<Future<Boolean>> stored = IntStream.range(0, 8)
                    .mapToObj(n -> loaders.submit(() -> {
                        UUID journal = UUID.randomUUID();
                        ClickSink sink = newSink();
                        sink.storedPosition(journal);
                        return sink.store(journal, chunk(0, 10, 1, records.length(), false), records.bytes());
                    }))
                    .toList();
            for (Future<Boolean> one : stored) {
                assertThat(one.get()).isTrue();
            }
        }

        assertThat(db.sql("SELECT count(*) FROM click_texts WHERE text IN (?, ?)")
                        .params(referrer, referrer + "/agent")
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
        assertThat(storedClicks(urlId)).hasSize(8).containsOnly(clicks.getFirst());
    }

    @Test
    void aJournalOfLegacyRecordsThenNewOnesIsReadInChunksOfOneKindAndStoredWhole(@TempDir Path root)
            throws IOException, SQLException {
        long urlId = ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);
        List<Click> before = awkward(urlId);
        List<Click> after = List.of(new Click(urlId, USER + 1, "after", "https://example.com/after", "r", "a", SECOND));
        Path legacySegment;
        try (ClickJournal journal = ClickJournal.open(root, Long.MAX_VALUE, SegmentFiles.DISK)) {
            legacySegment = journal.segmentFile(journal.synced().segment());
        }
        // what an instance of an earlier version left in its journal: two records of COPY lines
        for (List<Click> record : List.of(before.subList(0, 2), before.subList(2, before.size()))) {
            CopyText lines = new CopyText(64);
            record.forEach(click -> ClickCsv.appendWide(lines, click));
            Files.write(legacySegment, legacyRecord(lines, record.size()), StandardOpenOption.APPEND);
        }
        ClickSink sink = newSink();
        List<Boolean> kinds = new ArrayList<>();
        try (ClickJournal journal = ClickJournal.open(root, Long.MAX_VALUE, SegmentFiles.DISK)) {
            CopyText records = new CopyText(64);
            after.forEach(click -> ClickRecords.append(records, click));
            journal.append(records, after.size(), SECOND);
            journal.sync();
            sink.storedPosition(journal.id());
            JournalReader reader = new JournalReader(journal, 16);
            Position at = journal.start(new Position(0, 0));
            while (at.compareTo(journal.synced()) < 0) {
                Chunk chunk = reader.read(at, 1000);
                if (chunk.clicks() > 0) {
                    kinds.add(chunk.legacy());
                    assertThat(sink.store(journal.id(), chunk, reader.bytes())).isTrue();
                }
                at = chunk.to();
            }
        }

        assertThat(kinds).containsExactly(true, false);
        List<Click> expected = new ArrayList<>(before);
        expected.set(3, new Click(urlId, USER, "x", "https://example.com/", "ab", "\uFFFDlone", SECOND + 3000));
        expected.addAll(after);
        assertThat(storedClicks(urlId)).isEqualTo(expected);
    }

    /** A journal record as versions before {@link ClickRecords} wrote it, header and all. */
    private static byte[] legacyRecord(CopyText lines, int clicks) {
        CRC32C crc = new CRC32C();
        crc.update(lines.bytes(), 0, lines.length());
        return ByteBuffer.allocate(ClickJournal.HEADER_BYTES + lines.length())
                .putInt(ClickJournal.LEGACY_MAGIC)
                .putInt(lines.length())
                .putInt(clicks)
                .putLong(SECOND)
                .putInt((int) crc.getValue() ^ clicks)
                .put(lines.bytes(), 0, lines.length())
                .array();
    }

    private static Chunk chunk(long from, long to, int clicks, int length, boolean legacy) {
        return new Chunk(new Position(0, from), new Position(0, to), clicks, SECOND, length, false, legacy);
    }

    /** The details of a link's events as the API shows them, in id order. */
    private List<String> details(long urlId) {
        return db.sql("SELECT event_details(events)::text FROM events WHERE url_id = ? ORDER BY id")
                .param(urlId)
                .query(String.class)
                .list();
    }

    /** A link's click rollup: referrer=clicks per day and user. */
    private List<String> rollup(long urlId) {
        return db.sql("""
                        SELECT day || ' ' || coalesce(user_id, 0) || ' ' || referrer || '=' || sum(clicks) FROM clicks_counted
                        WHERE url_id = ? GROUP BY day, user_id, referrer ORDER BY 1""").param(urlId).query(String.class).list();
    }

    @Override
    List<Click> storedClicks(long urlId) {
        return db.sql("""
                        SELECT url_id, user_id, details->>'short_code', details->>'original_url',
                               details->>'referrer', details->>'user_agent', at
                        FROM (SELECT id, url_id, user_id, event_details(events) AS details,
                                     extract(epoch FROM "timestamp")::bigint * 1000 AS at
                              FROM events WHERE url_id = ? AND event_type = 'click') stored
                        ORDER BY id""")
                .param(urlId)
                .query((row, n) -> new Click(
                        row.getLong(1),
                        row.getObject(2, Long.class),
                        row.getString(3),
                        row.getString(4),
                        row.getString(5),
                        row.getString(6),
                        row.getLong(7)))
                .list();
    }
}
