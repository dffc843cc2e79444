package dev.shortener.identity;

import dev.shortener.Api;
import dev.shortener.KeysMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/** Users and keys made through the API with the operator's key, for the identity tests. */
final class Keys {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Api admin;

    Keys(Api anonymous) {
        this.admin = anonymous.withKey(KeysMode.ADMIN_KEY);
    }

    Api admin() {
        return admin;
    }

    long newUser() {
        String email = "keyholder" + System.nanoTime() + "-" + SEQUENCE.incrementAndGet() + "@example.com";
        return admin.post("/users", Map.of("username", "keyholder", "email", email))
                .expect(201)
                .json()
                .get("id")
                .asLong();
    }

    /** A new key of {@code userId} (null: an operator's key); the whole answer, secret included. */
    JsonNode newKey(Long userId, String... scopes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "test key " + SEQUENCE.incrementAndGet());
        body.put("scopes", List.of(scopes));
        if (userId != null) {
            body.put("user_id", userId);
        }
        return admin.post("/api-keys", body).expect(201).json();
    }

    /** The secret of a new key of {@code userId} with every scope but admin. */
    String userKey(long userId) {
        return newKey(userId, "links:read", "links:write", "stats:read")
                .get("key")
                .asString();
    }

    /** A new link of {@code userId}, as the admin makes it. */
    JsonNode newLink(long userId) {
        return admin.post(
                        "/urls",
                        Map.of(
                                "user_id",
                                userId,
                                "original_url",
                                "https://example.com/owned/" + System.nanoTime(),
                                "title",
                                "Owned"))
                .expect(201)
                .json();
    }

    /** The session cookie of a sign-in with {@code key}, as a Cookie header value. */
    static String sessionCookie(Api.Response signIn) {
        String setCookie = signIn.header("Set-Cookie");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }
}
