package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.user.AccountLinks;
import dev.shortener.user.Accounts;
import dev.shortener.user.Email;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Passkey ceremonies over real HTTP, as the pages' script sends them, for what a browser test cannot
 * send: answers without a ceremony, answers that are not credentials, replays of a ceremony, and the
 * options a browser gets. The whole ceremony with an authenticator is in {@link WebApplicationTest}.
 */
@AccountPagesContext
class PasskeyPagesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    private int port;

    @Autowired
    private Accounts accounts;

    @Autowired
    private AccountLinks accountLinks;

    @Autowired
    private JdbcClient db;

    @Test
    void registrationOptionsNameThisSiteAndTheAccountAndExcludeNothingYet() {
        String email = "opts" + System.nanoTime() + "@example.com";
        long id =
                accounts.signUp("Opts", new Email(email), "options-password-1").id();
        PageClient person = new PageClient(base(), "198.51.100.20");
        person.signIn(email, "options-password-1");
        person.get("/-/settings/passkeys");

        HttpResponse<String> wrong =
                person.postJson("/-/settings/passkeys/options", "{\"password\":\"not-the-password\"}");
        assertThat(wrong.statusCode())
                .as("adding a passkey asks for the password")
                .isEqualTo(400);
        assertThat(wrong.body()).contains("Enter your password");
        HttpResponse<String> answer =
                person.postJson("/-/settings/passkeys/options", "{\"password\":\"options-password-1\"}");

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode options = JSON.readTree(answer.body());
        assertThat(options.path("rp").path("id").asString()).isEqualTo("localhost");
        assertThat(options.path("user").path("name").asString()).isEqualTo(Long.toString(id));
        assertThat(options.path("user").path("displayName").asString()).isEqualTo(email);
        assertThat(options.path("challenge").asString()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(options.path("excludeCredentials")).isEmpty();
        assertThat(options.path("authenticatorSelection")
                        .path("userVerification")
                        .asString())
                .isEqualTo("required");
        assertThat(options.path("authenticatorSelection").path("residentKey").asString())
                .isEqualTo("required");
        assertThat(db.sql("SELECT count(*) FROM user_entities WHERE user_id = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isOne();

        db.sql("DELETE FROM users WHERE id = ?").param(id).update();
        assertThat(db.sql("SELECT count(*) FROM user_entities WHERE name = ?")
                        .param(Long.toString(id))
                        .query(Long.class)
                        .single())
                .as("an account's passkeys go with it")
                .isZero();
    }

    @Test
    void answersThatAreNoCredentialsOrComeWithoutACeremonyGetAProblemNeverAServerError() {
        String email = "bad" + System.nanoTime() + "@example.com";
        accounts.signUp("Bad", new Email(email), "bad-answers-password-1");
        PageClient person = new PageClient(base(), "198.51.100.21");
        person.signIn(email, "bad-answers-password-1");
        person.get("/-/settings/passkeys");
        for (String body : List.of(
                "{}",
                "not json",
                "{\"credential\":{\"id\":\"x\",\"response\":{\"clientDataJSON\":\"@@@\"}}}",
                "{\"label\":\"" + "x".repeat(101) + "\",\"credential\":{}}")) {
            assertThat(person.postJson("/-/settings/passkeys", body).statusCode())
                    .as("without a ceremony: %s", body)
                    .isEqualTo(400);
            person.postJson("/-/settings/passkeys/options", "{\"password\":\"bad-answers-password-1\"}");
            HttpResponse<String> answer = person.postJson("/-/settings/passkeys", body);
            assertThat(answer.statusCode()).as(body).isEqualTo(400);
            assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(answer.body()).contains("\"detail\"").doesNotContain("Exception");
        }

        PageClient visitor = new PageClient(base(), "198.51.100.22");
        visitor.get("/-/login");
        assertThat(visitor.postJson("/-/login/passkey", "{}").statusCode()).isEqualTo(400);
        HttpResponse<String> options = visitor.postJson("/-/login/passkey/options", "{}");
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(options.body()).path("allowCredentials")).isEmpty();
        assertThat(JSON.readTree(options.body()).path("userVerification").asString())
                .isEqualTo("required");
        HttpResponse<String> forged = visitor.postJson(
                "/-/login/passkey",
                "{\"credential\":{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\",\"response\":"
                        + "{\"clientDataJSON\":\"AAAA\",\"authenticatorData\":\"AAAA\",\"signature\":\"AAAA\"}}}");
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).contains("could not be verified");
        assertThat(visitor.postJson("/-/login/passkey", "{}").statusCode())
                .as("a ceremony takes one answer")
                .isEqualTo(400);
        assertThat(visitor.get("/-/links").statusCode()).as("still signed out").isEqualTo(302);
    }

    @Test
    void aPasswordResetRemovesTheAccountsPasskeys() {
        String email = "reset" + System.nanoTime() + "@example.com";
        long id = accounts.signUp("Reset", new Email(email), "before-reset-password")
                .id();
        db.sql("INSERT INTO user_entities (id, name, display_name) VALUES (?, ?, ?)")
                .params("entity-" + id, Long.toString(id), email)
                .update();
        db.sql("""
                INSERT INTO user_credentials (credential_id, user_entity_user_id, public_key, backup_eligible,
                                              backup_state, label)
                VALUES (?, ?, '\\x00'::bytea, false, false, 'Stolen laptop')""").params("credential-" + id, "entity-" + id).update();

        AccountLinks.AccountLink reset = accountLinks.issue(id, AccountLinks.Purpose.RESET, "test");
        assertThat(accountLinks.redeem(reset.token(), "after-reset-password")).isPresent();

        assertThat(db.sql("SELECT count(*) FROM user_credentials WHERE credential_id = ?")
                        .param("credential-" + id)
                        .query(Long.class)
                        .single())
                .as("whoever added a passkey before the reset loses it")
                .isZero();
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }
}
