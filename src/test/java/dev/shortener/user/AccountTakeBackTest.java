package dev.shortener.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api;
import dev.shortener.KeysMode;
import dev.shortener.identity.ApiKeys;
import dev.shortener.identity.KeyIntrospector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An account whose password a reset link replaces, or that {@code ADMIN_EMAIL} and {@code
 * ADMIN_PASSWORD} make the admin, is taken back: whoever had it, or signed up with the address,
 * keeps no API key and no passkey. A first password takes nothing.
 */
@KeysMode
class AccountTakeBackTest {

    @LocalServerPort
    private int port;

    @Autowired
    JdbcClient db;

    @Autowired
    Users users;

    @Autowired
    ApiKeys keys;

    @Autowired
    KeyIntrospector introspector;

    @Autowired
    AccountLinks links;

    @Autowired
    Accounts accounts;

    private Api anonymous;
    private Api admin;

    @BeforeEach
    void connect() {
        anonymous = new Api("http://127.0.0.1:" + port);
        admin = anonymous.withKey(KeysMode.ADMIN_KEY);
    }

    private static String newEmail() {
        return "taken" + System.nanoTime() + "@example.com";
    }

    private long newUser(String email) {
        return admin.post("/users", Map.of("username", "someone", "email", email))
                .expect(201)
                .json()
                .get("id")
                .asLong();
    }

    /** A key of the account's present holder, which works until the account is taken back. */
    private String keyOf(long userId) {
        String key = admin.post(
                        "/api-keys", Map.of("name", "theirs", "scopes", List.of("links:read"), "user_id", userId))
                .expect(201)
                .json()
                .get("key")
                .asString();
        anonymous.withKey(key).get("/urls").expect(200);
        return key;
    }

    /** A passkey's user entity, as Spring Security's repository stores it. */
    private void passkeyOf(long userId) {
        db.sql("INSERT INTO user_entities (id, name, display_name) VALUES (?, ?, 'theirs')")
                .params("entity-" + userId, Long.toString(userId))
                .update();
    }

    private long passkeys(long userId) {
        return db.sql("SELECT count(*) FROM user_entities WHERE user_id = ?")
                .param(userId)
                .query(Long.class)
                .single();
    }

    private Accounts startingWithAdmin(String email) {
        return new Accounts(
                db,
                users,
                new AccountSettings("open", email, "the-operators-password-1", Duration.ofDays(7), Duration.ofDays(1)),
                keys,
                introspector);
    }

    @Test
    void adminEmailNamingAnAccountSomeoneSignedUpWithLeavesThemNoWayIn() {
        String email = newEmail();
        long id = newUser(email);
        accounts.setPassword(id, "the-sign-ups-password"); // as a sign-up leaves it
        String theirs = keyOf(id);
        passkeyOf(id);

        startingWithAdmin(email).afterSingletonsInstantiated(); // what a start with ADMIN_EMAIL does

        anonymous.withKey(theirs).get("/urls").expect(401);
        assertThat(passkeys(id)).isZero();
        assertThat(db.sql("SELECT is_admin FROM users WHERE id = ?")
                        .param(id)
                        .query(Boolean.class)
                        .single())
                .isTrue();
    }

    @Test
    void anAccountWithoutAPasswordKeepsItsKeysAndARestartWithTheSameSettingsTakesNothing() {
        String email = newEmail();
        long id = newUser(email); // made through the API: keys, no password, nobody to take it from
        String scripts = keyOf(id);
        Accounts starting = startingWithAdmin(email);
        starting.afterSingletonsInstantiated();
        anonymous.withKey(scripts).get("/urls").expect(200);
        passkeyOf(id);

        starting.afterSingletonsInstantiated();

        anonymous.withKey(scripts).get("/urls").expect(200);
        assertThat(passkeys(id)).isOne();
    }

    @Test
    void aResetLinkRevokesTheKeysAndPasskeysOfWhoeverHadTheAccount() {
        long id = newUser(newEmail());
        accounts.setPassword(id, "the-holders-password");
        String theirs = keyOf(id);
        passkeyOf(id);
        String reset = links.issue(id, AccountLinks.Purpose.RESET, "test").token();

        assertThat(links.redeem(reset, "a-password-of-my-own")).isPresent();

        anonymous.withKey(theirs).get("/urls").expect(401);
        assertThat(passkeys(id)).isZero();
    }

    @Test
    void aFirstPasswordFromALinkKeepsTheKeysTheAccountsScriptsUse() {
        long id = newUser(newEmail()); // made through the API: keys, no password
        String scripts = keyOf(id);
        String link = links.issue(id, AccountLinks.Purpose.RESET, "test").token();

        assertThat(links.redeem(link, "a-first-password-of-mine")).isPresent();

        anonymous.withKey(scripts).get("/urls").expect(200);
    }
}
