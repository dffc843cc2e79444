package dev.shortener.user;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * An e-mail address, valid by the rule the API, the pages and the importer share: a local part of 1–64 of {@code
 * A-Z a-z 0-9 .!#$%&'*+/=?^_`{|}~-}, not starting with a dot and without two dots in a row, an
 * {@code @}, and a domain of at least two dot-separated labels of 1–63 letters, digits and
 * hyphens that neither start nor end with a hyphen; 254 characters at most in all.
 *
 * <p>Checked by a scan rather than a regular expression: the importer checks every address of a
 * file, and the scan costs far less than the match (ADR 0014).
 */
public record Email(String address) {

    public static final int MAX_LENGTH = 254;
    public static final String RULE = "must be a valid e-mail address";

    private static final int MAX_LOCAL_PART = 64;
    private static final int MAX_LABEL = 63;
    private static final String LOCAL_PART_SYMBOLS = ".!#$%&'*+/=?^_`{|}~-";

    public Email {
        if (!isValid(address)) {
            throw new IllegalArgumentException(RULE);
        }
    }

    /** The address a form or JSON field holds, trimmed; a refusal is the field's message. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Email of(String text) {
        String address = text.trim();
        if (address.isEmpty()) {
            throw new IllegalArgumentException("must not be blank");
        }
        if (address.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("size must be between 0 and " + MAX_LENGTH);
        }
        return new Email(address);
    }

    @Override
    public String toString() {
        return address;
    }

    public static boolean isValid(String address) {
        int length = address.length();
        if (length > MAX_LENGTH) {
            return false;
        }
        int at = 0;
        while (at < length && isLocalPartChar(address.charAt(at))) {
            at++;
        }
        if (at == 0 || at > MAX_LOCAL_PART || at == length || address.charAt(at) != '@') {
            return false;
        }
        if (address.charAt(0) == '.' || address.contains("..")) {
            return false;
        }
        int labels = 0;
        int start = at + 1;
        while (true) {
            int end = start;
            while (end < length && address.charAt(end) != '.') {
                end++;
            }
            if (!isLabel(address, start, end)) {
                return false;
            }
            labels++;
            if (end == length) {
                return labels >= 2;
            }
            start = end + 1;
        }
    }

    private static boolean isLabel(String address, int start, int end) {
        int size = end - start;
        if (size < 1 || size > MAX_LABEL) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = address.charAt(i);
            if (!(isLetterOrDigit(c) || (c == '-' && i != start && i != end - 1))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLocalPartChar(char c) {
        return isLetterOrDigit(c) || LOCAL_PART_SYMBOLS.indexOf(c) >= 0;
    }

    /** ASCII letters and digits only. */
    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
