package dev.shortener.importing;

import static dev.shortener.importing.Upsert.Column.keep;
import static dev.shortener.importing.Upsert.Column.touch;
import static dev.shortener.importing.Upsert.Column.value;

import dev.shortener.importing.Upsert.Column;
import dev.shortener.importing.Upsert.Key;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What an import file holds, one table each: how its rows are read and validated, staged and
 * applied. Rows with an id are upserted by id; users without one by e-mail address (ignoring
 * case), urls by short code, and events are appended.
 */
enum Entity {
    USERS(
            "users",
            List.of("username", "email"),
            UserRow::read,
            List.of(value("username", "text"), value("email", "text"), keep("created_at", "timestamp", Upsert.NOW)),
            new Key(alias -> "lower(" + alias + ".email)", "((lower(email)))"),
            Map.of("users_email_key", "email %s is already taken by another user"),
            null,
            List.of(new Refusal(
                    "users_email_key",
                    "s.id IS NOT NULL AND EXISTS (SELECT 1 FROM users t"
                            + " WHERE lower(t.email) = lower(s.email) AND t.id <> s.id)",
                    "s.email"))),
    URLS(
            "urls",
            List.of("short_code", "original_url"),
            UrlRow::read,
            List.of(
                    value("user_id", "bigint"),
                    value("short_code", "text"),
                    value("original_url", "text"),
                    value("title", "text"),
                    keep("is_active", "boolean", "true"),
                    keep("created_at", "timestamp", Upsert.NOW),
                    touch("updated_at", "timestamp", Upsert.NOW)),
            new Key(alias -> alias + ".short_code", "(short_code)"),
            Map.of(
                    "urls_short_code_key", "short_code %s is already taken by another url",
                    "urls_user_id_fkey", "user_id %s does not exist"),
            "SELECT t.short_code FROM urls t JOIN staging_urls s ON t.id = s.id WHERE t.short_code <> s.short_code",
            List.of(
                    new Refusal(
                            "urls_user_id_fkey",
                            "s.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users t WHERE t.id = s.user_id)",
                            "s.user_id::text"),
                    new Refusal(
                            "urls_short_code_key",
                            "s.id IS NOT NULL AND EXISTS (SELECT 1 FROM urls t"
                                    + " WHERE t.short_code = s.short_code AND t.id <> s.id)",
                            "s.short_code"))),
    EVENTS(
            "events",
            List.of("url_id", "event_type"),
            EventRow::read,
            List.of(
                    value("url_id", "bigint"),
                    value("user_id", "bigint"),
                    value("event_type", "text"),
                    keep("\"timestamp\"", "timestamp", Upsert.NOW),
                    value("details", "text", "::jsonb")),
            null,
            Map.of(),
            null,
            List.of());

    /**
     * Staged rows that the set statements would refuse for a known reason (an unknown user, a key
     * another row holds), found and removed in one statement before the statements run, so that a
     * file full of them does not cost a bisection per row. The constraint names the message.
     */
    record Refusal(String constraint, String condition, String value) {}

    private static final Pattern KEY_VALUE = Pattern.compile("\\)=\\((.*)\\) (?:already exists|is not present)");

    private final String table;
    private final List<String> requiredColumns;
    private final Function<CsvLine, @Nullable Row> reader;
    private final Map<String, String> constraintMessages;
    private final List<Column> columns;
    final String createStaging;
    final String copy;
    final String copyNewWithIds;
    final String copyNewWithoutIds;
    final String moveSequence;
    final List<String> statements;
    /** Per refusal: a statement deleting the refused staged rows, returning their ord and value. */
    final Map<String, String> refusals;
    /**
     * A query of the cache keys that staged rows take away from stored rows (a url whose short code
     * changes), or null when the entity has no cached keys.
     */
    final @Nullable String previousCacheKeys;

    Entity(
            String table,
            List<String> requiredColumns,
            Function<CsvLine, @Nullable Row> reader,
            List<Column> columns,
            @Nullable Key naturalKey,
            Map<String, String> constraintMessages,
            @Nullable String previousCacheKeys,
            List<Refusal> refusals) {
        this.table = table;
        this.previousCacheKeys = previousCacheKeys;
        this.requiredColumns = requiredColumns;
        this.reader = reader;
        this.constraintMessages = constraintMessages;
        this.columns = List.copyOf(columns);
        this.createStaging = Upsert.createStaging(table, columns);
        this.copy = Upsert.copy(table, columns);
        this.copyNewWithIds = Upsert.copyInto(table, columns, true);
        this.copyNewWithoutIds = Upsert.copyInto(table, columns, false);
        this.moveSequence = Upsert.moveSequence(table);
        this.statements = Upsert.statements(table, columns, naturalKey);
        Map<String, String> statementsByConstraint = new LinkedHashMap<>();
        for (Refusal refusal : refusals) {
            statementsByConstraint.put(
                    "DELETE FROM " + Upsert.stagingTable(table) + " s WHERE " + refusal.condition()
                            + " RETURNING s.ord, " + refusal.value(),
                    refusal.constraint());
        }
        this.refusals = Collections.unmodifiableMap(statementsByConstraint);
    }

    /**
     * The values that new rows take for columns the file leaves empty, in the order rows are
     * staged: the id (none) first, then the columns.
     */
    @Nullable
    Object[] defaults(LocalDateTime now) {
        Object[] defaults = new Object[columns.size() + 1];
        for (int i = 0; i < columns.size(); i++) {
            defaults[i + 1] = columns.get(i).defaultValue(now);
        }
        return defaults;
    }

    /** The table name, which is also how the API and the CLI name the entity. */
    String table() {
        return table;
    }

    /** The valid row, or null when the line's problems say why not. */
    @Nullable
    Row read(CsvLine line) {
        return reader.apply(line);
    }

    /** The required columns a header lacks. */
    List<String> missingColumns(Collection<String> header) {
        return requiredColumns.stream().filter(c -> !header.contains(c)).toList();
    }

    /** Why a row was refused before the set statements ran: the constraint it would break. */
    String explainRefusal(String constraint, String value) {
        return constraintMessages.get(constraint).formatted(value);
    }

    /** Why the database refused a row, from the constraint it broke and the key in the detail. */
    String explain(@Nullable String constraint, @Nullable String detail, String message) {
        String template = constraint == null ? null : constraintMessages.get(constraint);
        if (template != null && detail != null) {
            Matcher key = KEY_VALUE.matcher(detail);
            if (key.find()) {
                return template.formatted(key.group(1));
            }
        }
        return "refused by the database: " + message;
    }

    /** The entity a file holds, told by its header, else by its name ({@code users…}, {@code urls…}). */
    static Optional<Entity> infer(Collection<String> header, String fileName) {
        if (header.contains("email")) {
            return Optional.of(USERS);
        }
        if (header.contains("short_code") || header.contains("original_url")) {
            return Optional.of(URLS);
        }
        if (header.contains("event_type") || header.contains("url_id")) {
            return Optional.of(EVENTS);
        }
        String name = fileName.toLowerCase(Locale.ROOT);
        for (Entity entity : values()) {
            if (name.startsWith(entity.table)) {
                return Optional.of(entity);
            }
        }
        return Optional.empty();
    }

    /** The entity named by a path segment or argument: users, urls or events. */
    static Optional<Entity> named(String name) {
        for (Entity entity : values()) {
            if (entity.table.equalsIgnoreCase(name)) {
                return Optional.of(entity);
            }
        }
        return Optional.empty();
    }
}
