package dev.shortener.importing;

import org.jspecify.annotations.Nullable;

/** One valid row of an import file, ready to be staged. */
sealed interface Row permits UserRow, UrlRow, EventRow {

    /** The physical line of the file the row starts on. */
    long line();

    /** The id the row is upserted by, or null when the file leaves it to the database. */
    @Nullable
    Long id();

    /** Writes the row's values in the order of its entity's staged columns. */
    void stage(StagingWriter out);
}
