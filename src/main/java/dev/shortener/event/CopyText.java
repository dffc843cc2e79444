package dev.shortener.event;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The bytes of a journal record or of one COPY's text, encoded as they are written, in a buffer that
 * a click writer reuses batch after batch: building a string first and encoding it afterwards made
 * three copies of every batch, a large share of what a redirect allocated (ADR 0002).
 */
final class CopyText {

    private byte[] bytes;
    private int length;
    private long second = Long.MIN_VALUE;
    private String secondText = "";

    CopyText(int capacity) {
        bytes = new byte[Math.max(capacity, 64)];
    }

    void clear() {
        length = 0;
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** Characters known to be ASCII (SQL keywords, separators, digits). */
    CopyText ascii(String text) {
        room(text.length());
        for (int i = 0; i < text.length(); i++) {
            bytes[length++] = (byte) text.charAt(i);
        }
        return this;
    }

    CopyText ascii(char c) {
        room(1);
        bytes[length++] = (byte) c;
        return this;
    }

    /** Ids are positive; anything else takes the slow way. */
    CopyText number(long value) {
        if (value < 0) {
            return ascii(Long.toString(value));
        }
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        room(digits);
        for (int i = length + digits - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += digits;
        return this;
    }

    /**
     * The second since the epoch nearest to {@code epochMillis}, as PostgreSQL rounds the times it
     * stores for links and their other events: truncated, a click could read a second before the
     * creation of its link.
     */
    static long second(long epochMillis) {
        return Math.floorDiv(epochMillis + 500, 1000);
    }

    /** The UTC time of {@code epochMillis} to the nearest {@link #second}. */
    CopyText timestamp(long epochMillis) {
        long s = second(epochMillis);
        if (s != second) {
            // clicks of one batch mostly share their second: one formatting each
            secondText = LocalDateTime.ofEpochSecond(s, 0, ZoneOffset.UTC).toString();
            second = s;
        }
        return ascii(secondText);
    }

    CopyText raw(byte[] value) {
        room(value.length);
        System.arraycopy(value, 0, bytes, length, value.length);
        length += value.length;
        return this;
    }

    CopyText int16(short value) {
        room(2);
        bytes[length++] = (byte) (value >>> 8);
        bytes[length++] = (byte) value;
        return this;
    }

    CopyText int32(int value) {
        room(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (value >>> shift);
        }
        return this;
    }

    CopyText int64(long value) {
        return int32((int) (value >>> 32)).int32((int) value);
    }

    /**
     * A string's UTF-8 bytes behind their count, -1 for null. NUL is dropped and a lone surrogate
     * becomes U+FFFD, as PostgreSQL's text holds neither.
     */
    CopyText utf8(@Nullable String value) {
        if (value == null) {
            return int32(-1);
        }
        int at = length;
        int32(0);
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            i += Character.charCount(c);
            if (c != 0) {
                codePoint(c);
            }
        }
        int size = length - at - 4;
        length = at;
        int32(size);
        length += size;
        return this;
    }

    CopyText codePoint(int cp) {
        room(4);
        if (cp < 0x80) {
            bytes[length++] = (byte) cp;
        } else if (cp < 0x800) {
            bytes[length++] = (byte) (0xC0 | cp >> 6);
            bytes[length++] = (byte) (0x80 | cp & 0x3F);
        } else if (cp < 0x10000) {
            if (Character.isSurrogate((char) cp)) {
                // a lone surrogate has no UTF-8 form; PostgreSQL would refuse the row
                return codePoint(0xFFFD);
            }
            bytes[length++] = (byte) (0xE0 | cp >> 12);
            bytes[length++] = (byte) (0x80 | cp >> 6 & 0x3F);
            bytes[length++] = (byte) (0x80 | cp & 0x3F);
        } else {
            bytes[length++] = (byte) (0xF0 | cp >> 18);
            bytes[length++] = (byte) (0x80 | cp >> 12 & 0x3F);
            bytes[length++] = (byte) (0x80 | cp >> 6 & 0x3F);
            bytes[length++] = (byte) (0x80 | cp & 0x3F);
        }
        return this;
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
