package dev.shortener.link;

/** Published inside the deleting transaction; {@code link} is the state before deletion
 * and {@code actor} who deleted it (or its user). */
public record LinkDeleted(Link link, String reason, String actor) {

    public static final String USER_REQUESTED = "user_requested";
}
