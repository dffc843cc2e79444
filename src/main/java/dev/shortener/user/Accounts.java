package dev.shortener.user;

import dev.shortener.identity.AccountStamps;
import dev.shortener.identity.Caller;
import dev.shortener.platform.SqlFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * People who sign in with a password: sign-up, sign-in, the first admin, and the one-time links
 * (invitation, password reset) an admin hands out. Only Argon2id hashes of passwords and SHA-256
 * hashes of link tokens are stored.
 */
@Component
public class Accounts implements SmartInitializingSingleton, AccountStamps {

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

    /** A user as the admin pages list them. */
    public record Account(
            long id, String username, String email, boolean admin, boolean hasPassword, LocalDateTime createdAt) {}

    private record Stored(long id, @Nullable String passwordHash, boolean isAdmin) {}

    private static final Logger log = LoggerFactory.getLogger(Accounts.class);
    private static final PasswordEncoder HASHES = new DelegatingPasswordEncoder(
            "argon2", Map.of("argon2", Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8()));
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TOKEN_BYTES = 32;

    private final JdbcClient db;
    private final Users users;
    private final AccountSettings settings;
    /** Checked when the e-mail address is unknown, so that such an answer takes as long as a wrong password. */
    private final String decoyHash = HASHES.encode(token());

    Accounts(JdbcClient db, Users users, AccountSettings settings) {
        this.db = db;
        this.users = users;
        this.settings = settings;
    }

    /** The caller a correct e-mail address and password sign in as; empty for anything else. */
    public Optional<Caller> signIn(String email, String password) {
        Optional<Stored> stored = db.sql("SELECT id, password_hash, is_admin FROM users WHERE lower(email) = lower(?)")
                .param(email.trim())
                .query(Stored.class)
                .optional();
        String hash = stored.map(Stored::passwordHash).orElse(null);
        boolean matches = HASHES.matches(password, hash != null ? hash : decoyHash);
        if (!matches || hash == null) {
            return Optional.empty();
        }
        Stored account = stored.get();
        if (HASHES.upgradeEncoding(hash)) {
            setPassword(account.id(), password);
        }
        return Optional.of(Caller.ofUser(account.id(), account.isAdmin()));
    }

    /** A digest of the account's password hash and role: it changes with either. */
    @Override
    public Optional<String> stampOf(long userId) {
        return db.sql("SELECT id, password_hash, is_admin FROM users WHERE id = ?")
                .param(userId)
                .query(Stored.class)
                .optional()
                .filter(account -> account.passwordHash() != null)
                .map(account -> HexFormat.of().formatHex(hash(account.passwordHash() + "|" + account.isAdmin())));
    }

    /** Creates a user with a password; a taken e-mail address is {@link Users.EmailTaken}. */
    @Transactional
    public User signUp(String username, String email, String password) {
        User user = users.create(username, email);
        setPassword(user.id(), password);
        return user;
    }

    /** Creates a user without a password, who gets one through an invitation link. */
    public User invite(String username, String email) {
        return users.create(username, email);
    }

    /** A new one-time link for an existing user; earlier unused links of the same purpose stop working. */
    @Transactional
    public AccountLink issue(long userId, Purpose purpose, String actor) {
        Duration ttl = purpose == Purpose.INVITE ? settings.inviteTtl() : settings.resetTtl();
        LocalDateTime expires = now().plus(ttl);
        db.sql("UPDATE account_links SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL")
                .params(now(), userId, purpose.text())
                .update();
        String token = token();
        db.sql(
                        "INSERT INTO account_links (user_id, purpose, token_hash, created_by, expires_at) VALUES (?, ?, ?, ?, ?)")
                .params(userId, purpose.text(), hash(token), actor, expires)
                .update();
        return new AccountLink(token, purpose, expires);
    }

    /** Whom {@code token} is for, while it is unused and unexpired. */
    public Optional<Invitee> pending(String token) {
        return db.sql("""
                        SELECT u.id, u.username, u.email, l.purpose
                        FROM account_links l JOIN users u ON u.id = l.user_id
                        WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ?""")
                .params(hash(token), now())
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
        Optional<Long> userId =
                db.sql("""
                        UPDATE account_links SET used_at = ?
                        WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
                        RETURNING user_id""").params(now(), hash(token), now()).query(Long.class).optional();
        userId.ifPresent(id -> {
            setPassword(id, password);
            // the other links of the account (an older invitation, say) must not set it again
            db.sql("UPDATE account_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL")
                    .params(now(), id)
                    .update();
            // a reset takes the account back from whoever had it: passkeys they added go too
            db.sql("DELETE FROM user_entities WHERE user_id = ?").param(id).update();
        });
        return userId.map(id -> Caller.ofUser(id, admin(id)));
    }

    public void setPassword(long userId, String password) {
        db.sql("UPDATE users SET password_hash = ? WHERE id = ?")
                .params(HASHES.encode(password), userId)
                .update();
    }

    /** Users with their role and whether they have a password, newest first, for the admin pages. */
    public List<Account> list(@Nullable String search, int limit) {
        String pattern = SqlFilter.containing(search);
        return db.sql("""
                        SELECT id, username, email, is_admin AS admin, password_hash IS NOT NULL AS has_password, created_at
                        FROM users
                        WHERE CAST(:pattern AS text) IS NULL OR email ILIKE :pattern OR username ILIKE :pattern
                        ORDER BY id DESC LIMIT :limit""")
                .param("pattern", pattern)
                .param("limit", limit)
                .query(Account.class)
                .list();
    }

    /** Creates or updates the first admin from {@code ADMIN_EMAIL} and {@code ADMIN_PASSWORD}. */
    @Override
    public void afterSingletonsInstantiated() {
        String email = settings.adminEmail();
        String password = settings.adminPassword();
        if (email == null || password == null) {
            return;
        }
        long id = userIdOf(email).orElseGet(() -> {
            try {
                return users.create(email.substring(0, email.indexOf('@')), email)
                        .id();
            } catch (Users.EmailTaken e) {
                return userIdOf(email).orElseThrow(); // another replica created it a moment ago
            }
        });
        db.sql("UPDATE users SET is_admin = true WHERE id = ?").param(id).update();
        // hashed again only when it changed: a new hash (new salt) would end the admin's sessions
        String current = db.sql("SELECT password_hash FROM users WHERE id = ?")
                .param(id)
                .query(String.class)
                .optional()
                .orElse(null);
        if (current == null || !HASHES.matches(password, current) || HASHES.upgradeEncoding(current)) {
            setPassword(id, password);
        }
        log.info("ADMIN_EMAIL {} is an admin with the password of ADMIN_PASSWORD", email);
    }

    private Optional<Long> userIdOf(String email) {
        return db.sql("SELECT id FROM users WHERE lower(email) = lower(?)")
                .param(email)
                .query(Long.class)
                .optional();
    }

    private boolean admin(long userId) {
        return db.sql("SELECT is_admin FROM users WHERE id = ?")
                .param(userId)
                .query(Boolean.class)
                .single();
    }

    private static String token() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static LocalDateTime now() {
        return LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
    }
}
