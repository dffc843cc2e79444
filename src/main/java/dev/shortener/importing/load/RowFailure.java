package dev.shortener.importing.load;

/** A row that was not imported: the physical line it starts on (the header is line 1) and why. */
public record RowFailure(long line, String message) {}
