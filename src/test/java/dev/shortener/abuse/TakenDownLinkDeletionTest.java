package dev.shortener.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api;
import dev.shortener.KeysMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A link an admin took down stays down for its owner: deleting it, which would free its short code
 * for the same destination again, is refused; an admin may delete it.
 */
@KeysMode
class TakenDownLinkDeletionTest {

    @LocalServerPort
    private int port;

    @Test
    void itsOwnerCannotDeleteATakenDownLinkAndCreateItsCodeAgain() {
        Api anonymous = new Api("http://127.0.0.1:" + port);
        Api admin = anonymous.withKey(KeysMode.ADMIN_KEY);
        long user = admin.post(
                        "/users", Map.of("username", "owner", "email", "owner" + System.nanoTime() + "@example.com"))
                .expect(201)
                .json()
                .get("id")
                .asLong();
        Api owner = anonymous.withKey(admin.post(
                        "/api-keys",
                        Map.of("name", "owner's", "scopes", List.of("links:read", "links:write"), "user_id", user))
                .expect(201)
                .json()
                .get("key")
                .asString());
        JsonNode link = owner.post("/urls", Map.of("original_url", "https://phish.example/" + System.nanoTime()))
                .expect(201)
                .json();
        long id = link.get("id").asLong();
        String code = link.get("short_code").asString();
        admin.put("/urls/" + id + "/block", Map.of("reason", "phishing")).expect(200);

        JsonNode refused = owner.delete("/urls/" + id).expect(409).json();

        assertThat(refused.get("detail").asString()).contains("taken down");
        owner.post("/urls", Map.of("short_code", code, "original_url", "https://phish.example/again"))
                .expect(409);
        anonymous.get("/" + code).expect(410);
        admin.delete("/urls/" + id).expect(204);
    }
}
