package dev.shortener.importing.load;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** What an import file holds, one table each: how its rows are read, loaded ({@link LoadSql}) and explained. */
public enum Entity {
    USERS(
            "users",
            List.of("username", "email"),
            UserRow::read,
            LoadSql.USERS,
            Map.of("users_email_key", "email %s is already taken by another user")),
    URLS(
            "urls",
            List.of("short_code", "original_url"),
            UrlRow::read,
            LoadSql.URLS,
            Map.of(
                    "urls_short_code_key", "short_code %s is already taken by another url",
                    "urls_user_id_fkey", "user_id %s does not exist")),
    EVENTS("events", List.of("url_id", "event_type"), EventRow::read, LoadSql.EVENTS, Map.of());

    private static final Pattern KEY_VALUE = Pattern.compile("\\)=\\((.*)\\) (?:already exists|is not present)");

    private final String table;
    private final List<String> requiredColumns;
    private final Function<CsvLine, @Nullable Row> reader;
    private final Map<String, String> constraintMessages;
    final LoadSql sql;

    Entity(
            String table,
            List<String> requiredColumns,
            Function<CsvLine, @Nullable Row> reader,
            LoadSql sql,
            Map<String, String> constraintMessages) {
        this.table = table;
        this.requiredColumns = requiredColumns;
        this.reader = reader;
        this.sql = sql;
        this.constraintMessages = constraintMessages;
    }

    /** The table name, which is also how the API and the CLI name the entity. */
    public String table() {
        return table;
    }

    /** The valid row, or null when the line's problems say why not. */
    @Nullable
    public Row read(CsvLine line) {
        return reader.apply(line);
    }

    /** The required columns a header lacks. */
    public List<String> missingColumns(Collection<String> header) {
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
    public static Optional<Entity> infer(Collection<String> header, String fileName) {
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
    public static Optional<Entity> named(String name) {
        for (Entity entity : values()) {
            if (entity.table.equalsIgnoreCase(name)) {
                return Optional.of(entity);
            }
        }
        return Optional.empty();
    }
}
