package dev.shortener.importing;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The set statements that apply a range of staged rows to a table. Each statement takes two
 * parameters, the first and last staged position ({@code ord}) of the range, so that a failing
 * range can be split and applied again.
 *
 * <p>Rows with an id are upserted by id; rows without one by the table's natural key, or appended
 * when it has none. Within a range the last row per key wins. An upsert is an {@code UPDATE} of
 * the rows that exist (skipping rows that would not change, so a re-import writes nothing)
 * followed by an {@code INSERT … ON CONFLICT} of the others: the update can keep a stored value
 * where the file leaves a column empty, which {@code ON CONFLICT DO UPDATE} alone cannot tell.
 */
final class Upsert {

    /** The current UTC time, as the tables' defaults write it. */
    static final String NOW = "(now() AT TIME ZONE 'utc')";

    /** How a staged value reaches its column. */
    enum Apply {
        /** The staged value, null included. */
        VALUE,
        /** The staged value; when empty, a new row takes the fallback and an existing row keeps its own. */
        KEEP_WHEN_EMPTY,
        /** Like KEEP_WHEN_EMPTY, but an existing row that changes takes the fallback (an updated_at). */
        TOUCH
    }

    /** A column of the table, staged with the same name. */
    record Column(
            String name,
            String stagingType,
            Apply apply,
            String cast,
            @Nullable String fallback) {

        static Column value(String name, String stagingType) {
            return new Column(name, stagingType, Apply.VALUE, "", null);
        }

        static Column value(String name, String stagingType, String cast) {
            return new Column(name, stagingType, Apply.VALUE, cast, null);
        }

        static Column keep(String name, String stagingType, String fallback) {
            return new Column(name, stagingType, Apply.KEEP_WHEN_EMPTY, "", fallback);
        }

        static Column touch(String name, String stagingType, String fallback) {
            return new Column(name, stagingType, Apply.TOUCH, "", fallback);
        }

        String staged(String alias) {
            return alias + "." + name + cast;
        }

        /** The value a new row takes when the file leaves the column empty, or null. */
        @Nullable
        Object defaultValue(LocalDateTime now) {
            if (fallback == null) {
                return null;
            }
            return switch (fallback) {
                case NOW -> now;
                case "true" -> Boolean.TRUE;
                default -> throw new IllegalStateException("No value for the default " + fallback);
            };
        }

        String inserted() {
            return apply == Apply.VALUE ? staged("s") : "coalesce(" + staged("s") + ", " + fallback + ")";
        }
    }

    /** A unique key of the table: an expression over a row alias and its ON CONFLICT target. */
    record Key(Function<String, String> expression, String conflictTarget) {

        static final Key ID = new Key(alias -> alias + ".id", "(id)");

        String on(String alias) {
            return expression.apply(alias);
        }
    }

    private Upsert() {}

    static String stagingTable(String table) {
        return "staging_" + table;
    }

    static String createStaging(String table, List<Column> columns) {
        return "CREATE TEMP TABLE IF NOT EXISTS " + stagingTable(table) + " (ord int NOT NULL, line bigint NOT NULL,"
                + " id bigint, "
                + columns.stream().map(c -> c.name() + " " + c.stagingType()).collect(Collectors.joining(", "))
                + ") ON COMMIT DELETE ROWS";
    }

    static String copy(String table, List<Column> columns) {
        return "COPY " + stagingTable(table) + " (ord, line, id, " + names(columns, Column::name)
                + ") FROM STDIN (FORMAT csv)";
    }

    /** COPY straight into the table, with the ids of the rows or leaving them to the sequence. */
    static String copyInto(String table, List<Column> columns, boolean withIds) {
        return "COPY " + table + " (" + (withIds ? "id, " : "") + names(columns, Column::name)
                + ") FROM STDIN (FORMAT csv)";
    }

    /** Moves the table's id sequence past the largest staged id, never backwards. */
    static String moveSequence(String table) {
        return "SELECT setval(seq, greatest(?, coalesce(pg_sequence_last_value(seq), 0)))"
                + " FROM (SELECT pg_get_serial_sequence('" + table + "', 'id')::regclass AS seq) q";
    }

    /** The statements for rows with an id, then for rows without (by natural key, or appended). */
    static List<String> statements(String table, List<Column> columns, @Nullable Key naturalKey) {
        List<String> statements = new ArrayList<>();
        statements.add(update(table, columns, Key.ID, "s.id IS NOT NULL"));
        statements.add(insert(table, columns, Key.ID, "s.id IS NOT NULL"));
        if (naturalKey != null) {
            statements.add(update(table, columns, naturalKey, "s.id IS NULL"));
            statements.add(insert(table, columns, naturalKey, "s.id IS NULL"));
        } else {
            statements.add("INSERT INTO " + table + " (" + names(columns, Column::name) + ") SELECT "
                    + names(columns, Column::inserted) + " FROM " + stagingTable(table)
                    + " s WHERE s.id IS NULL AND s.ord BETWEEN ? AND ? ORDER BY s.ord");
        }
        return List.copyOf(statements);
    }

    /** The last staged row per key within the range. */
    private static String source(String table, Key key, String filter) {
        return "(SELECT DISTINCT ON (" + key.on("s") + ") * FROM " + stagingTable(table) + " s WHERE " + filter
                + " AND s.ord BETWEEN ? AND ? ORDER BY " + key.on("s") + ", s.ord DESC) s";
    }

    private static String update(String table, List<Column> columns, Key key, String filter) {
        String sets = names(columns, c -> c.name() + " = " + updated(c, columns));
        String current = names(columns, c -> "t." + c.name());
        String next = names(columns, c -> c.apply() == Apply.VALUE ? c.staged("s") : keep(c));
        return "UPDATE " + table + " t SET " + sets + " FROM " + source(table, key, filter) + " WHERE " + key.on("t")
                + " = " + key.on("s") + " AND (" + current + ") IS DISTINCT FROM (" + next + ")";
    }

    private static String updated(Column column, List<Column> columns) {
        return switch (column.apply()) {
            case VALUE -> column.staged("s");
            case KEEP_WHEN_EMPTY -> keep(column);
            case TOUCH -> {
                List<Column> others =
                        columns.stream().filter(c -> c.apply() != Apply.TOUCH).toList();
                String current = names(others, c -> "t." + c.name());
                String next = names(others, c -> c.apply() == Apply.VALUE ? c.staged("s") : keep(c));
                yield "coalesce(" + column.staged("s") + ", CASE WHEN (" + current + ") IS DISTINCT FROM (" + next
                        + ") THEN " + column.fallback() + " ELSE t." + column.name() + " END)";
            }
        };
    }

    private static String keep(Column column) {
        return "coalesce(" + column.staged("s") + ", t." + column.name() + ")";
    }

    private static String insert(String table, List<Column> columns, Key key, String filter) {
        boolean byId = key == Key.ID;
        String targets = (byId ? "id, " : "") + names(columns, Column::name);
        String values = (byId ? "s.id, " : "") + names(columns, Column::inserted);
        return "INSERT INTO " + table + " (" + targets + ") SELECT " + values + " FROM " + source(table, key, filter)
                + " WHERE NOT EXISTS (SELECT 1 FROM " + table + " t WHERE " + key.on("t") + " = " + key.on("s")
                + ") ORDER BY s.ord ON CONFLICT " + key.conflictTarget() + " DO UPDATE SET "
                + names(columns, c -> c.name() + " = excluded." + c.name());
    }

    private static String names(List<Column> columns, Function<Column, String> format) {
        return columns.stream().map(format).collect(Collectors.joining(", "));
    }
}
