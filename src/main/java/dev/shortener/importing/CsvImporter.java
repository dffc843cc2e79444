package dev.shortener.importing;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Imports a CSV file of one entity synchronously: streams its records, validates each row, and
 * hands the valid rows to the {@link ChunkLoader} a chunk at a time. A bad row never stops the
 * file; the report lists it by line. Only a file that stops being CSV stops early, after importing
 * everything before the broken record.
 */
@Component
class CsvImporter {

    private final ChunkLoader loader;
    private final ImportSettings settings;

    CsvImporter(ChunkLoader loader, ImportSettings settings) {
        this.loader = loader;
        this.settings = settings;
    }

    /** Reads the stream as UTF-8 (a byte-order mark is dropped). */
    ImportReport importFile(Entity entity, InputStream in) {
        return importFile(entity, new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    ImportReport importFile(Entity entity, Reader in) {
        Tally tally = new Tally(settings.maxReportedErrors());
        Chunk chunk = new Chunk();
        try (CsvFile file = new CsvFile(in)) {
            try {
                read(entity, file, chunk, tally);
            } catch (CsvFile.Malformed e) {
                chunk.reject(e.line(), "is not valid CSV (" + e.getMessage() + "); the rest of the file was not read");
            }
            flush(entity, chunk, tally);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tally.report();
    }

    private void read(Entity entity, CsvFile file, Chunk chunk, Tally tally) throws CsvFile.Malformed {
        CsvFile.Record header = file.header();
        if (header == null) {
            chunk.reject(1, "the file is empty: a header row naming the columns is required");
            return;
        }
        String headerProblem = headerProblem(entity, header.values());
        if (headerProblem != null) {
            chunk.reject(header.line(), headerProblem);
            return;
        }
        Map<String, Integer> columns = file.columns();
        int width = header.values().size();
        for (CsvFile.Record record = file.next(); record != null; record = file.next()) {
            if (record.isBlank()) {
                continue;
            }
            if (record.values().size() != width) {
                chunk.reject(
                        record.line(),
                        "has " + record.values().size() + " values but the header has " + width + " columns");
            } else {
                CsvLine line = new CsvLine(record.line(), columns, record.values());
                Row row = entity.read(line);
                if (row == null) {
                    chunk.reject(line.line(), line.problems());
                } else {
                    chunk.rows.add(row);
                }
            }
            if (chunk.size() >= settings.chunkSize()) {
                flush(entity, chunk, tally);
            }
        }
    }

    private static @Nullable String headerProblem(Entity entity, List<String> header) {
        Set<String> seen = new HashSet<>();
        for (String name : header) {
            if (!name.isEmpty() && !seen.add(name)) {
                return "the header names the column " + name + " twice";
            }
        }
        List<String> missing = entity.missingColumns(header);
        if (!missing.isEmpty()) {
            return "the header lacks the required column" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + " (it has " + String.join(", ", header) + ")";
        }
        return null;
    }

    private void flush(Entity entity, Chunk chunk, Tally tally) {
        ChunkLoader.Outcome outcome = loader.load(entity, chunk.rows);
        tally.add(outcome.imported(), merge(chunk.rejected, outcome.failures()));
        chunk.rows.clear();
        chunk.rejected.clear();
    }

    /** Merges two lists of failures, each in line order, into one in line order. */
    private static List<RowFailure> merge(List<RowFailure> a, List<RowFailure> b) {
        List<RowFailure> merged = new ArrayList<>(a.size() + b.size());
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (j == b.size() || (i < a.size() && a.get(i).line() <= b.get(j).line())) {
                merged.add(a.get(i++));
            } else {
                merged.add(b.get(j++));
            }
        }
        return merged;
    }

    /** Valid rows waiting to be loaded and the rows refused since the last load. */
    private static final class Chunk {
        final List<Row> rows = new ArrayList<>();
        final List<RowFailure> rejected = new ArrayList<>();

        void reject(long line, String message) {
            rejected.add(new RowFailure(line, message));
        }

        int size() {
            return rows.size() + rejected.size();
        }
    }

    /** Running totals of a file, keeping the first failures for the report. */
    private static final class Tally {
        private final int maxReported;
        private final List<RowFailure> reported = new ArrayList<>();
        private long imported;
        private long failed;

        Tally(int maxReported) {
            this.maxReported = maxReported;
        }

        void add(int importedRows, List<RowFailure> failures) {
            imported += importedRows;
            failed += failures.size();
            for (RowFailure failure : failures) {
                if (reported.size() < maxReported) {
                    reported.add(failure);
                }
            }
        }

        ImportReport report() {
            return new ImportReport(imported, failed, reported);
        }
    }
}
