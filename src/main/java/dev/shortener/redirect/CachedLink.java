package dev.shortener.redirect;

import org.jspecify.annotations.Nullable;

/**
 * What the redirect needs to know about a short code, as both cache levels keep it: the link's
 * target and state, or the fact that no link has this code ({@link #ABSENT}).
 */
record CachedLink(long id, @Nullable Long userId, String originalUrl, boolean active, boolean blocked) {

    /** The negative entry: no link has this code. */
    static final CachedLink ABSENT = new CachedLink(0, null, "", false);

    private static final char ACTIVE = 'A';
    private static final char INACTIVE = 'I';
    private static final char BLOCKED = 'B';

    /** A link that no admin took down; {@code active} means that it redirects. */
    CachedLink(long id, @Nullable Long userId, String originalUrl, boolean active) {
        this(id, userId, originalUrl, active, false);
    }

    /** A link as stored: it redirects when it is active and not taken down. */
    static CachedLink of(long id, @Nullable Long userId, String originalUrl, boolean active, boolean blocked) {
        return new CachedLink(id, userId, originalUrl, active && !blocked, blocked);
    }

    private static final String ABSENT_VALUE = "-";

    boolean absent() {
        return this == ABSENT;
    }

    /**
     * The compact Redis value: {@code A|id|userId|url}, {@code I|...} when inactive, {@code B|...}
     * when taken down, {@code -} when absent.
     */
    String encode() {
        if (absent()) {
            return ABSENT_VALUE;
        }
        return (blocked ? BLOCKED : active ? ACTIVE : INACTIVE) + "|" + id + "|" + (userId == null ? "" : userId) + "|"
                + originalUrl;
    }

    /** Reads a value written by {@link #encode()}; anything else is treated as a cache miss (null). */
    static @Nullable CachedLink decode(String value) {
        if (ABSENT_VALUE.equals(value)) {
            return ABSENT;
        }
        int first = value.indexOf('|');
        int second = first < 0 ? -1 : value.indexOf('|', first + 1);
        int third = second < 0 ? -1 : value.indexOf('|', second + 1);
        if (first != 1 || third < 0) {
            return null;
        }
        char state = value.charAt(0);
        if (state != ACTIVE && state != INACTIVE && state != BLOCKED) {
            return null;
        }
        try {
            long id = Long.parseLong(value, first + 1, second, 10);
            Long userId = second + 1 == third ? null : Long.parseLong(value, second + 1, third, 10);
            return new CachedLink(id, userId, value.substring(third + 1), state == ACTIVE, state == BLOCKED);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
