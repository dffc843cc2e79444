package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.JournalReader.Chunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jspecify.annotations.Nullable;

/** Properties of the journal's records and of the clicks they hold, over generated clicks. */
class ClickJournalTest {

    @Provide
    Arbitrary<String> headers() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.strings()
                        .withChars("\"\\,\n\r\t\0é✓\uD83D\uDE00\uD800x")
                        .ofMaxLength(20));
    }

    @Provide
    Arbitrary<String> agents() {
        return headers().injectNull(0.1);
    }

    /** What PostgreSQL is meant to store of a header: NUL dropped, a lone surrogate replaced. */
    private static String stored(String header) {
        StringBuilder kept = new StringBuilder();
        header.codePoints()
                .filter(c -> c != 0)
                .map(c -> Character.isSurrogate((char) c) && c < 0x10000 ? 0xFFFD : c)
                .forEach(kept::appendCodePoint);
        return kept.toString();
    }

    @Property(tries = 1000)
    void aClicksRecordRoundTripsAnyReferrerAndUserAgent(
            @ForAll("headers") String referrer,
            @ForAll("agents") @Nullable String userAgent,
            @ForAll long at,
            @ForAll boolean owned) {
        Long userId = owned ? 7L : null;
        Click click = new Click(42, userId, "Ab_-9", "https://example.com/?q=\"x\"", referrer, userAgent, at);
        CopyText records = new CopyText(16);
        // one before it, so that it starts inside the buffer as the loader's chunks do
        ClickRecords.append(records, new Click(1, 2L, "a", "b", null, null, 3));

        ClickRecords.append(records, click);

        assertThat(ClickRecords.read(records.bytes(), records.length(), 2))
                .containsExactly(
                        new Click(1, 2L, "a", "b", null, null, 3),
                        new Click(
                                42,
                                userId,
                                "Ab_-9",
                                "https://example.com/?q=\"x\"",
                                stored(referrer),
                                userAgent == null ? null : stored(userAgent),
                                at));
    }

    @Property(tries = 300)
    void everyRecordWrittenBeforeACutIsReadBackAndNothingAfterIt(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 6) Integer> recordSizes,
            @ForAll @IntRange(min = 0, max = 100_000) int cutSeed)
            throws IOException {
        Path root = Files.createTempDirectory("journal-property");
        try {
            // write the records, remembering where each one ends
            List<byte[]> written = new ArrayList<>();
            List<Long> ends = new ArrayList<>();
            Path segment;
            try (ClickJournal journal = ClickJournal.open(root, Long.MAX_VALUE, SegmentFiles.DISK)) {
                int n = 0;
                for (int size : recordSizes) {
                    CopyText lines = new CopyText(64);
                    for (int i = 0; i < size; i++) {
                        n++;
                        ClickRecords.append(lines, new Click(n, null, "c" + n, "https://e.example/" + n, "r", "a", n));
                    }
                    journal.append(lines, size, n);
                    written.add(java.util.Arrays.copyOf(lines.bytes(), lines.length()));
                    journal.sync();
                    ends.add(journal.synced().offset());
                }
                segment = journal.directory()
                        .resolve("%020d.clicks".formatted(journal.synced().segment()));
            }
            long total = ends.getLast();
            long cut = cutSeed % (total + 1);
            try (var channel = Files.newByteChannel(segment, StandardOpenOption.WRITE)) {
                channel.truncate(cut);
            }

            ByteArrayOutputStream read = new ByteArrayOutputStream();
            int clicks = 0;
            boolean torn = false;
            try (ClickJournal journal = ClickJournal.open(root, Long.MAX_VALUE, SegmentFiles.DISK)) {
                JournalReader reader = new JournalReader(journal, 16);
                Position at = journal.start(new Position(0, 0));
                while (at.segment() < journal.synced().segment()) {
                    Chunk chunk = reader.read(at, 3);
                    read.write(reader.bytes(), 0, chunk.length());
                    clicks += chunk.clicks();
                    torn |= chunk.torn();
                    at = chunk.to();
                }
            }

            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            int wholeClicks = 0;
            boolean cutInside = cut > 0 && !ends.contains(cut);
            for (int i = 0; i < ends.size() && ends.get(i) <= cut; i++) {
                whole.write(written.get(i));
                wholeClicks += recordSizes.get(i);
            }
            assertThat(read.toByteArray()).isEqualTo(whole.toByteArray());
            assertThat(clicks).isEqualTo(wholeClicks);
            assertThat(torn).as("a record cut in its middle is reported").isEqualTo(cutInside);
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
            }
        }
    }
}
