package dev.shortener;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The whole application in {@code AUTH_MODE=keys} with an admin key from the environment, on a
 * random port, sharing the tests' PostgreSQL and Redis. Every test class with it shares one context.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "shortener.embedded.data-dir=target/embedded-test-data",
            "shortener.embedded.clean=true",
            "shortener.auth.mode=keys",
            "shortener.auth.admin-api-key=" + KeysMode.ADMIN_KEY,
            "shortener.auth.last-used-flush=200ms",
            // these tests make hundreds of changes a minute with one key; RateLimitTest checks the limits
            "shortener.rate-limits.writes=100000",
            "shortener.rate-limits.reads=100000",
            "shortener.rate-limits.sign-ins=100000"
        })
public @interface KeysMode {

    /** The operator's key of these instances ({@code ADMIN_API_KEY}). */
    String ADMIN_KEY = "test-admin-key-5RqYb1V7nK0dWm3Zs8Lc2Tf9Hx4Pj6Ga";
}
