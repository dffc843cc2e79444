package dev.shortener.user;

import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of accounts (people who sign in to the web application with a password).
 *
 * @param signup {@code SIGNUP}: {@code open} (anyone creates an account), {@code invite} (only
 *     through an admin's invitation link) or {@code closed} (no new account; reset links still work)
 * @param adminEmail {@code ADMIN_EMAIL}: the first admin's e-mail address, created at start-up
 * @param adminPassword {@code ADMIN_PASSWORD}: that admin's password, set at every start-up
 * @param inviteTtl how long an invitation link works ({@code INVITE_TTL})
 * @param resetTtl how long a password-reset link works ({@code PASSWORD_RESET_TTL})
 */
@ConfigurationProperties("shortener.accounts")
public record AccountSettings(
        @DefaultValue("open") String signup,
        @Nullable String adminEmail,
        @Nullable String adminPassword,
        @DefaultValue("7d") Duration inviteTtl,
        @DefaultValue("1d") Duration resetTtl) {

    /** Who may create an account. */
    public enum Signup {
        OPEN,
        INVITE,
        CLOSED
    }

    public AccountSettings {
        signupMode(signup);
        adminEmail = adminEmail == null || adminEmail.isBlank() ? null : adminEmail.trim();
        adminPassword = adminPassword == null || adminPassword.isEmpty() ? null : adminPassword;
        if ((adminEmail == null) != (adminPassword == null)) {
            throw new IllegalArgumentException("Set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither");
        }
        if (adminEmail != null && !Email.isValid(adminEmail)) {
            throw new IllegalArgumentException("ADMIN_EMAIL must be an e-mail address, not '" + adminEmail + "'");
        }
        if (adminPassword != null) {
            Password.problemWith(adminPassword).ifPresent(problem -> {
                throw new IllegalArgumentException("ADMIN_PASSWORD: " + problem);
            });
        }
        if (!inviteTtl.isPositive() || !resetTtl.isPositive()) {
            throw new IllegalArgumentException("INVITE_TTL and PASSWORD_RESET_TTL must be positive");
        }
    }

    public Signup signupMode() {
        return signupMode(signup);
    }

    private static Signup signupMode(String value) {
        try {
            return Signup.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SIGNUP must be open, invite or closed, not '" + value + "'", e);
        }
    }
}
