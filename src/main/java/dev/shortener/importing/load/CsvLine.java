package dev.shortener.importing.load;

import java.time.LocalDateTime;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One record of an import file, read by column name, with typed readers that collect what is
 * wrong with it. Values are trimmed; an empty value or an absent optional column reads as null.
 */
public final class CsvLine {

    private final long line;
    private final Map<String, Integer> columns;
    private final List<String> values;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param line the physical line of the file the record starts on (the header is line 1)
     * @param columns column name to position, from the header
     */
    public CsvLine(long line, Map<String, Integer> columns, List<String> values) {
        this.line = line;
        this.columns = columns;
        this.values = values;
    }

    public long line() {
        return line;
    }

    /** The trimmed value, or null when the column is absent or the value empty. */
    @Nullable
    String value(String column) {
        Integer index = columns.get(column);
        if (index == null || index >= values.size()) {
            return null;
        }
        String value = values.get(index).trim();
        if (value.isEmpty()) {
            return null;
        }
        if (value.indexOf('\0') >= 0) {
            reject(column, "must not contain a NUL character");
            return null;
        }
        return value;
    }

    @Nullable
    String requiredText(String column, int max) {
        String value = value(column);
        if (value == null) {
            reject(column, "is required");
            return null;
        }
        return checkLength(column, value, max);
    }

    @Nullable
    String optionalText(String column, int max) {
        String value = value(column);
        return value == null ? null : checkLength(column, value, max);
    }

    private @Nullable String checkLength(String column, String value, int max) {
        if (value.length() > max) {
            reject(column, "must be at most " + max + " characters");
            return null;
        }
        return value;
    }

    @Nullable
    Long requiredId(String column) {
        if (value(column) == null) {
            reject(column, "is required");
            return null;
        }
        return optionalId(column);
    }

    /** A positive integer id; empty gives null. */
    @Nullable
    Long optionalId(String column) {
        String value = value(column);
        if (value == null) {
            return null;
        }
        try {
            long id = Long.parseLong(value);
            if (id >= 1) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        reject(column, "must be a positive integer, not '" + abbreviate(value) + "'");
        return null;
    }

    /** {@code True/False/true/false/TRUE/FALSE/1/0}, as the seed files write booleans; empty gives null. */
    @Nullable
    Boolean optionalBoolean(String column) {
        String value = value(column);
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "True", "true", "TRUE", "1" -> true;
            case "False", "false", "FALSE", "0" -> false;
            default -> {
                reject(column, "must be one of True, False, true, false, 1, 0, not '" + abbreviate(value) + "'");
                yield null;
            }
        };
    }

    /**
     * A UTC timestamp, {@code 2024-11-14 04:11:00} or {@code 2024-11-14T04:11:00}; a fraction of a
     * second is dropped and an explicit offset ({@code Z}, {@code +02:00}) is converted to UTC.
     */
    @Nullable
    LocalDateTime optionalTimestamp(String column) {
        String value = value(column);
        if (value == null) {
            return null;
        }
        LocalDateTime parsed = parseTimestamp(value);
        if (parsed == null) {
            reject(column, "must be a timestamp like 2024-11-14 04:11:00, not '" + abbreviate(value) + "'");
        }
        return parsed;
    }

    static @Nullable LocalDateTime parseTimestamp(String value) {
        if (value.length() < 16 || (value.charAt(10) != ' ' && value.charAt(10) != 'T')) {
            return null;
        }
        if (value.length() == PLAIN_TIMESTAMP.length()) {
            LocalDateTime plain = parsePlain(value);
            if (plain != null) {
                return plain;
            }
        }
        String iso = value.substring(0, 10) + 'T' + value.substring(11);
        LocalDateTime parsed;
        try {
            boolean offset = iso.endsWith("Z") || iso.lastIndexOf('+') > 10 || iso.lastIndexOf('-') > 10;
            parsed = offset
                    ? OffsetDateTime.parse(iso)
                            .withOffsetSameInstant(ZoneOffset.UTC)
                            .toLocalDateTime()
                    : LocalDateTime.parse(iso);
        } catch (DateTimeParseException e) {
            return null;
        }
        // PostgreSQL has no year 0 and the API writes four-digit years
        if (parsed.getYear() < 1 || parsed.getYear() > 9999) {
            return null;
        }
        return parsed.truncatedTo(ChronoUnit.SECONDS);
    }

    private static final String PLAIN_TIMESTAMP = "2024-11-14 04:11:00";

    /**
     * The timestamp of the seed files' form, {@code YYYY-MM-DD HH:MM:SS} (or with a {@code T}), read
     * by hand: an import reads one per row, and the formatter costs far more (ADR 0014). Null for
     * any other text and for a date or time that does not exist, which the formatter then refuses
     * with the same answer.
     */
    private static @Nullable LocalDateTime parsePlain(String value) {
        for (int i = 0; i < PLAIN_TIMESTAMP.length(); i++) {
            char pattern = PLAIN_TIMESTAMP.charAt(i);
            char c = value.charAt(i);
            boolean ok = pattern >= '0' && pattern <= '9' ? c >= '0' && c <= '9' : i == 10 || c == pattern;
            if (!ok) {
                return null;
            }
        }
        int year = digits(value, 0, 4);
        int month = digits(value, 5, 2);
        int day = digits(value, 8, 2);
        int hour = digits(value, 11, 2);
        int minute = digits(value, 14, 2);
        int second = digits(value, 17, 2);
        if (year < 1
                || month < 1
                || month > 12
                || day < 1
                || day > Month.of(month).length(Year.isLeap(year))
                || hour > 23
                || minute > 59
                || second > 59) {
            return null;
        }
        return LocalDateTime.of(year, month, day, hour, minute, second);
    }

    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }

    /** Records a problem with a column; the first problem per column is kept. */
    void reject(String column, String message) {
        String prefix = column + " ";
        if (problems.stream().noneMatch(p -> p.startsWith(prefix))) {
            problems.add(prefix + message);
        }
    }

    boolean isValid() {
        return problems.isEmpty();
    }

    /** Every problem found, in column order of the checks, joined into one message. */
    public String problems() {
        return String.join("; ", problems);
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "…";
    }
}
