package dev.shortener.link;

import org.jspecify.annotations.Nullable;

/**
 * Published inside the updating transaction, once per field whose value changed; {@code link} is
 * the state after the update and {@code newValue} the field's new JSON value (string, boolean or
 * null); {@code actor} is who changed it.
 */
public record LinkUpdated(Link link, String field, @Nullable Object newValue, String actor) {}
