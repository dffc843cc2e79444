package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The loader's side of the {@link ClickJournal}: whole records, checked, read into one byte array
 * that is reused chunk after chunk.
 */
final class JournalReader {

    /**
     * What one read found: records from {@code from} to {@code to}, their clicks in {@link #bytes()};
     * {@code legacy} when they are lines of {@link ClickCsv#WIDE_COPY}, records of one kind a chunk.
     */
    record Chunk(Position from, Position to, int clicks, long firstMillis, int length, boolean torn, boolean legacy) {}

    private final ClickJournal journal;
    private byte[] bytes;

    JournalReader(ClickJournal journal, int capacity) {
        this.journal = journal;
        this.bytes = new byte[capacity];
    }

    /** The lines of the latest chunk read, from its start to its {@code length}. */
    byte[] bytes() {
        return bytes;
    }

    /**
     * Reads whole records from {@code from} while they hold at most {@code maxClicks} clicks (at
     * least one record) and stop before {@link ClickJournal#synced()}, their lines into {@link
     * #bytes()} (grown as needed). A record that does not check out in a segment the writer has left
     * is a torn tail of a crashed writer (or of a write the disk failed): the chunk ends there with {@code torn} set and the next read
     * starts in the following segment.
     */
    Chunk read(Position from, int maxClicks) throws IOException {
        Position limit = journal.synced();
        long end;
        try (FileChannel channel = FileChannel.open(journal.segmentFile(from.segment()), StandardOpenOption.READ)) {
            end = from.segment() < limit.segment() ? channel.size() : limit.offset();
            long offset = from.offset();
            int clicks = 0;
            int length = 0;
            long firstMillis = 0;
            int kind = 0;
            ByteBuffer head = ByteBuffer.allocate(ClickJournal.HEADER_BYTES);
            CRC32C crc = new CRC32C();
            while (offset < end) {
                head.clear();
                if (end - offset < ClickJournal.HEADER_BYTES
                        || readFully(channel, head, offset) < ClickJournal.HEADER_BYTES) {
                    return torn(from, offset, clicks, firstMillis, length, kind);
                }
                head.flip();
                int magic = head.getInt();
                int size = head.getInt();
                int count = head.getInt();
                long millis = head.getLong();
                int check = head.getInt();
                if ((magic != ClickJournal.MAGIC && magic != ClickJournal.LEGACY_MAGIC)
                        || size < 0
                        || count <= 0
                        || size > end - offset - ClickJournal.HEADER_BYTES) {
                    return torn(from, offset, clicks, firstMillis, length, kind);
                }
                if (clicks > 0 && (clicks + count > maxClicks || magic != kind)) {
                    break;
                }
                kind = magic;
                room(length + size);
                ByteBuffer body = ByteBuffer.wrap(bytes, length, size);
                if (readFully(channel, body, offset + ClickJournal.HEADER_BYTES) < size) {
                    return torn(from, offset, clicks, firstMillis, length, kind);
                }
                crc.reset();
                crc.update(bytes, length, size);
                if (((int) crc.getValue() ^ count) != check) {
                    return torn(from, offset, clicks, firstMillis, length, kind);
                }
                if (clicks == 0) {
                    firstMillis = millis;
                }
                clicks += count;
                length += size;
                offset += ClickJournal.HEADER_BYTES + size;
            }
            Position to = new Position(from.segment(), offset);
            if (offset >= end && from.segment() < limit.segment()) {
                // the segment is complete and read to its end: the next read starts in the next one
                to = journal.start(new Position(from.segment() + 1, 0));
            }
            return new Chunk(from, to, clicks, firstMillis, length, false, legacy(kind));
        } catch (NoSuchFileException e) {
            return new Chunk(from, journal.start(new Position(from.segment() + 1, 0)), 0, 0, 0, false, false);
        }
    }

    private static boolean legacy(int kind) {
        return kind == ClickJournal.LEGACY_MAGIC;
    }

    private Chunk torn(Position from, long offset, int clicks, long firstMillis, int length, int kind) {
        if (from.segment() >= journal.synced().segment()) {
            throw new IllegalStateException("Click journal record at " + offset + " of segment " + from.segment()
                    + " in " + journal.directory() + " does not check out below the synced end");
        }
        if (clicks > 0) {
            // load the good records first; the next read meets the damage again and skips it
            return new Chunk(
                    from, new Position(from.segment(), offset), clicks, firstMillis, length, false, legacy(kind));
        }
        return new Chunk(from, journal.start(new Position(from.segment() + 1, 0)), 0, 0, 0, true, false);
    }

    private static int readFully(FileChannel channel, ByteBuffer target, long at) throws IOException {
        int total = 0;
        while (target.hasRemaining()) {
            int n = channel.read(target, at + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private void room(int size) {
        if (size > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size, bytes.length * 2));
        }
    }
}
