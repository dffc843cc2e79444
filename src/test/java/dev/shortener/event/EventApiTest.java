package dev.shortener.event;

import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api.Response;
import dev.shortener.ApiTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class EventApiTest extends ApiTest {

    @Test
    void aPostedEventIsStoredWithItsDetailsAsAJsonObject() {
        long user = newUser(api);
        long url = newLink(api, user).get("id").asLong();
        String body = "{\"event_type\":\"share\",\"url_id\":" + url + ",\"user_id\":" + user
                + ",\"details\":{\"channel\":\"email\",\"count\":2,\"nested\":{\"ok\":true},\"tags\":[\"a\"]}}";

        Response created = api.post("/events", body).expect(201);

        JsonNode event = created.json();
        assertThat(created.header("Location"))
                .isEqualTo("/events/" + event.get("id").asLong());
        assertThat(event.get("event_type").asString()).isEqualTo("share");
        assertThat(event.get("url_id").asLong()).isEqualTo(url);
        assertThat(event.get("user_id").asLong()).isEqualTo(user);
        assertThat(event.get("timestamp").asString()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}");
        JsonNode details = event.get("details");
        assertThat(details.isObject()).isTrue();
        assertThat(details.get("channel").asString()).isEqualTo("email");
        assertThat(details.get("count").asInt()).isEqualTo(2);
        assertThat(details.get("nested").get("ok").asBoolean()).isTrue();
        assertThat(details.get("tags").get(0).asString()).isEqualTo("a");
        assertThat(api.get("/events/" + event.get("id").asLong()).expect(200).json())
                .isEqualTo(event);
    }

    @Test
    void detailsDefaultToAnEmptyObjectAndTheUserIsOptional() {
        long url = newLink(api, newUser(api)).get("id").asLong();

        JsonNode event = api.post("/events", Map.of("event_type", "view", "url_id", url))
                .expect(201)
                .json();
        JsonNode withNull = api.post("/events", "{\"event_type\":\"view\",\"url_id\":" + url + ",\"details\":null}")
                .expect(201)
                .json();

        assertThat(event.get("details").isObject()).isTrue();
        assertThat(event.get("details").isEmpty()).isTrue();
        assertThat(event.get("user_id").isNull()).isTrue();
        assertThat(withNull.get("details").isObject()).isTrue();
    }

    @Test
    void clientTypesMayReuseLifecycleNames() {
        long url = newLink(api, newUser(api)).get("id").asLong();

        JsonNode event = api.post("/events", Map.of("event_type", "click", "url_id", url))
                .expect(201)
                .json();

        assertThat(event.get("event_type").asString()).isEqualTo("click");
    }

    @ParameterizedTest(name = "{0} is refused with 422 naming {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"url_id\":URL}|event_type",
                "{\"event_type\":\"view\",\"url_id\":URL,\"details\":{\"k\":[\"a\\u0000\"]}}|details",
                "{\"event_type\":null,\"url_id\":URL}|event_type",
                "{\"event_type\":\"\",\"url_id\":URL}|event_type",
                "{\"event_type\":\"  \",\"url_id\":URL}|event_type",
                "{\"event_type\":5,\"url_id\":URL}|event_type",
                "{\"event_type\":[\"x\"],\"url_id\":URL}|event_type",
                "{\"event_type\":\"view\"}|url_id",
                "{\"event_type\":\"view\",\"url_id\":null}|url_id",
                "{\"event_type\":\"view\",\"url_id\":\"abc\"}|url_id",
                "{\"event_type\":\"view\",\"url_id\":1.5}|url_id",
                "{\"event_type\":\"view\",\"url_id\":\"1\"}|url_id",
                "{\"event_type\":\"view\",\"url_id\":URL,\"user_id\":\"abc\"}|user_id",
                "{\"event_type\":\"view\",\"url_id\":URL,\"user_id\":1.5}|user_id",
                "{\"event_type\":\"view\",\"url_id\":URL,\"user_id\":0}|user_id",
                "{\"event_type\":\"view\",\"url_id\":URL,\"details\":\"x\"}|details",
                "{\"event_type\":\"view\",\"url_id\":URL,\"details\":[1]}|details",
                "{\"event_type\":\"view\",\"url_id\":URL,\"details\":5}|details",
                "{\"event_type\":\"view\",\"url_id\":URL,\"details\":\"{\\\"a\\\":1}\"}|details",
            })
    void invalidFieldsAreRefusedWith422(String body, String field) {
        long url = newLink(api, newUser(api)).get("id").asLong();

        JsonNode problem = api.post("/events", body.replace("URL", Long.toString(url)))
                .expect(422)
                .json();

        assertThat(problem.get("errors").has(field)).as(problem.toString()).isTrue();
    }

    @Test
    void anEventTypeMayHaveSixtyFourCharacters() {
        long url = newLink(api, newUser(api)).get("id").asLong();

        api.post("/events", Map.of("event_type", "t".repeat(64), "url_id", url)).expect(201);
        api.post("/events", Map.of("event_type", "t".repeat(65), "url_id", url)).expect(422);
    }

    @Test
    void anUnknownUrlOrUserGets404() {
        long url = newLink(api, newUser(api)).get("id").asLong();

        api.post("/events", Map.of("event_type", "view", "url_id", 999_999_999)).expect(404);
        api.post("/events", Map.of("event_type", "view", "url_id", url, "user_id", 999_999_999))
                .expect(404);
    }

    @ParameterizedTest(name = "body {0} with Content-Type {1} gets 400")
    @CsvSource(
            delimiter = '|',
            nullValues = "NONE",
            value = {
                "\"view\"|application/json",
                "[{\"event_type\":\"view\",\"url_id\":1}]|application/json",
                "{\"event_type\": |application/json",
                "''|application/json",
                "''|NONE",
                "event_type=view&url_id=1|application/x-www-form-urlencoded",
                "view|text/plain",
                "42|application/json",
                "null|application/json",
            })
    void aBodyThatIsNotAJsonObjectGets400(String body, String contentType) {
        api.raw("POST", "/events", body.equals("''") ? "" : body, contentType).expect(400);
    }

    @Test
    void listsAreFilteredByUrlUserAndType() {
        long user = newUser(api);
        long url = newLink(api, user).get("id").asLong();
        long otherUrl = newLink(api, user).get("id").asLong();
        String type = unique("kind");
        long view = post(type, url, user);
        long anonymous = post(type, url, null);
        long elsewhere = post(type, otherUrl, user);

        assertThat(ids(api.get("/events?event_type=" + type))).containsExactly(view, anonymous, elsewhere);
        assertThat(ids(api.get("/events?event_type=" + type + "&url_id=" + url)))
                .containsExactly(view, anonymous);
        assertThat(ids(api.get("/events?event_type=" + type + "&user_id=" + user)))
                .containsExactly(view, elsewhere);
        assertThat(ids(api.get("/events?event_type=" + type + "&url_id=" + url + "&user_id=" + user)))
                .containsExactly(view);
        assertThat(types(api.get("/events?url_id=" + url))).containsExactly("created", type, type);
        assertThat(ids(api.get("/events?url_id=999999999"))).isEmpty();
        assertThat(api.get("/events?event_type=" + type).header("X-Total-Count"))
                .isEqualTo("3");
    }

    @ParameterizedTest(name = "GET /events?{0} gets 400")
    @ValueSource(
            strings = {"url_id=abc", "url_id=1.5", "user_id=abc", "user_id=2.0", "page=0", "page=-1", "per_page=1001"})
    void badFiltersAndPagingGet400(String query) {
        api.get("/events?" + query).expect(400);
    }

    @Test
    void pagesHoldExactlyPerPageEventsInIdOrder() {
        long url = newLink(api, newUser(api)).get("id").asLong();
        String type = unique("paged");
        List<Long> posted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            posted.add(post(type, url, null));
        }
        String query = "/events?event_type=" + type + "&per_page=2";

        Response first = api.get(query).expect(200);

        assertThat(ids(first)).containsExactlyElementsOf(posted.subList(0, 2));
        assertThat(ids(api.get(query + "&page=2"))).containsExactlyElementsOf(posted.subList(2, 4));
        assertThat(ids(api.get(query + "&page=3"))).containsExactlyElementsOf(posted.subList(4, 5));
        assertThat(first.header("X-Total-Count")).isEqualTo("5");
        assertThat(first.header("Link")).contains("rel=\"next\"").contains("event_type=" + type);
        assertThat(api.get("/events?per_page=3").expect(200).json().size()).isEqualTo(3);
    }

    @Test
    void unknownAndNonIntegerIdsAre404() {
        api.get("/events/999999999").expect(404);
        api.get("/events/abc").expect(404);
    }

    @Test
    void eventsHaveNoUpdateOrDelete() {
        long url = newLink(api, newUser(api)).get("id").asLong();
        long event = post("view", url, null);

        api.delete("/events/" + event).expect(405);
        api.put("/events/" + event, Map.of("event_type", "x")).expect(405);
    }

    @Test
    void theApiDocumentDescribesEveryEventEndpointWithDetailsAsAnObject() {
        JsonNode document = api.get("/openapi.json").expect(200).json();
        JsonNode paths = document.get("paths");

        assertThat(paths.get("/events").get("post").get("responses").propertyNames())
                .contains("201", "400", "404", "422");
        assertThat(paths.get("/events").get("get").get("responses").propertyNames())
                .contains("200", "400");
        assertThat(paths.get("/events/{id}").get("get").get("responses").propertyNames())
                .contains("404");
        JsonNode details = document.get("components")
                .get("schemas")
                .get("Event")
                .get("properties")
                .get("details");
        assertThat(details.toString()).contains("object").doesNotContain("string");
    }

    private long post(String type, long url, Long user) {
        String body = "{\"event_type\":\"" + type + "\",\"url_id\":" + url + ",\"user_id\":" + user + "}";
        return api.post("/events", body).expect(201).json().get("id").asLong();
    }

    private static List<Long> ids(Response response) {
        List<Long> ids = new ArrayList<>();
        response.expect(200).json().forEach(event -> ids.add(event.get("id").asLong()));
        return ids;
    }

    private static List<String> types(Response response) {
        List<String> types = new ArrayList<>();
        response.expect(200)
                .json()
                .forEach(event -> types.add(event.get("event_type").asString()));
        return types;
    }
}
