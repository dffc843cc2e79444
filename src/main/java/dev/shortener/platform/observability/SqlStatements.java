package dev.shortener.platform.observability;

import java.util.Locale;
import java.util.regex.Pattern;

/** What the SQL monitor needs to know about a statement's text. */
final class SqlStatements {

    /** The {@code operation} tag of the statement timer. */
    enum Operation {
        SELECT,
        INSERT,
        UPDATE,
        DELETE,
        COPY,
        OTHER;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private static final Pattern STRING_LITERAL = Pattern.compile("'(?:[^']|'')*'");
    private static final Pattern NUMBER_LITERAL = Pattern.compile("(?<![\\w$])-?\\d+(?:\\.\\d+)?(?![\\w$])");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private SqlStatements() {}

    static Operation operation(String sql) {
        int start = 0;
        int length = sql.length();
        while (start < length && (Character.isWhitespace(sql.charAt(start)) || sql.charAt(start) == '(')) {
            start++;
        }
        int end = start;
        while (end < length && Character.isLetter(sql.charAt(end))) {
            end++;
        }
        return switch (sql.substring(start, end).toLowerCase(Locale.ROOT)) {
            case "select" -> Operation.SELECT;
            case "insert" -> Operation.INSERT;
            case "update" -> Operation.UPDATE;
            case "delete" -> Operation.DELETE;
            case "copy" -> Operation.COPY;
            default -> Operation.OTHER;
        };
    }

    /**
     * The statement as it may be logged: literals inlined in the text are replaced by {@code ?}
     * (bound parameters never reach the text), whitespace is collapsed and the length is capped.
     */
    static String redacted(String sql, int maxLength) {
        String text = STRING_LITERAL.matcher(sql).replaceAll("?");
        text = NUMBER_LITERAL.matcher(text).replaceAll("?");
        text = WHITESPACE.matcher(text).replaceAll(" ").strip();
        return text.length() <= maxLength ? text : text.substring(0, maxLength) + "...";
    }
}
