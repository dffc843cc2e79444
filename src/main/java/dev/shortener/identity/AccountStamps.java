package dev.shortener.identity;

import java.util.Optional;

/**
 * What a session signed in with a password rests on: a stamp of the account's password and role.
 * The session ends when the stamp changes (a new password, a role taken away) or the account is
 * gone, as a key's sessions end with the key.
 */
public interface AccountStamps {

    /** The account's current stamp; empty when there is no such account. */
    Optional<String> stampOf(long userId);
}
