package dev.shortener.link;

/** Published inside the transaction that created the link. */
public record LinkCreated(Link link) {}
