package dev.shortener.event;

import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static dev.shortener.link.LinkFixtures.uniqueUrl;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The lifecycle of every link is recorded in the events log, which outlives links and users. */
class LinkHistoryApiTest extends ApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void creatingALinkRecordsACreatedEventWithItsCodeAndUrl() {
        long user = newUser(api);
        JsonNode link = newLink(api, user);

        List<JsonNode> history = history(link);

        assertThat(history).hasSize(1);
        JsonNode created = history.get(0);
        assertThat(created.get("event_type").asString()).isEqualTo("created");
        assertThat(created.get("url_id").asLong()).isEqualTo(link.get("id").asLong());
        assertThat(created.get("user_id").asLong()).isEqualTo(user);
        assertThat(created.get("timestamp").asString())
                .isEqualTo(link.get("created_at").asString());
        assertThat(created.get("details"))
                .isEqualTo(object(Map.of(
                        "short_code", link.get("short_code").asString(),
                        "original_url", link.get("original_url").asString())));
    }

    @Test
    void aLinkWithoutUserRecordsEventsWithoutUser() {
        JsonNode link = newLink(api, Map.of("original_url", uniqueUrl()));

        assertThat(history(link).get(0).get("user_id").isNull()).isTrue();
    }

    @Test
    void anUpdateRecordsOneUpdatedEventPerChangedField() {
        JsonNode link = newLink(api, newUser(api));
        String url = uniqueUrl();

        api.put("/urls/" + link.get("id").asLong(), Map.of("original_url", url, "title", "Renamed", "is_active", false))
                .expect(200);

        List<JsonNode> updates = history(link).subList(1, 4);
        assertThat(updates).allSatisfy(event -> {
            assertThat(event.get("event_type").asString()).isEqualTo("updated");
            assertThat(event.get("user_id")).isEqualTo(link.get("user_id"));
        });
        assertThat(updates.stream().map(e -> e.get("details")).toList())
                .containsExactly(
                        object(Map.of("field", "original_url", "new_value", url)),
                        object(Map.of("field", "title", "new_value", "Renamed")),
                        object(Map.of("field", "is_active", "new_value", false)));
    }

    @Test
    void anUnchangedFieldRecordsNothing() {
        JsonNode link = newLink(api, newUser(api));

        api.put(
                        "/urls/" + link.get("id").asLong(),
                        Map.of(
                                "title",
                                link.get("title").asString(),
                                "is_active",
                                true,
                                "original_url",
                                link.get("original_url").asString()))
                .expect(200);
        api.put("/urls/" + link.get("id").asLong(), Map.of()).expect(200);

        assertThat(types(history(link))).containsExactly("created");
    }

    @Test
    void removingATitleRecordsANullNewValue() {
        JsonNode link = newLink(api, newUser(api));

        api.put("/urls/" + link.get("id").asLong(), "{\"title\":null}").expect(200);

        JsonNode details = history(link).get(1).get("details");
        assertThat(details.get("field").asString()).isEqualTo("title");
        assertThat(details.has("new_value")).isTrue();
        assertThat(details.get("new_value").isNull()).isTrue();
    }

    @Test
    void aDeletedLinkRecordsDeletedAndKeepsItsHistory() {
        long user = newUser(api);
        JsonNode link = newLink(api, user);
        api.put("/urls/" + link.get("id").asLong(), Map.of("is_active", false)).expect(200);

        api.delete("/urls/" + link.get("id").asLong()).expect(204);

        List<JsonNode> history = history(link);
        assertThat(types(history)).containsExactly("created", "updated", "deleted");
        JsonNode deleted = history.get(2);
        assertThat(deleted.get("details")).isEqualTo(object(Map.of("reason", "user_requested")));
        assertThat(deleted.get("user_id").asLong()).isEqualTo(user);
        assertThat(api.get("/events/" + deleted.get("id").asLong()).expect(200).json())
                .isEqualTo(deleted);
    }

    @Test
    void deletingAUserDeletesItsLinksRecordingDeletedForEachAndKeepsTheHistory() {
        long user = newUser(api);
        JsonNode first = newLink(api, user);
        JsonNode second = newLink(api, user);

        api.delete("/users/" + user).expect(204);

        for (JsonNode link : List.of(first, second)) {
            api.get("/urls/" + link.get("id").asLong()).expect(404);
            List<JsonNode> history = history(link);
            assertThat(types(history)).containsExactly("created", "deleted");
            assertThat(history.get(1).get("details")).isEqualTo(object(Map.of("reason", "user_requested")));
        }
        assertThat(types(events("/events?user_id=" + user)))
                .containsExactly("created", "created", "deleted", "deleted");
    }

    @Test
    void aFailedCreateRecordsNoEvent() {
        String code = unique("once");
        newLink(api, Map.of("original_url", uniqueUrl(), "short_code", code));
        long created = total("/events?event_type=created");

        api.post("/urls", Map.of("original_url", uniqueUrl(), "short_code", code))
                .expect(409);
        api.post("/urls", Map.of("original_url", uniqueUrl(), "user_id", 999_999_999))
                .expect(404);

        assertThat(total("/events?event_type=created")).isEqualTo(created);
    }

    private List<JsonNode> history(JsonNode link) {
        return events("/events?url_id=" + link.get("id").asLong());
    }

    private List<JsonNode> events(String path) {
        List<JsonNode> events = new ArrayList<>();
        api.get(path).expect(200).json().forEach(events::add);
        assertThat(events.stream().map(e -> e.get("id").asLong()).toList()).isSorted();
        return events;
    }

    private long total(String path) {
        return Long.parseLong(api.get(path).expect(200).header("X-Total-Count"));
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("event_type").asString()).toList();
    }

    private static JsonNode object(Map<String, ?> fields) {
        return JSON.valueToTree(fields);
    }
}
