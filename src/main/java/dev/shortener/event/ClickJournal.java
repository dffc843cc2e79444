package dev.shortener.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NavigableSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Clicks on local disk before PostgreSQL has them: append-only segment files of records, each
 * record a batch of clicks already encoded as COPY lines behind a header with its length, click
 * count, first click's time and a CRC-32C. One writer appends and syncs; one {@link JournalReader}
 * reads from a position up to what the writer has synced.
 *
 * <p>A journal lives in a numbered {@link JournalSlot} under the configured directory ({@code 0},
 * {@code 1}, …): an instance takes the first slot whose lock it can hold, so replicas sharing a
 * directory each get their own, and the next instance to start adopts and loads the journal of one
 * that crashed. The slot's {@code id} names it in PostgreSQL, where the loaded position is kept.
 */
final class ClickJournal implements AutoCloseable {

    /** Where the reader stands or the writer has synced: a segment's number and a byte offset in it. */
    record Position(long segment, long offset) implements Comparable<Position> {
        @Override
        public int compareTo(Position other) {
            int bySegment = Long.compare(segment, other.segment);
            return bySegment != 0 ? bySegment : Long.compare(offset, other.offset);
        }
    }

    // a record's header, written by append and checked by JournalReader
    static final int HEADER_BYTES = 24;
    static final int MAGIC = 0x434c4b32; // "CLK2": clicks of ClickRecords
    static final int LEGACY_MAGIC = 0x434c4b31; // "CLK1": lines of ClickCsv.WIDE_COPY, still loaded
    private static final String SUFFIX = ".clicks";

    private final JournalSlot slot;
    private final SegmentFiles segmentFiles;
    private final Path directory;
    private final long segmentBytes;
    private final NavigableSet<Long> segments = new ConcurrentSkipListSet<>();
    private final AtomicLong bytesOnDisk = new AtomicLong();
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    private final CRC32C writeCrc = new CRC32C();

    private final long firstSegment;
    private FileChannel appending;
    private long appendingSegment;
    private long appendingOffset;
    private volatile Position synced;
    private boolean damaged; // the segment ends in a half record that could not be cut off

    private ClickJournal(JournalSlot slot, long segmentBytes, SegmentFiles segmentFiles) throws IOException {
        this.slot = slot;
        this.segmentFiles = segmentFiles;
        this.directory = slot.directory();
        this.segmentBytes = segmentBytes;
        try (Stream<Path> files = Files.list(directory)) {
            files.filter(file -> file.getFileName().toString().endsWith(SUFFIX)).forEach(file -> {
                segments.add(segmentNumber(file));
                bytesOnDisk.addAndGet(size(file));
            });
        }
        // a new segment at every start: whatever a crashed writer left in the last one stays behind it
        appendingSegment = segments.isEmpty() ? 1 : segments.last() + 1;
        firstSegment = appendingSegment;
        appending = openSegment(appendingSegment);
        synced = new Position(appendingSegment, 0);
    }

    /** Opens the journal of the first free slot under {@code root}, creating it when needed. */
    static ClickJournal open(Path root, long segmentBytes, SegmentFiles files) {
        try {
            return new ClickJournal(JournalSlot.take(root), segmentBytes, files);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the click journal under " + root.toAbsolutePath(), e);
        }
    }

    UUID id() {
        return slot.id();
    }

    Path directory() {
        return directory;
    }

    long bytesOnDisk() {
        return bytesOnDisk.get();
    }

    /** The first segment this instance writes; those before it come from an earlier one. */
    long firstSegment() {
        return firstSegment;
    }

    /** The end of what {@link #sync()} has made durable; the reader reads no further. */
    Position synced() {
        return synced;
    }

    /**
     * The first position worth reading at or after {@code from}: the start of the next segment when
     * its own is gone.
     */
    Position start(Position from) {
        if (segments.contains(from.segment())) {
            return from;
        }
        Long next = segments.higher(from.segment());
        return new Position(next == null ? appendingSegment : next, 0);
    }

    /** Deletes the segments before {@code segment}: everything in them is in PostgreSQL. */
    void deleteBefore(long segment) throws IOException {
        for (Long old : segments.headSet(segment, false)) {
            Path file = segmentFile(old);
            long size = size(file);
            Files.deleteIfExists(file);
            bytesOnDisk.addAndGet(-size);
            segments.remove(old);
        }
    }

    // ---- the writer's side: one thread at a time ----

    /** Appends one record holding {@code clicks} encoded clicks; durable after the next {@link #sync()}. */
    void append(CopyText lines, int clicks, long firstMillis) throws IOException {
        if (damaged) {
            sync(); // the reader takes the records before the half record once a later segment exists
            if (!roll()) {
                throw new IOException("segment " + appendingSegment + " ends in a half record, and no new one opens");
            }
        }
        writeCrc.reset();
        writeCrc.update(lines.bytes(), 0, lines.length());
        header.clear()
                .putInt(MAGIC)
                .putInt(lines.length())
                .putInt(clicks)
                .putLong(firstMillis)
                .putInt((int) writeCrc.getValue() ^ clicks)
                .flip();
        ByteBuffer body = ByteBuffer.wrap(lines.bytes(), 0, lines.length());
        long written = 0;
        long total = HEADER_BYTES + (long) lines.length();
        try {
            while (written < total) {
                written += appending.write(new ByteBuffer[] {header, body});
            }
        } catch (IOException e) {
            // no half record may stay in front of the next one
            try {
                appending.truncate(appendingOffset);
                appending.position(appendingOffset);
            } catch (IOException uncut) {
                e.addSuppressed(uncut);
                damaged = true;
            }
            throw e;
        }
        appendingOffset += total;
        bytesOnDisk.addAndGet(total);
        if (appendingOffset >= segmentBytes) {
            sync();
            roll();
        }
    }

    /** Goes on in a new segment; while none can be opened, the current one grows and the next append tries again. */
    private boolean roll() {
        FileChannel next;
        try {
            next = openSegment(appendingSegment + 1);
        } catch (IOException e) {
            return false;
        }
        try {
            appending.close();
        } catch (IOException e) {
            // synced already; nothing more to write to it
        }
        appending = next;
        appendingSegment++;
        appendingOffset = 0;
        synced = new Position(appendingSegment, 0);
        damaged = false;
        return true;
    }

    /** Makes every appended record durable (fsync of the data, not of the file's times). */
    void sync() throws IOException {
        if (synced.offset() != appendingOffset || synced.segment() != appendingSegment) {
            appending.force(false);
            synced = new Position(appendingSegment, appendingOffset);
        }
    }

    private FileChannel openSegment(long segment) throws IOException {
        FileChannel channel = segmentFiles.createDurably(segmentFile(segment), directory);
        segments.add(segment);
        return channel;
    }

    Path segmentFile(long segment) {
        return directory.resolve("%020d%s".formatted(segment, SUFFIX));
    }

    private static long segmentNumber(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Syncs, closes the segment being written and gives the slot up. The last segment stays even when
     * empty: its number tells the next start where to go on, as positions in PostgreSQL only grow.
     */
    @Override
    public void close() throws IOException {
        try {
            sync();
            appending.close();
        } finally {
            slot.release();
        }
    }
}
