package dev.shortener.importing.load;

import org.jspecify.annotations.Nullable;

/** One valid row of an import file, ready to be staged. */
public sealed interface Row permits UserRow, UrlRow, EventRow {

    /** The physical line of the file the row starts on. */
    long line();

    /** The id the row is upserted by, or null when the file leaves it to the database. */
    @Nullable
    Long id();

    /**
     * The key under which caches outside the database may hold the row (a url's short code), or
     * null when none does.
     */
    default @Nullable String cacheKey() {
        return null;
    }

    /** Writes the row's values in the order of its entity's staged columns. */
    void stage(StagingWriter out);
}
