package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.JournalReader.Chunk;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Where the {@link ClickLoader} stores the journal's clicks. A sink keeps, per journal, the position
 * up to which it has stored them, and moves it together with each chunk it stores: a chunk replayed
 * after a lost answer or a restart is then not stored twice, without a click id. {@code
 * ClickSinkContract} holds the tests every sink passes.
 */
interface ClickSink {

    /**
     * The position up to which the journal's clicks are stored; the journal's start for one the sink
     * does not know. Asked before a journal's first chunk is stored.
     */
    Position storedPosition(UUID journal) throws SQLException;

    /**
     * Stores the chunk's clicks, the first {@code chunk.length()} bytes of {@code records} (clicks of
     * {@link ClickRecords}, or lines of {@link ClickCsv#WIDE_COPY} in a legacy chunk), and moves the
     * journal's position to the chunk's end, both or neither.
     * False, storing nothing, when the stored position is past the chunk's start: an earlier attempt
     * stored it. A chunk that starts past the stored position is stored (the loader skipped a torn or
     * empty part of the journal).
     */
    boolean store(UUID journal, Chunk chunk, byte[] records) throws SQLException;

    /** Moves the journal's position back to its start: its files were lost, and what it holds now is new. */
    void reset(UUID journal) throws SQLException;

    /**
     * Whether the sink answered its latest round trip quickly and the one under way is not slow yet:
     * slowing redirects helps the loader catch up only then, not while it waits on a slow network.
     */
    boolean answersQuickly();
}
