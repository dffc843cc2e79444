package dev.shortener.platform;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code WHERE} clause of a list query built from optional equality filters: a filter whose
 * value is null is left out, so each query names only the columns its index must serve.
 */
public final class SqlFilter {

    private final List<String> conditions = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();

    /** Adds {@code column = value} unless {@code value} is null. */
    public SqlFilter equal(String column, @Nullable Object value) {
        return where(column + " = ?", value);
    }

    /** Adds a condition with one parameter, unless {@code value} is null. */
    public SqlFilter where(String condition, @Nullable Object value) {
        if (value != null) {
            conditions.add(condition);
            params.add(value);
        }
        return this;
    }

    /** {@code " WHERE a = ? AND b = ?"}, or an empty string without filters. */
    public String where() {
        return where(List.of());
    }

    /** The clause with {@code more} conditions after the filters', whose parameters follow theirs. */
    public String where(List<String> more) {
        List<String> all = new ArrayList<>(conditions);
        all.addAll(more);
        return all.isEmpty() ? "" : " WHERE " + String.join(" AND ", all);
    }

    /** The filter values, in the order of {@link #where()}, followed by {@code extra}. */
    public List<Object> params(Object... extra) {
        List<Object> all = new ArrayList<>(params);
        all.addAll(List.of(extra));
        return all;
    }

    /** A LIKE pattern that finds {@code text} anywhere, its wildcards taken literally; null when blank. */
    public static @Nullable String containing(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        return "%" + text.trim().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
