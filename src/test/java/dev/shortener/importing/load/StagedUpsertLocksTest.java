package dev.shortener.importing.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import dev.shortener.TestDatabase;
import dev.shortener.platform.MonthIds;
import java.sql.Connection;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A chunk of events applied by upsert locks only the months of events it can touch (ADR 0020): a
 * retention drop holds an old month for as long as it counts its rows, and an import of other
 * months must not wait for it. On a database of its own, whose first month is locked.
 */
class StagedUpsertLocksTest extends ApiTest {

    @Autowired
    private Environment env;

    @Test
    void chunksWithAndWithoutIdsInANewerMonthDoNotWaitForALockOnTheFirst() throws Exception {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "upsert_locks_")) {
            scratch.migrate("latest");
            JdbcClient db = scratch.db();
            // a newer month, which the sequence has moved into, as the partitions' upkeep does
            // the first partition's bound, as V23 sets it on a new database
            long from = MonthIds.firstId(YearMonth.now(ZoneOffset.UTC).plusMonths(1));
            db.sql("CREATE TABLE events_newer (LIKE events INCLUDING DEFAULTS)").update();
            db.sql("ALTER TABLE events ATTACH PARTITION events_newer FOR VALUES FROM (" + from + ") TO ("
                            + (from + (1L << 36)) + ")")
                    .update();
            db.sql("SELECT setval('events_id_seq', ?)").param(from).query().singleValue();
            long stored = db.sql("INSERT INTO events (url_id, event_type) VALUES (1, 'created') RETURNING id")
                    .query(Long.class)
                    .single();

            try (Connection drop = scratch.data().getConnection();
                    Connection importer = scratch.data().getConnection()) {
                drop.setAutoCommit(false);
                drop.createStatement().execute("LOCK TABLE events_first IN SHARE MODE");
                importer.setAutoCommit(false);
                importer.createStatement().execute("SET lock_timeout = '1s'");

                ChunkLoader.Outcome withoutIds = StagedUpsert.load(
                        importer,
                        Entity.EVENTS,
                        List.of(new EventRow(2, null, 1, null, "share", null, "{}")),
                        new LongSummaryStatistics());
                // a chunk a transaction, as the loader applies them: the staging table empties at commit
                importer.commit();
                ChunkLoader.Outcome withAnId = StagedUpsert.load(
                        importer,
                        Entity.EVENTS,
                        List.of(new EventRow(2, stored, 1, null, "created", null, "{\"note\":\"again\"}")),
                        LongStream.of(stored).summaryStatistics());
                importer.commit();

                assertThat(withoutIds.imported()).isEqualTo(1);
                assertThat(withAnId.imported()).isEqualTo(1);
                drop.rollback();
            }
            assertThat(db.sql("SELECT details ->> 'note' FROM events WHERE id = ?")
                            .param(stored)
                            .query(String.class)
                            .single())
                    .isEqualTo("again");
            assertThat(db.sql("SELECT count(*) FROM events_newer WHERE event_type = 'share'")
                            .query(Long.class)
                            .single())
                    .isEqualTo(1);
        }
    }
}
