package dev.shortener.user;

import dev.shortener.identity.AccountStamps;
import dev.shortener.identity.ApiKeys;
import dev.shortener.identity.Caller;
import dev.shortener.identity.KeyIntrospector;
import dev.shortener.platform.SqlFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
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
 * People who sign in with a password: sign-up, sign-in and the first admin; the one-time links
 * that set a password are {@link AccountLinks}. Only Argon2id hashes of passwords are stored.
 */
@Component
public class Accounts implements SmartInitializingSingleton, AccountStamps {

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
    private final ApiKeys keys;
    private final KeyIntrospector introspector;
    /** Checked when the e-mail address is unknown, so that such an answer takes as long as a wrong password. */
    private final String decoyHash = HASHES.encode(token());

    Accounts(JdbcClient db, Users users, AccountSettings settings, ApiKeys keys, KeyIntrospector introspector) {
        this.db = db;
        this.users = users;
        this.settings = settings;
        this.keys = keys;
        this.introspector = introspector;
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
    public User signUp(String username, Email email, String password) {
        User user = users.create(username, email);
        setPassword(user.id(), password);
        return user;
    }

    /** Creates a user without a password, who gets one through an invitation link. */
    public User invite(String username, Email email) {
        return users.create(username, email);
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
                return users.create(email.substring(0, email.indexOf('@')), new Email(email))
                        .id();
            } catch (Users.EmailTaken e) {
                return userIdOf(email).orElseThrow(); // another replica created it a moment ago
            }
        });
        boolean promoted = db.sql("UPDATE users SET is_admin = true WHERE id = ? AND NOT is_admin")
                        .param(id)
                        .update()
                > 0;
        // hashed again only when it changed: a new hash (new salt) would end the admin's sessions
        String current = db.sql("SELECT password_hash FROM users WHERE id = ?")
                .param(id)
                .query(String.class)
                .optional()
                .orElse(null);
        boolean changed = current == null || !HASHES.matches(password, current);
        if (changed || HASHES.upgradeEncoding(current)) {
            setPassword(id, password);
        }
        if (current != null && (promoted || changed)) {
            // whoever signed up with the address, or had the old password, keeps no way in; an
            // account that had no password had no holder but the admins who made its keys
            takeBack(id);
        }
        log.info("ADMIN_EMAIL {} is an admin with the password of ADMIN_PASSWORD", email);
    }

    /**
     * Takes the account back from whoever may have had it, after a reset link replaced its password
     * or {@code ADMIN_EMAIL} made it the admin or gave it {@code ADMIN_PASSWORD}: its passkeys go
     * and its API keys are revoked (its sessions end with the password's stamp).
     */
    private void takeBack(long userId) {
        boolean passkeys = db.sql("DELETE FROM user_entities WHERE user_id = ?")
                        .param(userId)
                        .update()
                > 0;
        int revoked = keys.revokeAllOf(userId);
        if (revoked > 0) {
            introspector.forget();
        }
        if (passkeys || revoked > 0) {
            log.warn(
                    "Account {} taken back: {} of its API keys revoked{}",
                    userId,
                    revoked,
                    passkeys ? ", its passkeys removed" : "");
        }
    }

    /**
     * Sets the password a one-time link gave. An account that had one is taken back; a first
     * password (an invitation, a user made through the API) takes nothing: the account's keys are
     * its scripts', not an intruder's.
     */
    void setPasswordFromLink(long userId, String password) {
        boolean hadPassword = db.sql("SELECT password_hash IS NOT NULL FROM users WHERE id = ?")
                .param(userId)
                .query(Boolean.class)
                .optional()
                .orElse(false);
        setPassword(userId, password);
        if (hadPassword) {
            takeBack(userId);
        }
    }

    private Optional<Long> userIdOf(String email) {
        return db.sql("SELECT id FROM users WHERE lower(email) = lower(?)")
                .param(email)
                .query(Long.class)
                .optional();
    }

    static String token() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
