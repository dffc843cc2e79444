package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api;
import dev.shortener.Api.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/** Users and links created through the API for the tests of links and events. */
public final class LinkFixtures {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    private LinkFixtures() {}

    /** A new user's id. */
    public static long newUser(Api api) {
        String email = "owner" + System.nanoTime() + "-" + SEQUENCE.incrementAndGet() + "@example.com";
        return api.post("/users", Map.of("username", "owner", "email", email))
                .expect(201)
                .json()
                .get("id")
                .asLong();
    }

    /** A new link of {@code userId} to a unique URL. */
    public static JsonNode newLink(Api api, long userId) {
        return newLink(api, Map.of("user_id", userId, "original_url", uniqueUrl(), "title", "Service guide"));
    }

    /** A new link from the given body; asserts the 201 and its Location header. */
    public static JsonNode newLink(Api api, Map<String, ?> body) {
        Response created = api.post("/urls", new LinkedHashMap<>(body)).expect(201);
        JsonNode link = created.json();
        assertThat(created.header("Location"))
                .isEqualTo("/urls/" + link.get("id").asLong());
        return link;
    }

    public static String uniqueUrl() {
        return "https://seeded.app/gold/meadow/" + System.nanoTime() + "-" + SEQUENCE.incrementAndGet();
    }
}
