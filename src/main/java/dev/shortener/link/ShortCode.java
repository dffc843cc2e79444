package dev.shortener.link;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A short code, well formed by the rules the API, the pages, the importer and the redirect path
 * share: generated ones are random base62 strings from a {@link SecureRandom}; a client may choose
 * its own of {@value #MIN_LENGTH} to {@value #MAX_LENGTH} characters of {@code [A-Za-z0-9_-]}, as
 * long as it does not shadow a route of the service.
 */
public record ShortCode(String code) {

    public static final int MIN_LENGTH = 3;
    public static final int MAX_LENGTH = 32;
    public static final int DEFAULT_LENGTH = 7;

    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final RandomGenerator SECURE = new SecureRandom();

    /**
     * The first path segments the service routes itself, in lower case. A code equal to one of them
     * (ignoring case) could never be reached at {@code GET /{code}}.
     */
    private static final Set<String> RESERVED = Set.of(
            "health",
            "users",
            "urls",
            "events",
            "docs",
            "metrics",
            "openapi.json",
            "openapi",
            "imports",
            "api-keys",
            "auth",
            "abuse-reports",
            "blocked-links",
            "blocked-domains",
            "swagger-ui",
            "swagger-ui.html",
            "webjars",
            "v3",
            "error",
            "actuator",
            "favicon.ico",
            "robots.txt",
            "api",
            "admin",
            "static",
            "assets");

    public ShortCode {
        if (!isWellFormed(code)) {
            throw new IllegalArgumentException("is not a well-formed short code");
        }
    }

    /** A code a client chose; a refusal is the field's message. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ShortCode chosen(String code) {
        problemWith(code).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return new ShortCode(code);
    }

    @Override
    public String toString() {
        return code;
    }

    /** A random base62 code of the given length drawn from a {@link SecureRandom}. */
    public static String random(int length) {
        return random(SECURE, length);
    }

    static String random(RandomGenerator random, int length) {
        char[] code = new char[length];
        for (int i = 0; i < length; i++) {
            code[i] = BASE62[random.nextInt(BASE62.length)];
        }
        return new String(code);
    }

    /**
     * Whether {@code code} can be a short code at all: 1 to {@value #MAX_LENGTH} of {@code
     * [A-Za-z0-9_-]} (codes from imports or older versions may be shorter than a client may choose).
     * Written out: the redirect path pays for no regular expression.
     */
    public static boolean isWellFormed(String code) {
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

    /** Whether {@code code} names a route of the service, ignoring case. */
    public static boolean isReserved(String code) {
        return RESERVED.contains(code.toLowerCase(Locale.ROOT));
    }

    /** Why a client-chosen code is refused, or empty when it may be used. */
    public static Optional<String> problemWith(String code) {
        if (code.length() < MIN_LENGTH || !isWellFormed(code)) {
            return Optional.of("must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters of A-Z, a-z, 0-9, _ and -");
        }
        if (isReserved(code)) {
            return Optional.of("is reserved: it names a route of the service");
        }
        return Optional.empty();
    }

    /**
     * Offers fresh candidates to {@code claim} until one is taken, at most {@code attempts} times;
     * reserved candidates are skipped. {@code claim} answers empty when the code is already used.
     */
    static <T> Optional<T> claimFirstFree(
            Supplier<String> candidates, int attempts, Function<String, Optional<T>> claim) {
        for (int attempt = 0; attempt < attempts; attempt++) {
            String code = candidates.get();
            if (isReserved(code)) {
                continue;
            }
            Optional<T> claimed = claim.apply(code);
            if (claimed.isPresent()) {
                return claimed;
            }
        }
        return Optional.empty();
    }
}
