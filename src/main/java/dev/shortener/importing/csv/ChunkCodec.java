package dev.shortener.importing.csv;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.jspecify.annotations.Nullable;

/**
 * How the records of a chunk are stored: the text of the file's lines that hold them, as uploaded,
 * with the line of the file the text starts on, so that a chunk read back anywhere gives the
 * records and the lines of the original file. Halves of a split chunk are written again record by
 * record, with blank lines keeping each record on its line.
 */
public final class ChunkCodec {

    /** Receives each chunk: the line it starts on, its records (blank ones not counted), its text. */
    @FunctionalInterface
    public interface Sink {
        void chunk(long firstLine, int records, byte[] content);
    }

    /** A chunk also ends at about this many characters, so that long records make small chunks. */
    public static final int MAX_CHUNK_CHARS = 4 << 20;

    private static final CSVFormat RECORD =
            CSVFormat.RFC4180.builder().setRecordSeparator("").get();

    private ChunkCodec() {}

    /** An upload read for {@link #cut}: its text is kept until it is cut. */
    public static CsvFile upload(InputStream in) {
        return new CsvFile(new InputStreamReader(in, StandardCharsets.UTF_8), 1, true);
    }

    /**
     * Passes the records after the header to the sink, {@code chunkSize} records a chunk or fewer
     * when the chunk reaches {@code maxChunkChars} first. Returns where and why the file stopped
     * being CSV, or null; the chunk before it ends with the text read so far, which {@link
     * #decode} never reads past the chunk's records.
     */
    public static CsvFile.@Nullable Malformed cut(CsvFile upload, int chunkSize, int maxChunkChars, Sink sink) {
        int records = 0;
        long line = 0;
        long start = 0;
        CsvFile.Malformed unreadable = null;
        try {
            for (CsvFile.Record record = upload.next(); record != null; record = upload.next()) {
                if (record.isBlank()) {
                    continue;
                }
                if (records > 0 && (records >= chunkSize || upload.position() - start >= maxChunkChars)) {
                    sink.chunk(line, records, upload.text(start, upload.position()));
                    records = 0;
                }
                if (records++ == 0) {
                    line = record.line();
                    start = upload.position();
                }
            }
        } catch (CsvFile.Malformed e) {
            unreadable = e;
        }
        if (records > 0) {
            sink.chunk(line, records, upload.text(start, upload.read()));
        }
        return unreadable;
    }

    /** Writes records again as a chunk: a half of a chunk that is split. */
    public static final class Builder {

        private final StringBuilder text = new StringBuilder(1 << 16);
        private int records;
        private long firstLine;
        private long nextLine;

        public void add(CsvFile.Record record) {
            if (records++ == 0) {
                firstLine = record.line();
                nextLine = firstLine;
            }
            for (; nextLine < record.line(); nextLine++) {
                text.append('\n');
            }
            String encoded = encode(record.values());
            text.append(encoded).append('\n');
            nextLine += lineBreaks(encoded) + 1;
        }

        public int records() {
            return records;
        }

        public long firstLine() {
            return firstLine;
        }

        public byte[] take() {
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Line breaks as the CSV parser counts them: CR, LF, or CRLF as one. */
    private static int lineBreaks(String text) {
        int breaks = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || (c == '\n' && (i == 0 || text.charAt(i - 1) != '\r'))) {
                breaks++;
            }
        }
        return breaks;
    }

    /** Reads a stored chunk back into its {@code records} records (blank lines skipped), each with its line. */
    public static List<CsvFile.Record> decode(byte[] content, long firstLine, int records) {
        try {
            return CsvFile.records(new String(content, StandardCharsets.UTF_8), firstLine, records);
        } catch (CsvFile.Malformed | RuntimeException e) {
            throw new IllegalStateException("A stored chunk cannot be read back", e);
        }
    }

    /** One record as a line of CSV, without the line break: how a failed row is shown and replayed. */
    public static String encode(List<String> values) {
        StringBuilder out = new StringBuilder();
        try {
            RECORD.printRecord(out, values.toArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
