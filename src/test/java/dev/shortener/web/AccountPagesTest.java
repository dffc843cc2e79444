package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.SessionAge;
import dev.shortener.identity.ApiKeys;
import dev.shortener.identity.Caller;
import dev.shortener.identity.Scope;
import dev.shortener.user.AccountLinks;
import dev.shortener.user.Accounts;
import dev.shortener.user.User;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Accounts over real HTTP, as a browser's forms send them, with sign-up by invitation only, a small
 * sign-in budget and anonymous links on: invitations, password resets, the sign-in limit, where a
 * sign-in may send the browser, and shortening without an account.
 */
@AccountPagesContext
class AccountPagesTest {

    static final String ADMIN_EMAIL = AccountPagesContext.ADMIN_EMAIL;
    static final String ADMIN_PASSWORD = AccountPagesContext.ADMIN_PASSWORD;
    private static final Pattern ACCOUNT_LINK =
            Pattern.compile("id=\"account-link\" type=\"text\" readonly value=\"([^\"]+)\"");
    private static final AtomicInteger ADDRESSES = new AtomicInteger();

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient db;

    @Autowired
    private StringRedisTemplate redis;

    @Autowired
    private Accounts accounts;

    @Autowired
    private AccountLinks accountLinks;

    @Autowired
    private ApiKeys keys;

    private String base;

    @BeforeEach
    void base() {
        base = "http://127.0.0.1:" + port;
    }

    /** A client from an address of its own, so that each test has its own sign-in budget. */
    private PageClient client() {
        return new PageClient(base, "203.0.113." + (ADDRESSES.incrementAndGet() % 250 + 1));
    }

    @Test
    void withInvitationsOnlyNobodySignsUpAlone() {
        PageClient stranger = client();
        assertThat(stranger.get("/-/signup").body()).contains("Accounts are by invitation");
        HttpResponse<String> refused = stranger.post(
                "/-/signup", "username", "Eve", "email", "eve@example.com", "password", "eve-password-123");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(db.sql("SELECT count(*) FROM users WHERE email = 'eve@example.com'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void anInvitedPersonSetsAPasswordOnceAndSignsIn() {
        PageClient admin = client();
        admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        String email = "grace" + System.nanoTime() + "@example.com";
        admin.get("/-/admin/users");
        HttpResponse<String> invited = admin.post("/-/admin/users/invite", "username", "Grace", "email", email);
        assertThat(invited.statusCode()).isEqualTo(302);
        String page = admin.get("/-/admin/users").body();
        assertThat(page)
                .as("the form's limit is the server's")
                .contains("maxlength=\"" + User.MAX_USERNAME_LENGTH + "\"");
        String link = accountLink(page);
        assertThat(link).startsWith(base + "/-/welcome/");
        assertThat(db.sql("SELECT password_hash IS NULL FROM users WHERE email = ?")
                        .param(email)
                        .query(Boolean.class)
                        .single())
                .as("no password before the invitation is used")
                .isTrue();

        PageClient grace = client();
        assertThat(grace.get(link).body()).contains("Welcome, Grace");
        HttpResponse<String> tooShort = grace.post(link.substring(base.length()), "password", "short");
        assertThat(tooShort.statusCode()).isEqualTo(422);
        assertThat(tooShort.body()).contains("at least 12 characters");
        HttpResponse<String> set = grace.post(link.substring(base.length()), "password", "grace-password-1234");
        assertThat(grace.location(set)).isEqualTo("/-/links");
        assertThat(grace.get("/-/links").statusCode())
                .as("signed in by the invitation")
                .isEqualTo(200);
        assertThat(db.sql("SELECT password_hash FROM users WHERE email = ?")
                        .param(email)
                        .query(String.class)
                        .single())
                .as("an Argon2id hash, never the password")
                .startsWith("{argon2}$argon2id$")
                .doesNotContain("grace-password-1234");

        PageClient again = client();
        assertThat(again.get(link).statusCode()).as("the link works once").isEqualTo(404);
        again.signIn(email, "grace-password-1234");
    }

    @Test
    void aUserMadeThroughTheApiGetsAPasswordFromAResetLink() {
        Api api = new Api(base);
        String email = "api" + System.nanoTime() + "@example.com";
        long id = db.sql("INSERT INTO users (username, email) VALUES ('Api user', ?) RETURNING id")
                .param(email)
                .query(Long.class)
                .single();
        PageClient admin = client();
        admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        admin.get("/-/admin/users?q=" + email);
        admin.post("/-/admin/users/" + id + "/reset");
        String first = accountLink(admin.get("/-/admin/users").body());
        admin.post("/-/admin/users/" + id + "/reset");
        String second = accountLink(admin.get("/-/admin/users").body());

        PageClient person = client();
        assertThat(person.get(first).statusCode())
                .as("a newer link voids the older")
                .isEqualTo(404);
        assertThat(person.get(second).body()).contains("Choose a new password for " + email);
        person.post(second.substring(base.length()), "password", "a-brand-new-password");
        client().signIn(email, "a-brand-new-password");
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    @Test
    void aNewPasswordOrALostRoleEndsTheSessionsSignedInBefore() {
        String email = "holder" + System.nanoTime() + "@example.com";
        long id = db.sql("INSERT INTO users (username, email) VALUES ('Holder', ?) RETURNING id")
                .param(email)
                .query(Long.class)
                .single();
        PageClient admin = client();
        admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        admin.get("/-/admin/users?q=" + email);
        admin.post("/-/admin/users/" + id + "/reset");
        String first = accountLink(admin.get("/-/admin/users").body());
        PageClient laptop = client();
        laptop.get(first);
        laptop.post(first.substring(base.length()), "password", "the-first-password");
        assertThat(laptop.get("/-/links").statusCode()).isEqualTo(200);

        admin.post("/-/admin/users/" + id + "/reset");
        String second = accountLink(admin.get("/-/admin/users").body());
        PageClient phone = client();
        phone.get(second);
        phone.post(second.substring(base.length()), "password", "the-second-password");
        await().atMost(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(laptop.get("/-/links").statusCode())
                        .as("the laptop's session, signed in under the old password")
                        .isEqualTo(302));
        assertThat(phone.get("/-/links").statusCode()).isEqualTo(200);

        PageClient otherAdmin = client();
        db.sql("UPDATE users SET is_admin = true WHERE id = ?").param(id).update();
        otherAdmin.signIn(email, "the-second-password");
        assertThat(otherAdmin.get("/-/admin/users").statusCode()).isEqualTo(200);
        db.sql("UPDATE users SET is_admin = false WHERE id = ?").param(id).update();
        await().atMost(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(otherAdmin.get("/-/admin/users").statusCode())
                        .as("an administrator's session after the role is taken away")
                        .isEqualTo(302));
    }

    @Test
    void settingAPasswordVoidsEveryOtherLinkOfTheAccount() {
        String email = "twice" + System.nanoTime() + "@example.com";
        long id = db.sql("INSERT INTO users (username, email) VALUES ('Twice', ?) RETURNING id")
                .param(email)
                .query(Long.class)
                .single();
        String invitation =
                accountLinks.issue(id, AccountLinks.Purpose.INVITE, "test").token();
        String reset =
                accountLinks.issue(id, AccountLinks.Purpose.RESET, "test").token();
        PageClient person = client();
        person.get("/-/welcome/" + reset);
        person.post("/-/welcome/" + reset, "password", "the-chosen-password");
        assertThat(client().get("/-/welcome/" + invitation).statusCode()).isEqualTo(404);
    }

    @Test
    void aRestartWithTheSameAdminPasswordKeepsTheAdministratorsSessions() {
        PageClient admin = client();
        admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        String hash = db.sql("SELECT password_hash FROM users WHERE email = ?")
                .param(ADMIN_EMAIL)
                .query(String.class)
                .single();
        accounts.afterSingletonsInstantiated(); // what every start does
        assertThat(db.sql("SELECT password_hash FROM users WHERE email = ?")
                        .param(ADMIN_EMAIL)
                        .query(String.class)
                        .single())
                .isEqualTo(hash);
        assertThat(admin.get("/-/admin/users").statusCode()).isEqualTo(200);
    }

    @Test
    void aReadOnlyKeyCannotShortenThroughThePages() {
        long id = db.sql("INSERT INTO users (username, email) VALUES ('Reader', ?) RETURNING id")
                .param("reader" + System.nanoTime() + "@example.com")
                .query(Long.class)
                .single();
        String key = keys.issueOwn(Caller.ofUser(id, false), "read only", EnumSet.of(Scope.LINKS_READ))
                .key();
        Api.Response answer = new Api(base)
                .withKey(key)
                .raw(
                        "POST",
                        "/-/shorten",
                        "original_url=https%3A%2F%2Fexample.com%2Fsneaky",
                        "application/x-www-form-urlencoded");
        assertThat(answer.status()).isEqualTo(302);
        assertThat(answer.header("Location")).contains("/-/login");
        assertThat(db.sql("SELECT count(*) FROM urls WHERE original_url = 'https://example.com/sneaky'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void oddInputGetsAPageNeverAServerError() {
        PageClient person = client();
        person.get("/-/login");
        HttpResponse<String> nul = person.post("/-/login", "email", "a\u0000b@example.com", "password", "x");
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(nul.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");

        person.get("/-/login?next=/%7Bx%7D");
        HttpResponse<String> braces =
                person.post("/-/login", "email", ADMIN_EMAIL, "password", ADMIN_PASSWORD, "next", "/{x}");
        assertThat(person.location(braces)).isEqualTo("/-/links");

        HttpResponse<String> expired = client().post("/-/logout");
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(expired.body()).contains("This form has expired");
    }

    @Test
    void aPersonFollowingALinkFromAnotherSiteStaysSignedInForThatVisitOnly() {
        PageClient admin = client();
        admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        assertThat(admin.get("/-/links", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate")
                        .statusCode())
                .isEqualTo(200);
        assertThat(admin.get("/-/links", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors")
                        .statusCode())
                .as("a script of another site gets no signed-in answer")
                .isEqualTo(302);
    }

    @Test
    void signInAttemptsFromOneAddressAreLimited() {
        PageClient guesser = client();
        guesser.get("/-/login");
        int refused = 0;
        for (int attempt = 0; attempt < 8; attempt++) {
            HttpResponse<String> answer =
                    guesser.post("/-/login", "email", ADMIN_EMAIL, "password", "guess-number-" + attempt);
            if (answer.statusCode() == 429) {
                refused++;
                assertThat(answer.headers().firstValue("Retry-After")).isPresent();
                assertThat(answer.headers().firstValue("Content-Type").orElse(""))
                        .startsWith("text/html");
            } else {
                assertThat(answer.statusCode()).isEqualTo(422);
                assertThat(answer.body()).contains("Wrong e-mail address or password");
            }
        }
        assertThat(refused).as("attempts beyond the budget of 5").isEqualTo(3);
    }

    @Test
    void signingInNeverSendsTheBrowserToAnotherSite() {
        for (String next :
                new String[] {"//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example"}) {
            PageClient person = client();
            person.get("/-/login?next=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8));
            HttpResponse<String> answer =
                    person.post("/-/login", "email", ADMIN_EMAIL, "password", ADMIN_PASSWORD, "next", next);
            assertThat(person.location(answer)).as("after next=%s", next).isEqualTo("/-/links");
        }
        PageClient person = client();
        person.get("/-/login");
        HttpResponse<String> answer = person.post(
                "/-/login", "email", ADMIN_EMAIL, "password", ADMIN_PASSWORD, "next", "/-/settings/api-keys");
        assertThat(person.location(answer)).isEqualTo("/-/settings/api-keys");
    }

    @Test
    void anonymousLinksAreOwnerlessAndFollowTheDestinationPolicy() {
        PageClient visitor = client();
        assertThat(visitor.get("/").body()).contains("Long URL");
        HttpResponse<String> refused =
                visitor.post("/-/shorten", "original_url", "http://169.254.169.254/latest/meta-data");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("destination policy");
        HttpResponse<String> created = visitor.post("/-/shorten", "original_url", "https://example.com/anonymous");
        assertThat(visitor.location(created)).isEqualTo("/");
        String home = visitor.get("/").body();
        Matcher shortUrl = Pattern.compile("id=\"short-url\" type=\"text\" readonly value=\"([^\"]+)\"")
                .matcher(home);
        assertThat(shortUrl.find()).isTrue();
        String code = shortUrl.group(1).substring(shortUrl.group(1).lastIndexOf('/') + 1);
        assertThat(db.sql("SELECT user_id IS NULL FROM urls WHERE short_code = ?")
                        .param(code)
                        .query(Boolean.class)
                        .single())
                .isTrue();
        Api.Response redirect = new Api(base).send("GET", "/" + code, Map.of());
        assertThat(redirect.status()).isEqualTo(302);
        assertThat(redirect.header("Location")).isEqualTo("https://example.com/anonymous");
    }

    private static String accountLink(String page) {
        Matcher link = ACCOUNT_LINK.matcher(page);
        assertThat(link.find()).as("a one-time link on the page").isTrue();
        return link.group(1);
    }

    /**
     * API keys and account links outlive the session that makes them, so a stolen session cookie must
     * not be turned into one: a password sign-in older than AUTH_FRESH_SIGN_IN (15 minutes here) must
     * sign in again first, on the pages and through the API. The session's age is set in Redis.
     */
    @Test
    void aPasswordSignInOlderThanTheLimitMustSignInAgainToCreateKeysOrAccountLinks() {
        PageClient admin = client();
        admin.signIn(AccountPagesContext.ADMIN_EMAIL, AccountPagesContext.ADMIN_PASSWORD);
        assertThat(admin.get("/-/settings/api-keys").body()).doesNotContain("id=\"sign-in-again\"");
        assertThat(admin.postJson("/api-keys", "{\"name\":\"fresh\",\"scopes\":[\"links:read\"]}")
                        .statusCode())
                .isEqualTo(201);

        SessionAge.setBack(redis, admin.cookie("shortener_session"), Duration.ofMinutes(16));
        String page = admin.get("/-/settings/api-keys").body();
        assertThat(page).contains("id=\"sign-in-again\"").doesNotContain("Create key");
        HttpResponse<String> byForm = admin.post("/-/settings/api-keys", "name", "stale-form", "scope", "links:read");
        assertThat(byForm.statusCode()).isEqualTo(403);
        assertThat(byForm.body()).contains("Sign in again");
        HttpResponse<String> byApi =
                admin.postJson("/api-keys", "{\"name\":\"stale-api\",\"scopes\":[\"links:read\"]}");
        assertThat(byApi.statusCode()).isEqualTo(403);
        assertThat(byApi.body()).contains("Sign in again to create a key");
        assertThat(keysNamed("stale-form") + keysNamed("stale-api")).isZero();
        // account links are lasting credentials too: a reset link would give a new session at once
        long links = accountLinks();
        String email = "stale" + System.nanoTime() + "@example.com";
        HttpResponse<String> invite = admin.post("/-/admin/users/invite", "username", "Stale", "email", email);
        assertThat(invite.statusCode()).isEqualTo(403);
        assertThat(invite.body()).contains("Sign in again").contains("id=\"sign-in-again\"");
        long adminId = db.sql("SELECT id FROM users WHERE email = ?")
                .param(AccountPagesContext.ADMIN_EMAIL)
                .query(Long.class)
                .single();
        assertThat(admin.post("/-/admin/users/" + adminId + "/reset").statusCode())
                .isEqualTo(403);
        assertThat(accountLinks()).isEqualTo(links);
        assertThat(db.sql("SELECT count(*) FROM users WHERE email = ?")
                        .param(email)
                        .query(Long.class)
                        .single())
                .isZero();

        admin.get("/-/login?next=/-/settings/api-keys");
        HttpResponse<String> again = admin.post(
                "/-/login",
                "email",
                AccountPagesContext.ADMIN_EMAIL,
                "password",
                AccountPagesContext.ADMIN_PASSWORD,
                "next",
                "/-/settings/api-keys");
        assertThat(admin.location(again)).isEqualTo("/-/settings/api-keys");
        admin.get("/-/settings/api-keys");
        HttpResponse<String> created =
                admin.post("/-/settings/api-keys", "name", "after-sign-in", "scope", "links:read");
        assertThat(admin.location(created)).isEqualTo("/-/settings/api-keys");
        assertThat(keysNamed("after-sign-in")).isOne();
    }

    private long accountLinks() {
        return db.sql("SELECT count(*) FROM account_links").query(Long.class).single();
    }

    private long keysNamed(String name) {
        return db.sql("SELECT count(*) FROM api_keys WHERE name = ?")
                .param(name)
                .query(Long.class)
                .single();
    }
}
