package dev.shortener.redirect;

import org.jspecify.annotations.Nullable;

/**
 * What the redirect needs to know about a short code, as both cache levels keep it: the link's
 * target and state, or the fact that no link has this code ({@link #absent()}), at a version of
 * the code (ADR 0008).
 */
public record CachedLink(
        long id, @Nullable Long userId, String originalUrl, boolean active, boolean blocked, long version) {

    /** No link has this code, as read from a database that never had one or no longer has it. */
    static final CachedLink ABSENT = absent(0);

    private static final char ACTIVE = 'A';
    private static final char INACTIVE = 'I';
    private static final char BLOCKED = 'B';
    private static final char NONE = '-';

    /** A link as stored: it redirects when it is active and not taken down. */
    static CachedLink of(
            long id, @Nullable Long userId, String originalUrl, boolean active, boolean blocked, long version) {
        return new CachedLink(id, userId, originalUrl, active && !blocked, blocked, version);
    }

    /** The code has no link since {@code version} (the version the deleted link had). */
    static CachedLink absent(long version) {
        return new CachedLink(0, null, "", false, false, version);
    }

    boolean absent() {
        return id == 0;
    }

    /** Ranks states of one version: an absent code at version v comes after the link it had at v. */
    Version order() {
        return new Version(version, absent() ? Version.ABSENT : Version.PRESENT);
    }

    /**
     * The compact Redis value: {@code version|A|id|userId|url}, {@code I} instead of {@code A} when
     * inactive, {@code B} when taken down, {@code version|-} when absent. Version and state lead, so
     * the fill script reads them with one pattern.
     */
    String encode() {
        if (absent()) {
            return version + "|" + NONE;
        }
        return version + "|" + (blocked ? BLOCKED : active ? ACTIVE : INACTIVE) + "|" + id + "|"
                + (userId == null ? "" : userId) + "|" + originalUrl;
    }

    /** Reads a value written by {@link #encode()}; anything else is treated as a cache miss (null). */
    static @Nullable CachedLink decode(String value) {
        int first = value.indexOf('|');
        if (first < 1 || first + 1 >= value.length()) {
            return null;
        }
        char state = value.charAt(first + 1);
        try {
            long version = Long.parseLong(value, 0, first, 10);
            if (state == NONE && value.length() == first + 2) {
                return version == 0 ? ABSENT : absent(version);
            }
            if (state != ACTIVE && state != INACTIVE && state != BLOCKED || value.length() < first + 3) {
                return null;
            }
            int second = first + 2;
            int third = value.indexOf('|', second + 1);
            int fourth = third < 0 ? -1 : value.indexOf('|', third + 1);
            if (value.charAt(second) != '|' || fourth < 0) {
                return null;
            }
            long id = Long.parseLong(value, second + 1, third, 10);
            Long userId = third + 1 == fourth ? null : Long.parseLong(value, third + 1, fourth, 10);
            return new CachedLink(id, userId, value.substring(fourth + 1), state == ACTIVE, state == BLOCKED, version);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The order of a code's states: by version, then by rank within a version. A {@link #STALE}
     * mark says "nothing older than this version is true" without holding a link; the link read at
     * that version replaces it, and the code's deletion at that version replaces the link.
     */
    record Version(long version, int rank) implements Comparable<Version> {
        static final int STALE = 0;
        static final int PRESENT = 1;
        static final int ABSENT = 2;

        @Override
        public int compareTo(Version other) {
            int byVersion = Long.compare(version, other.version);
            return byVersion != 0 ? byVersion : Integer.compare(rank, other.rank);
        }

        boolean after(Version other) {
            return compareTo(other) > 0;
        }
    }
}
