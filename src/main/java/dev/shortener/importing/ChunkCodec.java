package dev.shortener.importing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How the records of a chunk are stored: RFC 4180 CSV in UTF-8, each record prefixed by the
 * physical line of the file it starts on, so that a chunk read back anywhere, or split in two,
 * still reports the lines of the original file.
 */
final class ChunkCodec {

    private ChunkCodec() {}

    /** Collects records into the stored form of one chunk. */
    static final class Builder {

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        private final Writer out = new OutputStreamWriter(bytes, StandardCharsets.UTF_8);
        private int records;
        private long firstLine;

        void add(CsvFile.Record record) {
            if (records == 0) {
                firstLine = record.line();
            }
            try {
                out.write(Long.toString(record.line()));
                for (String value : record.values()) {
                    out.write(',');
                    write(out, value);
                }
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            records++;
        }

        int records() {
            return records;
        }

        long firstLine() {
            return firstLine;
        }

        /** The stored form of the records added since the last call; the builder starts empty again. */
        byte[] take() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            byte[] content = bytes.toByteArray();
            bytes.reset();
            records = 0;
            return content;
        }
    }

    /** Reads a stored chunk back into its records, each with its original line. */
    static List<CsvFile.Record> decode(byte[] content) {
        List<CsvFile.Record> records = new ArrayList<>();
        try (CsvFile file =
                new CsvFile(new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.UTF_8))) {
            for (CsvFile.Record stored = file.next(); stored != null; stored = file.next()) {
                List<String> values = stored.values();
                records.add(new CsvFile.Record(Long.parseLong(values.getFirst()), values.subList(1, values.size())));
            }
        } catch (IOException | CsvFile.Malformed | RuntimeException e) {
            throw new IllegalStateException("A stored chunk cannot be read back", e);
        }
        return records;
    }

    /** One record as a line of CSV, without the line break: how a failed row is shown and replayed. */
    static String encode(List<String> values) {
        StringWriter out = new StringWriter();
        try {
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                write(out, values.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A value, quoted only when it holds a separator, a quote or a line break. */
    private static void write(Writer out, String value) throws IOException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                out.write('"');
                out.write(value.replace("\"", "\"\""));
                out.write('"');
                return;
            }
        }
        out.write(value);
    }
}
