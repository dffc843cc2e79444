package dev.shortener.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole service over real HTTP for account page tests: keys mode, sign-up by invitation only,
 * a known administrator, a small sign-in budget and anonymous links on. One annotation, so that the
 * classes using it share one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "shortener.embedded.data-dir=target/embedded-test-data",
            "shortener.embedded.clean=true",
            "shortener.auth.mode=keys",
            "shortener.accounts.signup=invite",
            "shortener.accounts.admin-email=" + AccountPagesContext.ADMIN_EMAIL,
            "shortener.accounts.admin-password=" + AccountPagesContext.ADMIN_PASSWORD,
            "shortener.rate-limits.sign-ins=5",
            "shortener.web.anonymous-links=true"
        })
@interface AccountPagesContext {

    String ADMIN_EMAIL = "chief@example.com";
    String ADMIN_PASSWORD = "chief-password-1234";
}
