package dev.shortener.importing.csv;

import java.io.Closeable;
import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;

/**
 * A CSV file read one record at a time, never whole: RFC 4180 with a header row naming the
 * columns (trimmed, lower-cased, a byte-order mark dropped). Every record knows the physical line
 * it starts on, counting the header as line 1, blank lines and line breaks inside quoted values.
 * The only CSV parser of imports (Commons CSV): uploads are cut into chunks with it ({@link
 * #text}) and chunks are read back with it.
 */
public final class CsvFile implements Closeable {

    /** A record longer than this is refused rather than held in memory. */
    public static final int MAX_RECORD_CHARS = 1 << 20;

    private static final CSVFormat FORMAT =
            CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();

    /** A record: the line it starts on and its raw values. */
    public record Record(long line, List<String> values) {

        public boolean isBlank() {
            return values.isEmpty() || (values.size() == 1 && values.getFirst().isBlank());
        }
    }

    /** The file stops being readable CSV at {@code line}; nothing after it can be read. */
    public static final class Malformed extends Exception {

        private final long line;

        public Malformed(long line, String message) {
            super(message, null, false, false);
            this.line = line;
        }

        public long line() {
            return line;
        }
    }

    private final Input input;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final long firstLine;
    private @Nullable Record header;

    private long position;

    public CsvFile(Reader reader) {
        this(reader, 1, false);
    }

    /**
     * A part of a file whose first line is line {@code firstLine} of the file; {@code keepText}
     * keeps the text read for {@link #text}.
     */
    public CsvFile(Reader reader, long firstLine, boolean keepText) {
        this.firstLine = firstLine;
        this.input = new Input(reader, keepText);
        try {
            this.parser = FORMAT.parse(input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.records = parser.iterator();
    }

    /**
     * The header record with normalized column names, or null when the file has no record at all.
     * Must be called before {@link #next()}.
     */
    @Nullable
    public Record header() throws Malformed {
        Record first;
        do {
            first = next();
        } while (first != null && first.isBlank());
        if (first == null) {
            return null;
        }
        List<String> names = new ArrayList<>(first.values().size());
        for (String name : first.values()) {
            String unmarked = names.isEmpty() && name.startsWith("\uFEFF") ? name.substring(1) : name;
            names.add(unmarked.strip().toLowerCase(Locale.ROOT));
        }
        header = new Record(first.line(), List.copyOf(names));
        return header;
    }

    /** Column name to position; a name repeated in the header maps to its first position. */
    public Map<String, Integer> columns() {
        Map<String, Integer> columns = new LinkedHashMap<>();
        List<String> names = header == null ? List.of() : header.values();
        for (int i = 0; i < names.size(); i++) {
            columns.putIfAbsent(names.get(i), i);
        }
        return columns;
    }

    /**
     * The first {@code max} records of a text that are not blank (fewer at its end), the first
     * starting on line {@code firstLine}; nothing after them is read.
     */
    public static List<Record> records(String text, long firstLine, int max) throws Malformed {
        List<Record> read = new ArrayList<>();
        try (CsvFile file = new CsvFile(new StringReader(text), firstLine, false)) {
            while (read.size() < max) {
                Record record = file.next();
                if (record == null) {
                    break;
                }
                if (!record.isBlank()) {
                    read.add(record);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return read;
    }

    /** The next record, or null at the end of the file. */
    @Nullable
    public Record next() throws Malformed {
        long line = parser.getCurrentLineNumber() + firstLine;
        input.startRecord();
        try {
            if (!records.hasNext()) {
                return null;
            }
            CSVRecord record = records.next();
            position = record.getCharacterPosition();
            List<String> values = record.toList();
            if (values.stream().mapToLong(String::length).sum() > MAX_RECORD_CHARS) {
                throw new Malformed(line, "a record is longer than " + MAX_RECORD_CHARS + " characters");
            }
            return new Record(line, values);
        } catch (UncheckedIOException e) {
            throw new Malformed(line, reason(e));
        }
    }

    /** Where the last record returned starts: its first character's position in the text. */
    long position() {
        return position;
    }

    /** How many characters the parser has read so far (it reads ahead of the records it returned). */
    long read() {
        return input.read;
    }

    /**
     * The text from position {@code from} to {@code to}, as UTF-8; the text before {@code to} is
     * dropped and cannot be asked for again. Only for a file that keeps its text.
     */
    byte[] text(long from, long to) {
        StringBuilder kept = input.kept;
        int start = (int) (from - input.keptFrom);
        int end = (int) (to - input.keptFrom);
        byte[] text = kept.substring(start, end).getBytes(StandardCharsets.UTF_8);
        kept.delete(0, end);
        input.keptFrom = to;
        return text;
    }

    private static String reason(UncheckedIOException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = String.valueOf(cause.getMessage());
        // commons-csv names the place in its own counts; the caller reports the line
        return message.replaceFirst("^\\(startline \\d+\\)\\s*", "")
                .replaceFirst(" at line: \\d+, position: \\d+$", "");
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    /**
     * Refuses to read more than {@link #MAX_RECORD_CHARS} characters for one record, and keeps
     * the text read when asked to.
     */
    private static final class Input extends FilterReader {

        private final StringBuilder kept = new StringBuilder();
        private final boolean keepText;
        private long keptFrom;
        private long read;
        private long sinceRecordStart;

        Input(Reader in, boolean keepText) {
            super(in);
            this.keepText = keepText;
        }

        void startRecord() {
            sinceRecordStart = 0;
        }

        @Override
        public int read() throws IOException {
            char[] one = new char[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                read += n;
                sinceRecordStart += n;
                if (keepText) {
                    kept.append(buffer, offset, n);
                }
                // the parser reads ahead by its buffer, so allow a little more than the limit
                if (sinceRecordStart > MAX_RECORD_CHARS + 65_536L) {
                    throw new IOException("a record is longer than " + MAX_RECORD_CHARS + " characters");
                }
            }
            return n;
        }
    }
}
