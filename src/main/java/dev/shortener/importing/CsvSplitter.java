package dev.shortener.importing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Cuts a CSV file into chunks of whole records without parsing their values: a scan of the bytes
 * that follows quotes and line breaks (RFC 4180 as {@link CsvFile} reads it; UTF-8 never puts
 * these ASCII bytes inside a multi-byte character) and copies each chunk's bytes as they are. A
 * chunk therefore reads back exactly as the same lines of the file would, blank lines and line
 * numbers included; parsing and validation happen once, when a worker loads the chunk.
 *
 * <p>The scan stops where the file stops being CSV, as the parser would: at an unclosed quote, at
 * a character between a closing quote and the next separator, or at a record longer than {@link
 * CsvFile#MAX_RECORD_CHARS} bytes.
 */
final class CsvSplitter {

    /** Receives each chunk: the line of its first byte, its records (blank ones not counted), its bytes. */
    @FunctionalInterface
    interface Sink {
        void chunk(long firstLine, int records, byte[] content);
    }

    /** A record as text, with the line it starts on. */
    record Text(long line, String text) {}

    /**
     * A chunk ends at this many bytes even when it holds fewer records than the chunk size, so that
     * a chunk of long records stays small in memory wherever it is read.
     */
    static final int MAX_CHUNK_BYTES = 4 << 20;

    private static final int BUFFER = 1 << 16;

    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;
    /** The physical line of the next byte, counting the header as line 1. */
    private long line = 1;

    private byte previous;
    /** What the last scanned record holds, to tell blank ones without decoding every record. */
    private boolean separated;

    private boolean quoteSeen;
    private boolean printable;

    CsvSplitter(InputStream in) {
        this.in = in;
    }

    /** The first record that is not blank, as text, or null when the file holds none. */
    @Nullable
    Text header() throws CsvFile.Malformed {
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        while (true) {
            record.reset();
            long start = line;
            boolean more = scanRecord(record);
            if (!lastIsBlank(record)) {
                return new Text(start, record.toString(StandardCharsets.UTF_8));
            }
            if (!more) {
                return null;
            }
        }
    }

    /** {@link #split(int, int, Sink)} with chunks of at most about {@link #MAX_CHUNK_BYTES}. */
    @Nullable
    RowFailure split(int chunkSize, Sink sink) {
        return split(chunkSize, MAX_CHUNK_BYTES, sink);
    }

    /**
     * Passes the records after the header to the sink, {@code chunkSize} records a chunk, or fewer
     * when the chunk reaches {@code maxChunkBytes} first (a chunk always holds at least one record).
     * Returns the failure of the record where the file stopped being CSV, or null.
     */
    @Nullable
    RowFailure split(int chunkSize, int maxChunkBytes, Sink sink) {
        ByteArrayOutputStream chunk = new ByteArrayOutputStream(BUFFER);
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        long chunkLine = line;
        int records = 0;
        try {
            boolean more = true;
            while (more) {
                record.reset();
                long start = line;
                more = scanRecord(record);
                if (!lastIsBlank(record)) {
                    if (records == 0) {
                        chunkLine = start;
                        chunk.reset();
                    }
                    append(chunk, record);
                    records++;
                    if (records >= chunkSize || chunk.size() >= maxChunkBytes) {
                        sink.chunk(chunkLine, records, chunk.toByteArray());
                        records = 0;
                    }
                } else if (records > 0) {
                    // a blank line inside a chunk keeps the lines after it where they are
                    append(chunk, record);
                }
            }
        } catch (CsvFile.Malformed e) {
            flush(sink, chunkLine, records, chunk);
            return new RowFailure(
                    e.line(), "is not valid CSV (" + e.getMessage() + "); the rest of the file was not read");
        }
        flush(sink, chunkLine, records, chunk);
        return null;
    }

    private static void append(ByteArrayOutputStream chunk, ByteArrayOutputStream record) {
        try {
            record.writeTo(chunk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void flush(Sink sink, long line, int records, ByteArrayOutputStream chunk) {
        if (records > 0) {
            sink.chunk(line, records, chunk.toByteArray());
        }
    }

    /**
     * Copies one record with its line break, if any, into {@code out}; false when the file ended
     * (after the record copied, if any).
     */
    private boolean scanRecord(ByteArrayOutputStream out) throws CsvFile.Malformed {
        long start = line;
        boolean fieldStart = true;
        boolean quoted = false;
        boolean afterQuote = false;
        boolean crEnded = false;
        long size = 0;
        separated = false;
        quoteSeen = false;
        printable = false;
        while (true) {
            if (position == limit && !fill()) {
                if (quoted) {
                    throw new CsvFile.Malformed(start, "EOF reached before encapsulated token finished");
                }
                return false;
            }
            int from = position;
            boolean ended = false;
            while (position < limit && !ended) {
                byte b = buffer[position++];
                if (b == '\r' || (b == '\n' && previous != '\r')) {
                    line++;
                }
                previous = b;
                if (quoted) {
                    if (b == '"') {
                        quoted = false;
                        afterQuote = true;
                    }
                    continue;
                }
                if (afterQuote) {
                    if (b == '"') {
                        // a doubled quote inside a quoted value
                        quoted = true;
                        afterQuote = false;
                        continue;
                    }
                    if (isSpace(b)) {
                        continue;
                    }
                    if (b != ',' && b != '\r' && b != '\n') {
                        throw new CsvFile.Malformed(start, "invalid char between encapsulated token and delimiter");
                    }
                    afterQuote = false;
                }
                switch (b) {
                    case ',' -> {
                        fieldStart = true;
                        separated = true;
                    }
                    case '\n' -> ended = true;
                    case '\r' -> {
                        ended = true;
                        crEnded = true;
                    }
                    case '"' -> {
                        quoted = fieldStart;
                        quoteSeen = true;
                        fieldStart = false;
                        printable = true;
                    }
                    default -> {
                        fieldStart = false;
                        printable |= !isSpace(b);
                    }
                }
            }
            out.write(buffer, from, position - from);
            size += position - from;
            if (size > CsvFile.MAX_RECORD_CHARS) {
                throw new CsvFile.Malformed(start, "a record is longer than " + CsvFile.MAX_RECORD_CHARS + " bytes");
            }
            if (ended) {
                if (crEnded) {
                    takeLineFeed(out);
                }
                return true;
            }
        }
    }

    /** The LF of a CRLF belongs to the record the CR ended. */
    private void takeLineFeed(ByteArrayOutputStream out) {
        if ((position < limit || fill()) && buffer[position] == '\n') {
            position++;
            previous = '\n';
            out.write('\n');
        }
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == 0x0B || b == '\f' || (b >= 0x1C && b <= 0x1F);
    }

    private boolean fill() {
        try {
            int n = in.read(buffer, 0, buffer.length);
            position = 0;
            limit = Math.max(n, 0);
            return n > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Blank as {@link CsvFile.Record#isBlank()} tells: no value, or one value of whitespace only. */
    private boolean lastIsBlank(ByteArrayOutputStream record) {
        if (separated || !printable) {
            return !separated;
        }
        if (!quoteSeen) {
            return false;
        }
        // one quoted value: rare enough to parse
        try (CsvFile file = new CsvFile(new StringReader(record.toString(StandardCharsets.UTF_8)))) {
            CsvFile.Record parsed = file.next();
            return parsed == null || parsed.isBlank();
        } catch (IOException | CsvFile.Malformed e) {
            return false;
        }
    }
}
