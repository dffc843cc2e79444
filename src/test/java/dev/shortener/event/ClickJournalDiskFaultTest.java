package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.JournalReader.Chunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fails a write half way and then refuses to cut the half record off: the journal must
 * not append behind that half record, where the reader would stop at it and never reach the clicks
 * after it. Real files; only the failures are made up.
 */
class ClickJournalDiskFaultTest {

    @TempDir
    Path root;

    @Test
    void afterAHalfRecordThatCannotBeCutOffTheNextClicksGoToANewSegmentAndAllButTheFailedOnesAreRead()
            throws IOException {
        List<FailingChannel> created = new ArrayList<>();
        SegmentFiles files = file -> {
            FailingChannel channel = new FailingChannel(SegmentFiles.DISK.create(file));
            created.add(channel);
            return channel;
        };
        try (ClickJournal journal = ClickJournal.open(root, Long.MAX_VALUE, files)) {
            append(journal, 1, 3);
            journal.sync();
            created.getLast().failNextWriteAndTruncate = true;
            assertThatThrownBy(() -> append(journal, 4, 2)).isInstanceOf(IOException.class);
            append(journal, 6, 3);
            journal.sync();

            assertThat(readAll(journal)).isEqualTo(List.of("c1", "c2", "c3", "c6", "c7", "c8"));
            assertThat(created).as("a segment after the damaged one").hasSize(2);
        }
    }

    @Test
    void whileNoNewSegmentOpensAppendsBehindTheHalfRecordFailAndTheNextThatOpensOneGoesOn() throws IOException {
        List<FailingChannel> created = new ArrayList<>();
        boolean[] refuse = {false};
        SegmentFiles files = file -> {
            if (refuse[0]) {
                throw new IOException("no space left on device");
            }
            FailingChannel channel = new FailingChannel(SegmentFiles.DISK.create(file));
            created.add(channel);
            return channel;
        };
        try (ClickJournal journal = ClickJournal.open(root, Long.MAX_VALUE, files)) {
            append(journal, 1, 2);
            created.getLast().failNextWriteAndTruncate = true;
            assertThatThrownBy(() -> append(journal, 3, 2)).isInstanceOf(IOException.class);
            refuse[0] = true;
            assertThatThrownBy(() -> append(journal, 5, 2)).isInstanceOf(IOException.class);
            refuse[0] = false;
            append(journal, 7, 1);
            journal.sync();

            assertThat(readAll(journal)).isEqualTo(List.of("c1", "c2", "c7"));
        }
    }

    @Test
    void aSegmentWhoseNameCannotBeMadeDurableIsRemovedAndTheJournalRollsOnceItCan() throws IOException {
        boolean[] failSync = {false};
        SegmentFiles files = new SegmentFiles() {
            @Override
            public FileChannel create(Path file) throws IOException {
                return SegmentFiles.DISK.create(file);
            }

            @Override
            public void syncDirectory(Path directory) throws IOException {
                if (failSync[0]) {
                    throw new IOException("input/output error");
                }
                SegmentFiles.super.syncDirectory(directory);
            }
        };
        try (ClickJournal journal = ClickJournal.open(root, 300, files)) {
            append(journal, 1, 1);
            failSync[0] = true;
            append(journal, 2, 4);
            assertThat(segments(journal))
                    .as("the segment that could not be made durable is gone")
                    .hasSize(1);
            failSync[0] = false;
            for (int n = 6; n <= 12; n += 2) {
                append(journal, n, 2);
            }
            journal.sync();

            assertThat(segments(journal)).as("the journal rolls on").hasSizeGreaterThanOrEqualTo(3);
            assertThat(readAll(journal))
                    .isEqualTo(
                            IntStream.rangeClosed(1, 13).mapToObj(n -> "c" + n).toList());
        }
    }

    private static List<Path> segments(ClickJournal journal) throws IOException {
        try (Stream<Path> files = Files.list(journal.directory())) {
            return files.filter(file -> file.getFileName().toString().matches("\\d{20}\\..*"))
                    .toList();
        }
    }

    private static void append(ClickJournal journal, int first, int count) throws IOException {
        CopyText lines = new CopyText(64);
        for (int n = first; n < first + count; n++) {
            ClickRecords.append(lines, new Click(n, null, "c" + n, "https://e.example/" + n, "r", "a", n));
        }
        journal.append(lines, count, first);
    }

    /** The short codes of every click the reader finds, in order, up to the synced end. */
    private static List<String> readAll(ClickJournal journal) throws IOException {
        JournalReader reader = new JournalReader(journal, 16);
        List<String> codes = new ArrayList<>();
        Position at = journal.start(new Position(0, 0));
        for (int reads = 0; at.compareTo(journal.synced()) < 0 && reads < 100; reads++) {
            Chunk chunk = reader.read(at, 100);
            ClickRecords.read(reader.bytes(), chunk.length(), chunk.clicks()).stream()
                    .map(Click::shortCode)
                    .forEach(codes::add);
            at = chunk.to();
        }
        return codes;
    }

    /** A segment's file whose next write stops after a few bytes and whose truncate then fails. */
    private static final class FailingChannel extends FileChannel {

        private final FileChannel file;
        boolean failNextWriteAndTruncate;

        FailingChannel(FileChannel file) {
            this.file = file;
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
            if (failNextWriteAndTruncate) {
                ByteBuffer part = sources[offset].duplicate();
                part.limit(part.position() + 10);
                file.write(part);
                throw new IOException("input/output error");
            }
            return file.write(sources, offset, length);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            if (failNextWriteAndTruncate) {
                failNextWriteAndTruncate = false;
                throw new IOException("input/output error");
            }
            file.truncate(size);
            return this;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            return file.write(source);
        }

        @Override
        public int read(ByteBuffer target) throws IOException {
            return file.read(target);
        }

        @Override
        public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
            return file.read(targets, offset, length);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long position) throws IOException {
            file.position(position);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public void force(boolean metaData) throws IOException {
            file.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel source, long position, long count) throws IOException {
            return file.transferFrom(source, position, count);
        }

        @Override
        public int read(ByteBuffer target, long position) throws IOException {
            return file.read(target, position);
        }

        @Override
        public int write(ByteBuffer source, long position) throws IOException {
            return file.write(source, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return file.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
