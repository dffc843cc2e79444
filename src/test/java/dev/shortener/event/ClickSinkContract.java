package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.JournalReader.Chunk;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the {@link ClickLoader} counts on from any {@link ClickSink}, written against the interface
 * only: a sink's test extends this class, makes sinks on one store and reads back what they stored.
 */
abstract class ClickSinkContract {

    private static final Position START = new Position(0, 0);

    /** Clicks are stored to the second, as {@link CopyText#timestamp} writes them. */
    private static final long SECOND = 1_796_000_000_000L;

    /** A new instance of the sink on the store this test reads, which every call shares. */
    abstract ClickSink newSink();

    /** The clicks of one link that the store holds, in the order they were stored. */
    abstract List<Click> storedClicks(long urlId);

    private final UUID journal = UUID.randomUUID();
    private final long urlId = ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);
    private ClickSink sink;

    @BeforeEach
    void openSink() throws SQLException {
        sink = newSink();
        // as the loader does before it stores a journal's first chunk
        assertThat(sink.storedPosition(journal)).isEqualTo(START);
    }

    @Test
    void aJournalTheSinkHasNotSeenStandsAtItsStart() throws SQLException {
        assertThat(newSink().storedPosition(UUID.randomUUID())).isEqualTo(START);
        assertThat(storedClicks(urlId)).isEmpty();
    }

    @Test
    void aChunkIsStoredWithItsClicksAndMovesThePositionToItsEnd() throws SQLException {
        Position end = new Position(0, 300);

        assertThat(store(sink, START, end, click(1), click(2), click(3))).isTrue();

        assertThat(storedClicks(urlId)).containsExactly(click(1), click(2), click(3));
        assertThat(sink.storedPosition(journal)).isEqualTo(end);
    }

    @Test
    void theSameChunkOfferedAgainIsRefusedAndNotStoredTwice() throws SQLException {
        Position end = new Position(0, 200);
        store(sink, START, end, click(1), click(2));

        assertThat(store(sink, START, end, click(1), click(2))).isFalse();

        assertThat(storedClicks(urlId)).containsExactly(click(1), click(2));
        assertThat(sink.storedPosition(journal)).isEqualTo(end);
    }

    @Test
    void aNewSinkOnTheSameStoreKnowsThePositionAndRefusesTheReplayOfARestart() throws SQLException {
        Position end = new Position(0, 200);
        store(sink, START, end, click(1), click(2));

        ClickSink restarted = newSink();

        assertThat(restarted.storedPosition(journal)).isEqualTo(end);
        assertThat(store(restarted, START, end, click(1), click(2))).isFalse();
        assertThat(storedClicks(urlId)).containsExactly(click(1), click(2));
    }

    @Test
    void aChunkThatStartsBeforeTheStoredPositionIsRefusedWholeEvenWhenItReachesFurther() throws SQLException {
        Position committed = new Position(0, 100);
        store(sink, START, committed, click(1));

        // a retry whose chunk grew since the attempt that committed after all
        assertThat(store(sink, START, new Position(0, 200), click(1), click(2))).isFalse();

        assertThat(storedClicks(urlId)).containsExactly(click(1));
        assertThat(sink.storedPosition(journal)).isEqualTo(committed);
    }

    @Test
    void chunksFollowEachOtherFromTheStoredPositionOrPastIt() throws SQLException {
        Position first = new Position(0, 100);
        Position second = new Position(0, 250);
        Position afterGap = new Position(2, 90);
        store(sink, START, first, click(1));

        assertThat(store(sink, first, second, click(2))).isTrue();
        // the loader skipped a torn or missing segment without storing anything for it
        assertThat(store(sink, new Position(2, 0), afterGap, click(3))).isTrue();

        assertThat(storedClicks(urlId)).containsExactly(click(1), click(2), click(3));
        assertThat(sink.storedPosition(journal)).isEqualTo(afterGap);
    }

    @Test
    void aResetJournalStandsAtItsStartAndWhatItHoldsNowIsStored() throws SQLException {
        Position end = new Position(3, 100);
        store(sink, new Position(3, 0), end, click(1));

        sink.reset(journal);

        assertThat(sink.storedPosition(journal)).isEqualTo(START);
        assertThat(store(sink, START, new Position(0, 100), click(2))).isTrue();
        assertThat(storedClicks(urlId)).containsExactly(click(1), click(2));
    }

    @Test
    void eachJournalHasAPositionOfItsOwn() throws SQLException {
        Position end = new Position(0, 100);
        store(sink, START, end, click(1));
        UUID other = UUID.randomUUID();

        assertThat(sink.storedPosition(other)).isEqualTo(START);
        assertThat(sink.store(
                        other, chunk(START, end, click(2)), lines(click(2)).bytes()))
                .isTrue();

        assertThat(storedClicks(urlId)).containsExactly(click(1), click(2));
        assertThat(sink.storedPosition(journal)).isEqualTo(end);
    }

    private boolean store(ClickSink target, Position from, Position to, Click... clicks) throws SQLException {
        return target.store(journal, chunk(from, to, clicks), lines(clicks).bytes());
    }

    private static Chunk chunk(Position from, Position to, Click... clicks) {
        return new Chunk(
                from, to, clicks.length, clicks[0].atMillis(), lines(clicks).length(), false, false);
    }

    /** The clicks as the journal holds them, in a buffer longer than the lines, as the reader's is. */
    private static CopyText lines(Click... clicks) {
        CopyText text = new CopyText(4096);
        for (Click click : clicks) {
            ClickRecords.append(text, click);
        }
        return text;
    }

    private Click click(int n) {
        return new Click(
                urlId,
                // a user no test creates: a click of another test's user would change that user's counts
                n % 2 == 0 ? null : 900_000_000_000L + n,
                "code" + n,
                "https://example.com/" + n + "?q=\"quoted\"",
                n % 3 == 0 ? null : "https://ref.example/" + n,
                "Agent/" + n + " (ünïcode, \\back\\slash)",
                SECOND + n * 1000L);
    }
}
