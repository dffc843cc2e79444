package dev.shortener.identity;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** What a key may do. {@link #ADMIN} implies every other scope and the admin-only routes. */
public enum Scope {
    LINKS_READ("links:read"),
    LINKS_WRITE("links:write"),
    STATS_READ("stats:read"),
    ADMIN("admin");

    private final String text;

    Scope(String text) {
        this.text = text;
    }

    @JsonValue
    public String text() {
        return text;
    }

    /** The Spring Security authority that request rules check. */
    public String authority() {
        return "SCOPE_" + text;
    }

    @JsonCreator
    public static @Nullable Scope of(String text) {
        return Arrays.stream(values())
                .filter(scope -> scope.text.equals(text))
                .findFirst()
                .orElse(null);
    }
}
