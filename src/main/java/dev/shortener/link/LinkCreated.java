package dev.shortener.link;

/**
 * Published inside the transaction that created the link; {@code actor} is who asked for it
 * ({@code key:<id>}, {@code user:<id>} or {@code anonymous}).
 */
public record LinkCreated(Link link, String actor) {}
