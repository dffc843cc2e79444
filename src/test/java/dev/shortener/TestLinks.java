package dev.shortener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.link.Link;
import java.time.LocalDateTime;
import java.util.Map;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Links made and changed through the real {@code /urls} API of one instance. */
public final class TestLinks {

    private final Api api;
    private final JdbcClient db;

    public TestLinks(Api api, ApplicationContext context) {
        this.api = api;
        this.db = context.getBean(JdbcClient.class);
    }

    public Link create(String code, String originalUrl, boolean active) {
        Link link = read(api.post("/urls", Map.of("short_code", code, "original_url", originalUrl))
                .expect(201)
                .json());
        return active ? link : update(link, Map.of("is_active", false));
    }

    public Link changeTarget(Link link, String originalUrl) {
        Link changed = update(link, Map.of("original_url", originalUrl));
        assertThat(changed.originalUrl()).isEqualTo(originalUrl);
        return changed;
    }

    public Link deactivate(Link link) {
        return update(link, Map.of("is_active", false));
    }

    public void delete(Link link) {
        api.delete("/urls/" + link.id()).expect(204);
    }

    /**
     * Writes a link straight into the table, as an import of old data may, with a code the API
     * refuses (one that names a route).
     */
    public void plant(String code, String originalUrl) {
        db.sql("DELETE FROM urls WHERE short_code = ?").param(code).update();
        db.sql("INSERT INTO urls (short_code, original_url) VALUES (?, ?)")
                .params(code, originalUrl)
                .update();
    }

    public long clicks(long urlId) {
        return db.sql("SELECT count(*) FROM events WHERE url_id = ? AND event_type = 'click'")
                .param(urlId)
                .query(Long.class)
                .single();
    }

    private Link update(Link link, Map<String, Object> fields) {
        return read(api.put("/urls/" + link.id(), fields).expect(200).json());
    }

    private static Link read(JsonNode json) {
        return new Link(
                json.get("id").asLong(),
                json.get("user_id").isNull() ? null : json.get("user_id").asLong(),
                json.get("short_code").asString(),
                json.get("original_url").asString(),
                json.get("title").isNull() ? null : json.get("title").asString(),
                json.get("is_active").asBoolean(),
                LocalDateTime.parse(json.get("created_at").asString()),
                LocalDateTime.parse(json.get("updated_at").asString()),
                0);
    }
}
