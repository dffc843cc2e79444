package dev.shortener.abuse;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Rate-limit budgets per caller and minute; 0 turns a budget off. Callers of the open mode
 * (anonymous, with every right) draw only on the unknown-codes and sign-in budgets.
 *
 * @param writes {@code RATE_LIMIT_WRITES}: POST, PUT and DELETE per user, operator key or address
 * @param reads {@code RATE_LIMIT_READS}: API reads (redirects are never limited)
 * @param signIns {@code RATE_LIMIT_SIGN_IN}: sign-in attempts per address
 * @param unknownCodes {@code RATE_LIMIT_UNKNOWN_CODES}: lookups of codes that do not exist
 * @param redisTimeout how long a shared bucket in Redis may take before this instance counts alone
 * @param redisRetry how long an instance counts alone after Redis failed
 */
@ConfigurationProperties("shortener.rate-limits")
record RateLimitSettings(
        @DefaultValue("600") int writes,
        @DefaultValue("6000") int reads,
        @DefaultValue("10") int signIns,
        @DefaultValue("300") int unknownCodes,
        @DefaultValue("100ms") Duration redisTimeout,
        @DefaultValue("5s") Duration redisRetry) {

    RateLimitSettings {
        if (writes < 0 || reads < 0 || signIns < 0 || unknownCodes < 0) {
            throw new IllegalArgumentException("rate limits must be 0 (off) or positive");
        }
    }
}
