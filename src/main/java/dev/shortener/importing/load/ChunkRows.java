package dev.shortener.importing.load;

import dev.shortener.importing.csv.ChunkCodec;
import dev.shortener.importing.csv.CsvFile;
import dev.shortener.link.Destination;
import dev.shortener.link.Destinations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The records of a chunk read as rows of its entity: the valid rows to load and the records refused
 * before loading. Every failure is stored with its record, as CSV.
 */
public final class ChunkRows {

    /** A failed row to record: its line, the record as CSV (null when unreadable) and why. */
    public record Failure(long line, @Nullable String rawRow, String reason) {

        public Failure {
            rawRow = rawRow == null ? null : storable(rawRow);
            reason = storable(reason);
        }

        /** The text without NUL characters, which PostgreSQL text cannot hold. */
        public static String storable(String text) {
            return text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<Failure> refused = new ArrayList<>();
    private final List<CsvFile.Record> records;

    private ChunkRows(List<CsvFile.Record> records) {
        this.records = records;
    }

    /**
     * Reads records of a file whose header is given in its stored form (CSV of normalized column
     * names); the targets of links must pass the destination policy as they do in the API.
     */
    public static ChunkRows read(
            Entity entity, String header, List<CsvFile.Record> records, Destinations destinations) {
        List<String> names = parseHeader(header);
        Map<String, Integer> columns = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            columns.putIfAbsent(names.get(i), i);
        }
        ChunkRows chunk = new ChunkRows(records);
        for (CsvFile.Record record : records) {
            if (record.values().size() != names.size()) {
                chunk.refused.add(new Failure(
                        record.line(),
                        ChunkCodec.encode(record.values()),
                        "has " + record.values().size() + " values but the header has " + names.size() + " columns"));
                continue;
            }
            CsvLine line = new CsvLine(record.line(), columns, record.values());
            Row row = entity.read(line);
            if (row instanceof UrlRow url) {
                Destination.Verdict verdict = destinations.judge(url.originalUrl());
                if (verdict.accepted()) {
                    row = url.withOriginalUrl(Objects.requireNonNull(verdict.url()));
                } else {
                    line.reject("original_url", verdict.message());
                    row = null;
                }
            }
            if (row == null) {
                chunk.refused.add(new Failure(record.line(), ChunkCodec.encode(record.values()), line.problems()));
            } else {
                chunk.rows.add(row);
            }
        }
        return chunk;
    }

    private static List<String> parseHeader(String header) {
        try {
            List<CsvFile.Record> names = CsvFile.records(header, 1, 1);
            return names.isEmpty() ? List.of() : names.getFirst().values();
        } catch (CsvFile.Malformed e) {
            throw new IllegalStateException("A stored header cannot be read back", e);
        }
    }

    public List<Row> rows() {
        return rows;
    }

    /**
     * Every failure of the chunk, in line order: the records refused before loading and the rows
     * the loader refused.
     */
    public List<Failure> failures(List<RowFailure> loaderFailures) {
        List<Failure> all = new ArrayList<>(refused.size() + loaderFailures.size());
        all.addAll(refused);
        Map<Long, List<String>> valuesByLine = new HashMap<>();
        if (!loaderFailures.isEmpty()) {
            records.forEach(record -> valuesByLine.put(record.line(), record.values()));
        }
        for (RowFailure failure : loaderFailures) {
            List<String> values = valuesByLine.get(failure.line());
            all.add(new Failure(failure.line(), values == null ? null : ChunkCodec.encode(values), failure.message()));
        }
        all.sort(java.util.Comparator.comparingLong(Failure::line));
        return all;
    }
}
