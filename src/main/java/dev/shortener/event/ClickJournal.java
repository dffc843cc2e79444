package dev.shortener.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.NavigableSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Clicks on local disk before PostgreSQL has them: append-only segment files of records, each
 * record a batch of clicks already encoded as COPY lines behind a header with its length, click
 * count, first click's time and a CRC-32C. One writer appends and syncs; one reader loads from a
 * position up to what the writer has synced.
 *
 * <p>A journal lives in a numbered slot under the configured directory ({@code 0}, {@code 1}, …):
 * an instance takes the first slot whose lock it can hold, so replicas sharing a directory each get
 * their own, and the next instance to start adopts and loads the journal of one that crashed. The
 * slot's {@code id} names it in PostgreSQL, where the loaded position is kept.
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

    /** What one read found: records from {@code from} to {@code to}, their lines in the reader's buffer. */
    record Chunk(Position from, Position to, int clicks, long firstMillis, int length, boolean torn) {}

    static final int HEADER_BYTES = 24;
    private static final int MAGIC = 0x434c4b31; // "CLK1"
    private static final int MAX_SLOTS = 256;
    private static final String SUFFIX = ".clicks";
    /** Slots this JVM holds (several application contexts may run in one). */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final UUID id;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final NavigableSet<Long> segments = new ConcurrentSkipListSet<>();
    private final AtomicLong bytesOnDisk = new AtomicLong();
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    private final CRC32C writeCrc = new CRC32C();

    private final long firstSegment;
    private FileChannel appending;
    private long appendingSegment;
    private long appendingOffset;
    private volatile Position synced;

    private ClickJournal(Path directory, FileChannel lockChannel, FileLock lock, long segmentBytes) throws IOException {
        this.directory = directory;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.segmentBytes = segmentBytes;
        this.id = readOrCreateId(directory.resolve("id"));
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

    /** Opens the first free slot under {@code root}, creating it when needed. */
    static ClickJournal open(Path root, long segmentBytes) {
        try {
            Files.createDirectories(root);
            for (int slot = 0; slot < MAX_SLOTS; slot++) {
                Path directory = root.resolve(Integer.toString(slot)).toAbsolutePath();
                if (HELD.contains(directory)) {
                    // closing a channel of our own on its lock file would release the lock (fcntl)
                    continue;
                }
                Files.createDirectories(directory);
                FileChannel channel = FileChannel.open(
                        directory.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    HELD.add(directory);
                    return new ClickJournal(directory, channel, lock, segmentBytes);
                }
                channel.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the click journal under " + root.toAbsolutePath(), e);
        }
        throw new IllegalStateException("Every one of " + MAX_SLOTS + " click journal slots under "
                + root.toAbsolutePath() + " is held by a running instance");
    }

    private static @Nullable FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by another application context of this JVM
        }
    }

    private static UUID readOrCreateId(Path file) throws IOException {
        if (Files.exists(file)) {
            return UUID.fromString(
                    Files.readString(file, StandardCharsets.US_ASCII).strip());
        }
        UUID id = UUID.randomUUID();
        Path written = file.resolveSibling("id.tmp");
        try (FileChannel channel = FileChannel.open(
                written, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(id.toString().getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(file.getParent());
        return id;
    }

    /** Makes a file created or renamed in {@code directory} survive a crash of the machine. */
    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    UUID id() {
        return id;
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

    // ---- the writer's side: one thread at a time ----

    /** Appends one record holding {@code clicks} encoded lines; durable after the next {@link #sync()}. */
    void append(CopyText lines, int clicks, long firstMillis) throws IOException {
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
            appending.truncate(appendingOffset);
            appending.position(appendingOffset);
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
    private void roll() {
        FileChannel next;
        try {
            next = openSegment(appendingSegment + 1);
        } catch (IOException e) {
            return;
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
    }

    /** Makes every appended record durable (fsync of the data, not of the file's times). */
    void sync() throws IOException {
        if (synced.offset() != appendingOffset || synced.segment() != appendingSegment) {
            appending.force(false);
            synced = new Position(appendingSegment, appendingOffset);
        }
    }

    private FileChannel openSegment(long segment) throws IOException {
        FileChannel channel =
                FileChannel.open(segmentFile(segment), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        syncDirectory(directory);
        segments.add(segment);
        return channel;
    }

    // ---- the reader's side: one thread ----

    /**
     * Reads whole records from {@code from} while they hold at most {@code maxClicks} clicks (at
     * least one record) and stop before {@link #synced()}, their lines into {@code buffer} (grown as
     * needed; the new one is returned through {@code into}). A record that does not check out in a
     * segment the writer has left is a torn tail of a crashed writer: the chunk ends there with
     * {@code torn} set and the next read starts in the following segment.
     */
    Chunk read(Position from, int maxClicks, Buffer into) throws IOException {
        Position limit = synced;
        long end;
        try (FileChannel channel = FileChannel.open(segmentFile(from.segment()), StandardOpenOption.READ)) {
            end = from.segment() < limit.segment() ? channel.size() : limit.offset();
            long offset = from.offset();
            int clicks = 0;
            int length = 0;
            long firstMillis = 0;
            ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES);
            CRC32C crc = new CRC32C();
            while (offset < end) {
                head.clear();
                if (end - offset < HEADER_BYTES || readFully(channel, head, offset) < HEADER_BYTES) {
                    return torn(from, offset, clicks, firstMillis, length);
                }
                head.flip();
                int magic = head.getInt();
                int size = head.getInt();
                int count = head.getInt();
                long millis = head.getLong();
                int check = head.getInt();
                if (magic != MAGIC || size < 0 || count <= 0 || size > end - offset - HEADER_BYTES) {
                    return torn(from, offset, clicks, firstMillis, length);
                }
                if (clicks > 0 && clicks + count > maxClicks) {
                    break;
                }
                into.room(length + size);
                ByteBuffer body = ByteBuffer.wrap(into.bytes, length, size);
                if (readFully(channel, body, offset + HEADER_BYTES) < size) {
                    return torn(from, offset, clicks, firstMillis, length);
                }
                crc.reset();
                crc.update(into.bytes, length, size);
                if (((int) crc.getValue() ^ count) != check) {
                    return torn(from, offset, clicks, firstMillis, length);
                }
                if (clicks == 0) {
                    firstMillis = millis;
                }
                clicks += count;
                length += size;
                offset += HEADER_BYTES + size;
            }
            Position to = new Position(from.segment(), offset);
            if (offset >= end && from.segment() < limit.segment()) {
                // the segment is complete and read to its end: the next read starts in the next one
                to = start(new Position(from.segment() + 1, 0));
            }
            return new Chunk(from, to, clicks, firstMillis, length, false);
        } catch (NoSuchFileException e) {
            return new Chunk(from, start(new Position(from.segment() + 1, 0)), 0, 0, 0, false);
        }
    }

    private Chunk torn(Position from, long offset, int clicks, long firstMillis, int length) {
        if (from.segment() >= synced.segment()) {
            throw new IllegalStateException("Click journal record at " + offset + " of segment " + from.segment()
                    + " in " + directory + " does not check out below the synced end");
        }
        if (clicks > 0) {
            // load the good records first; the next read meets the damage again and skips it
            return new Chunk(from, new Position(from.segment(), offset), clicks, firstMillis, length, false);
        }
        return new Chunk(from, start(new Position(from.segment() + 1, 0)), 0, 0, 0, true);
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

    /** A growable byte array the reader reuses for the lines it hands to COPY. */
    static final class Buffer {
        byte[] bytes;

        Buffer(int capacity) {
            bytes = new byte[capacity];
        }

        void room(int size) {
            if (size > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size, bytes.length * 2));
            }
        }
    }

    private Path segmentFile(long segment) {
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
            lock.release();
            lockChannel.close();
            HELD.remove(directory);
        }
    }
}
