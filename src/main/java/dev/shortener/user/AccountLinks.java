package dev.shortener.user;

import dev.shortener.identity.Caller;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The one-time links (invitation, password reset) an admin hands out, each setting an account's
 * password once before it expires. Only SHA-256 hashes of their tokens are stored.
 */
@Component
public class AccountLinks {

    /** What a one-time link is for. */
    public enum Purpose {
        INVITE,
        RESET;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A one-time link's secret token, shown once to the admin who asked for it. */
    public record AccountLink(String token, Purpose purpose, LocalDateTime expiresAt) {}

    /** Whom a valid one-time link is for. */
    public record Invitee(long userId, String username, String email, Purpose purpose) {}

    private final JdbcClient db;
    private final Accounts accounts;
    private final AccountSettings settings;

    AccountLinks(JdbcClient db, Accounts accounts, AccountSettings settings) {
        this.db = db;
        this.accounts = accounts;
        this.settings = settings;
    }

    /** A new one-time link for an existing user; earlier unused links of the same purpose stop working. */
    @Transactional
    public AccountLink issue(long userId, Purpose purpose, String actor) {
        Duration ttl = purpose == Purpose.INVITE ? settings.inviteTtl() : settings.resetTtl();
        LocalDateTime expires = now().plus(ttl);
        db.sql("UPDATE account_links SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL")
                .params(now(), userId, purpose.text())
                .update();
        String token = Accounts.token();
        db.sql(
                        "INSERT INTO account_links (user_id, purpose, token_hash, created_by, expires_at) VALUES (?, ?, ?, ?, ?)")
                .params(userId, purpose.text(), Accounts.hash(token), actor, expires)
                .update();
        return new AccountLink(token, purpose, expires);
    }

    /** Whom {@code token} is for, while it is unused and unexpired. */
    public Optional<Invitee> pending(String token) {
        return db.sql("""
                        SELECT u.id, u.username, u.email, l.purpose
                        FROM account_links l JOIN users u ON u.id = l.user_id
                        WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ?""")
                .params(Accounts.hash(token), now())
                .query((row, i) -> new Invitee(
                        row.getLong(1),
                        row.getString(2),
                        row.getString(3),
                        Purpose.valueOf(row.getString(4).toUpperCase(Locale.ROOT))))
                .optional();
    }

    /** Sets the password through a one-time link and uses the link up; the caller it signs in as. */
    @Transactional
    public Optional<Caller> redeem(String token, String password) {
        Optional<Long> userId = db.sql("""
                        UPDATE account_links SET used_at = ?
                        WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
                        RETURNING user_id""")
                .params(now(), Accounts.hash(token), now())
                .query(Long.class)
                .optional();
        userId.ifPresent(id -> {
            accounts.setPasswordFromLink(id, password);
            // the other links of the account (an older invitation, say) must not set it again
            db.sql("UPDATE account_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL")
                    .params(now(), id)
                    .update();
        });
        return userId.map(id -> Caller.ofUser(id, admin(id)));
    }

    private boolean admin(long userId) {
        return db.sql("SELECT is_admin FROM users WHERE id = ?")
                .param(userId)
                .query(Boolean.class)
                .single();
    }

    private static LocalDateTime now() {
        return LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
    }
}
