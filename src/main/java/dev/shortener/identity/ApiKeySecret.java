package dev.shortener.identity;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * An API key's secret: {@code sk_} and 32 random bytes in base62. Only its SHA-256 hash is kept:
 * the secret has 256 bits of entropy, so a slow password hash would add latency to every request
 * and no protection. The first characters are kept in the clear to tell keys apart.
 */
record ApiKeySecret(String secret) {

    static final String PREFIX = "sk_";
    private static final int RANDOM_BYTES = 32;
    private static final int ENCODED_LENGTH = 43; // 62^43 > 2^256
    private static final int VISIBLE_LENGTH = PREFIX.length() + 8;
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final BigInteger RADIX = BigInteger.valueOf(62);
    private static final SecureRandom RANDOM = new SecureRandom();

    static ApiKeySecret generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        StringBuilder text = new StringBuilder(ENCODED_LENGTH);
        BigInteger value = new BigInteger(1, bytes);
        for (int i = 0; i < ENCODED_LENGTH; i++) {
            BigInteger[] quotientAndRemainder = value.divideAndRemainder(RADIX);
            text.append(BASE62.charAt(quotientAndRemainder[1].intValue()));
            value = quotientAndRemainder[0];
        }
        return new ApiKeySecret(PREFIX + text);
    }

    /** The part shown in lists and used to find the key; never enough to use it. */
    String prefix() {
        return secret.substring(0, Math.min(VISIBLE_LENGTH, secret.length()));
    }

    byte[] hash() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return prefix() + "…";
    }
}
