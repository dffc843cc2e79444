package dev.shortener.platform.observability;

import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/** The id that ties a request's log lines together and travels in {@code X-Request-Id}. */
final class RequestId {

    static final String HEADER = "X-Request-Id";
    static final String MDC_KEY = "request_id";

    private static final int MAX_LENGTH = 64;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestId() {}

    /** The caller's id when it is sane (1-64 of {@code [A-Za-z0-9._:-]}), otherwise a new one. */
    static String acceptOrGenerate(@Nullable String offered) {
        return isSane(offered) ? offered : generate();
    }

    static boolean isSane(@Nullable String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == ':';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits as 32 hex digits, the shape nginx gives {@code $request_id}. */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[15 - i] = HEX[(int) (high >>> (i * 4)) & 0xF];
            out[31 - i] = HEX[(int) (low >>> (i * 4)) & 0xF];
        }
        return new String(out);
    }
}
