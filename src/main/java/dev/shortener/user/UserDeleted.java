package dev.shortener.user;

/**
 * Published inside the transaction that deletes a user, before the row goes, so that features
 * owning the user's data can remove it in the same transaction; {@code actor} is who deleted it.
 */
public record UserDeleted(long userId, String actor) {}
