package dev.shortener.redirect;

/** The shape of a short code as the redirect accepts it: 1 to 32 of {@code [A-Za-z0-9_-]}. */
final class ShortCodes {

    static final int MAX_LENGTH = 32;

    private ShortCodes() {}

    /** A hand-written check: the hot path pays for no regular expression. */
    static boolean isWellFormed(String code) {
        int length = code.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = code.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
