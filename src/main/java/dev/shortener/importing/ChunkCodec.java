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
 * How the records of a chunk are stored: the bytes of the file's lines that hold them, as they
 * were uploaded (cut by {@link CsvSplitter}), with the line of the file the first byte is on. A
 * chunk read back anywhere therefore gives the records and the lines of the original file. Halves
 * of a split chunk are written again record by record, with blank lines keeping each record on its
 * line.
 */
final class ChunkCodec {

    private ChunkCodec() {}

    /** Writes records again as a chunk: a half of a chunk that is split. */
    static final class Builder {

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        private final Writer out = new OutputStreamWriter(bytes, StandardCharsets.UTF_8);
        private int records;
        private long firstLine;
        private long nextLine;

        void add(CsvFile.Record record) {
            if (records == 0) {
                firstLine = record.line();
                nextLine = firstLine;
            }
            try {
                for (; nextLine < record.line(); nextLine++) {
                    out.write('\n');
                }
                String text = encode(record.values());
                out.write(text);
                out.write('\n');
                nextLine += lineBreaks(text) + 1;
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

        /** The stored form of the records added. */
        byte[] take() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
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

    /** Reads a stored chunk back into its records (blank lines skipped), each with its line of the file. */
    static List<CsvFile.Record> decode(byte[] content, long firstLine) {
        for (byte b : content) {
            if (b == '"') {
                return decodeWithParser(content, firstLine);
            }
        }
        return decodeUnquoted(new String(content, StandardCharsets.UTF_8), firstLine);
    }

    /**
     * Reads a chunk without any quote character, as the CSV parser would read it: every line break
     * (CR, LF or CRLF) ends a record and every comma ends a value, values are kept as they are. Most
     * files quote nothing, and this costs a third of the parser.
     */
    static List<CsvFile.Record> decodeUnquoted(String text, long firstLine) {
        List<CsvFile.Record> records = new ArrayList<>();
        List<String> values = new ArrayList<>();
        long line = firstLine;
        int length = text.length();
        int start = 0;
        int position = 0;
        while (position < length) {
            char c = text.charAt(position);
            if (c == ',') {
                values.add(text.substring(start, position));
                start = ++position;
            } else if (c == '\n' || c == '\r') {
                values.add(text.substring(start, position));
                addUnlessBlank(records, line, values);
                values = new ArrayList<>();
                position += c == '\r' && position + 1 < length && text.charAt(position + 1) == '\n' ? 2 : 1;
                start = position;
                line++;
            } else {
                position++;
            }
        }
        if (start < length || !values.isEmpty()) {
            values.add(text.substring(start, length));
            addUnlessBlank(records, line, values);
        }
        return records;
    }

    private static void addUnlessBlank(List<CsvFile.Record> records, long line, List<String> values) {
        CsvFile.Record record = new CsvFile.Record(line, values);
        if (!record.isBlank()) {
            records.add(record);
        }
    }

    /** Reads a chunk with the CSV parser. */
    static List<CsvFile.Record> decodeWithParser(byte[] content, long firstLine) {
        List<CsvFile.Record> records = new ArrayList<>();
        try (CsvFile file = new CsvFile(
                new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.UTF_8), firstLine)) {
            for (CsvFile.Record record = file.next(); record != null; record = file.next()) {
                if (!record.isBlank()) {
                    records.add(record);
                }
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
