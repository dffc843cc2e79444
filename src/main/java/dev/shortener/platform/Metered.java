package dev.shortener.platform;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which rate-limit budget a handler draws on. Handlers without it draw on {@link Budget#READS}
 * (GET, HEAD) or {@link Budget#WRITES} (everything else).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface Metered {

    Budget value();

    /** The budgets, each per caller (a user, an operator key, else the client address) and minute. */
    enum Budget {
        /** Not limited: redirects of known codes, probes, errors. */
        NONE,
        READS,
        WRITES,
        SIGN_IN,
        /** Lookups of short codes that do not exist: an enumeration scan. */
        UNKNOWN_CODES
    }
}
