package dev.shortener.link;

/** Published inside the deleting transaction; {@code link} is the state before deletion. */
public record LinkDeleted(Link link, String reason) {

    public static final String USER_REQUESTED = "user_requested";
}
