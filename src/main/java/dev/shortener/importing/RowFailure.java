package dev.shortener.importing;

/** A row that was not imported: the physical line it starts on (the header is line 1) and why. */
record RowFailure(long line, String message) {}
