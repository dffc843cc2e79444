package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.JournalReader.Chunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
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
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Properties of the journal's records and of the COPY lines they hold, over generated clicks. */
class ClickJournalTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

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
    void aClicksCopyLineRoundTripsAnyReferrerAndUserAgent(
            @ForAll("headers") String referrer, @ForAll("agents") @Nullable String userAgent, @ForAll long at)
            throws IOException {
        long atMillis = Math.floorMod(at, 4_000_000_000_000L);
        Click click = new Click(42, 7L, "Ab_-9", "https://example.com/?q=\"x\"", referrer, userAgent, atMillis);
        CopyText text = new CopyText(16);

        ClickCsv.append(text, click);

        String line = new String(text.bytes(), 0, text.length(), StandardCharsets.UTF_8);
        List<CSVRecord> rows = CSVFormat.DEFAULT.parse(new StringReader(line)).getRecords();
        assertThat(rows).hasSize(1);
        CSVRecord row = rows.getFirst();
        assertThat(row.get(0)).isEqualTo("42");
        assertThat(row.get(1)).isEqualTo("7");
        assertThat(row.get(2)).isEqualTo("click");
        JsonNode details = JSON.readTree(row.get(4));
        assertThat(details.get("short_code").asString()).isEqualTo("Ab_-9");
        assertThat(details.get("original_url").asString()).isEqualTo("https://example.com/?q=\"x\"");
        assertThat(details.get("referrer").asString()).isEqualTo(stored(referrer));
        if (userAgent == null) {
            assertThat(details.get("user_agent").isNull()).isTrue();
        } else {
            assertThat(details.get("user_agent").asString()).isEqualTo(stored(userAgent));
        }
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
                        ClickCsv.append(lines, new Click(n, null, "c" + n, "https://e.example/" + n, "r", "a", n));
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
