package dev.shortener.importing.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Chunks cut from an upload read back as the same records, on the same lines, as the whole file. */
class ChunkCodecTest {

    private record Split(
            CsvFile.Record header,
            List<byte[]> chunks,
            List<Long> firstLines,
            List<Integer> counts,
            int records,
            CsvFile.Malformed unreadable) {}

    private static Split split(String csv, int chunkSize) throws Exception {
        return split(csv, chunkSize, ChunkCodec.MAX_CHUNK_CHARS);
    }

    private static Split split(String csv, int chunkSize, int maxChars) throws Exception {
        CsvFile upload = ChunkCodec.upload(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        CsvFile.Record header = upload.header();
        List<byte[]> chunks = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        CsvFile.Malformed unreadable = header == null
                ? null
                : ChunkCodec.cut(upload, chunkSize, maxChars, (firstLine, count, content) -> {
                    chunks.add(content);
                    lines.add(firstLine);
                    counts.add(count);
                });
        int records = counts.stream().mapToInt(Integer::intValue).sum();
        return new Split(header, chunks, lines, counts, records, unreadable);
    }

    /** The records after the header as the CSV parser reads the whole file, blank ones left out. */
    private static List<CsvFile.Record> parsed(String csv) throws Exception {
        List<CsvFile.Record> records = new ArrayList<>();
        try (CsvFile file = new CsvFile(new StringReader(csv))) {
            file.header();
            for (CsvFile.Record record = file.next(); record != null; record = file.next()) {
                if (!record.isBlank()) {
                    records.add(record);
                }
            }
        }
        return records;
    }

    private static List<CsvFile.Record> readBack(Split split) {
        List<CsvFile.Record> records = new ArrayList<>();
        for (int i = 0; i < split.chunks().size(); i++) {
            records.addAll(ChunkCodec.decode(
                    split.chunks().get(i),
                    split.firstLines().get(i),
                    split.counts().get(i)));
        }
        return records;
    }

    @Test
    void quotedLineBreaksBlankLinesAndEveryKindOfLineEndKeepTheirLines() throws Exception {
        String csv = "\n  \nid,name,note\r\n1,ada,\"two\nlines\"\n\n2,bob,\"say \"\"hi\"\"\"\r3,cy,plain\r\n"
                + "   \n\"\"\n4,\"dee\" ,x\n5,é,\"a,b\"\n6,last,no-newline";

        Split split = split(csv, 2);

        assertThat(split.header().line()).isEqualTo(3);
        assertThat(split.header().values()).containsExactly("id", "name", "note");
        assertThat(readBack(split)).isEqualTo(parsed(csv));
        assertThat(split.records()).isEqualTo(6);
        assertThat(split.chunks()).hasSize(3);
        assertThat(readBack(split)).extracting(CsvFile.Record::line).containsExactly(4L, 7L, 8L, 11L, 12L, 13L);
        assertThat(split.unreadable()).isNull();
    }

    @Test
    void randomFilesReadBackExactlyAsTheParserReadsThemWhole() throws Exception {
        Random random = new Random(7);
        String[] pieces = {"a", "bc", " ", "é", "\"", ",", "\n", "\r\n", "\r", "x y", "😀"};
        for (int file = 0; file < 200; file++) {
            StringBuilder csv = new StringBuilder("h1,h2,h3\n");
            int rows = random.nextInt(40);
            for (int row = 0; row < rows; row++) {
                if (random.nextInt(10) == 0) {
                    csv.append(random.nextBoolean() ? "\n" : "  \r\n");
                    continue;
                }
                for (int column = 0; column < 3; column++) {
                    if (column > 0) {
                        csv.append(',');
                    }
                    StringBuilder value = new StringBuilder();
                    for (int n = random.nextInt(4); n > 0; n--) {
                        value.append(pieces[random.nextInt(pieces.length)]);
                    }
                    String text = value.toString();
                    boolean needsQuotes =
                            text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r");
                    csv.append(needsQuotes ? "\"" + text.replace("\"", "\"\"") + "\"" : text);
                }
                csv.append(random.nextBoolean() ? "\n" : "\r\n");
            }
            String text = csv.toString();

            Split split = split(text, 1 + random.nextInt(5));

            assertThat(readBack(split)).as("file %s:%n%s", file, text).isEqualTo(parsed(text));
            assertThat(split.records()).isEqualTo(parsed(text).size());
        }
    }

    @Test
    void aChunkReadsBackItsRecordsOnTheirLinesAndNothingPastThem() {
        byte[] content = "1,a,b\n\n2,,c\r\n3,d,\n4,\"never closed".getBytes(StandardCharsets.UTF_8);

        assertThat(ChunkCodec.decode(content, 5, 3))
                .containsExactly(
                        new CsvFile.Record(5, List.of("1", "a", "b")),
                        new CsvFile.Record(7, List.of("2", "", "c")),
                        new CsvFile.Record(8, List.of("3", "d", "")));
    }

    @Test
    void aChunkEndsAtItsSizeLimitBeforeItsRecordCount() throws Exception {
        StringBuilder csv = new StringBuilder("a,b\n");
        for (int i = 0; i < 10; i++) {
            csv.append(i).append(",").append("x".repeat(i % 3 == 0 ? 250 : 20)).append("\n");
        }
        Split split = split(csv.toString(), 100, 300);
        split.chunks().forEach(content -> assertThat(content.length).isLessThan(300 + 260));
        List<Integer> sizes = split.counts();
        List<CsvFile.Record> records = readBack(split);

        assertThat(sizes).containsExactly(4, 4, 2);
        assertThat(records).isEqualTo(parsed(csv.toString()));
    }

    @Test
    void anUnclosedQuoteStopsTheFileAtTheRecordItStartsAfterTheRecordsBeforeIt() throws Exception {
        Split split = split("a,b\n1,2\n3,\"open\n4,5\n", 10);

        assertThat(readBack(split)).extracting(CsvFile.Record::line).containsExactly(2L);
        assertThat(split.unreadable().line()).isEqualTo(3);
        assertThat(split.unreadable().getMessage()).isEqualTo("EOF reached before encapsulated token finished");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1,\"x\"y\n", "1,\"x\" y\n"})
    void aCharacterAfterAClosingQuoteStopsTheFile(String record) throws Exception {
        Split split = split("a,b\n0,ok\n" + record + "2,z\n", 10);

        assertThat(readBack(split)).hasSize(1);
        assertThat(split.unreadable().line()).isEqualTo(3);
        assertThat(split.unreadable().getMessage())
                .isEqualTo("Invalid character between encapsulated token and delimiter");
    }

    @Test
    void spacesAfterAClosingQuoteAreAllowed() throws Exception {
        Split split = split("a,b\n\"x\"  ,\"y\" \n", 10);

        assertThat(split.unreadable()).isNull();
        assertThat(readBack(split).getFirst().values()).containsExactly("x", "y");
    }

    @Test
    void aRecordLongerThanTheLimitStopsTheFile() throws Exception {
        Split split = split("a,b\n1,2\n3,\"" + "x".repeat(CsvFile.MAX_RECORD_CHARS + 1) + "\"\n", 10);

        assertThat(readBack(split)).hasSize(1);
        assertThat(split.unreadable().line()).isEqualTo(3);
    }

    @Test
    void aFileOfBlankLinesHasNoHeader() throws Exception {
        assertThat(split("\n \r\n\"\"\n", 10).header()).isNull();
        assertThat(split("", 10).header()).isNull();
    }

    @Test
    void halvesOfAChunkWrittenAgainKeepEveryRecordOnItsLine() throws Exception {
        String csv = "a,b\n1,\"x\ny\"\n\n\n2,\"q\"\"r\"\n3,\"c\rd\"\n4,e\n";
        List<CsvFile.Record> records = readBack(split(csv, 10));
        ChunkCodec.Builder first = new ChunkCodec.Builder();
        ChunkCodec.Builder second = new ChunkCodec.Builder();
        records.subList(0, 2).forEach(first::add);
        records.subList(2, 4).forEach(second::add);

        List<CsvFile.Record> again =
                new ArrayList<>(ChunkCodec.decode(first.take(), first.firstLine(), first.records()));
        again.addAll(ChunkCodec.decode(second.take(), second.firstLine(), second.records()));

        assertThat(again).isEqualTo(records);
        assertThat(again).extracting(CsvFile.Record::line).containsExactly(2L, 6L, 7L, 9L);
    }
}
