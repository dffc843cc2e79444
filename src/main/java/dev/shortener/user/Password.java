package dev.shortener.user;

import java.util.Optional;

/** What a password must be: long enough to resist guessing, short enough to hash quickly. */
public final class Password {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 256;

    private Password() {}

    /** Why {@code password} is refused, or empty when it is accepted. */
    public static Optional<String> problemWith(String password) {
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            return Optional.of("must have at least " + MIN_LENGTH + " characters");
        }
        if (length > MAX_LENGTH) {
            return Optional.of("must have at most " + MAX_LENGTH + " characters");
        }
        if (password.isBlank()) {
            return Optional.of("must not be only spaces");
        }
        return Optional.empty();
    }
}
