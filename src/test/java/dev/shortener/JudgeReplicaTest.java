package dev.shortener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api.Response;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * A replica of the hackathon judge: 29 black-box checks of the contract over HTTP, each named
 * after the behaviour it guards. Independent of every other test's data.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JudgeReplicaTest extends ApiTest {

    private long user() {
        return api.post("/users", Map.of("username", "judge", "email", unique("judge") + "@example.com"))
                .expect(201)
                .json()
                .get("id")
                .asLong();
    }

    private JsonNode link(long userId, String url) {
        return api.post("/urls", Map.of("user_id", userId, "original_url", url, "title", "Judge"))
                .expect(201)
                .json();
    }

    private JsonNode events(String query) {
        return api.get("/events?per_page=1000&" + query).expect(200).json();
    }

    private static long count(JsonNode events, String type) {
        return StreamSupport.stream(events.spliterator(), false)
                .filter(e -> e.get("event_type").asString().equals(type))
                .count();
    }

    @Test
    @Order(1)
    void c01_healthAnswersOk() {
        assertThat(api.get("/health").expect(200).json().get("status").asString())
                .isEqualTo("ok");
    }

    @Test
    @Order(2)
    void c02_createUserReturns201WithTheUser() {
        JsonNode user = api.get("/users/" + user()).expect(200).json();
        assertThat(user.get("username").asString()).isEqualTo("judge");
        assertThat(user.has("email") && user.has("created_at")).isTrue();
    }

    @Test
    @Order(3)
    void c03_listUsersIsABareArray() {
        user();
        assertThat(api.get("/users").expect(200).json().isArray()).isTrue();
    }

    @Test
    @Order(4)
    void c04_usersPagingReturnsExactlyPerPage() {
        user();
        user();
        assertThat(api.get("/users?page=1&per_page=2").expect(200).json().size())
                .isEqualTo(2);
    }

    @Test
    @Order(5)
    void c05_unknownUserIs404() {
        api.get("/users/987654321").expect(404);
    }

    @Test
    @Order(6)
    void c06_updateUser() {
        long id = user();
        assertThat(api.put("/users/" + id, Map.of("username", "renamed"))
                        .expect(200)
                        .json()
                        .get("username")
                        .asString())
                .isEqualTo("renamed");
    }

    @Test
    @Order(7)
    void c07_userValidation() {
        api.post("/users", Map.of("username", "x")).expect(422);
        api.post("/users", Map.of("username", 5, "email", "a@example.com")).expect(422);
        api.post("/users", Map.of("username", "x", "email", "not-an-email")).expect(422);
    }

    @Test
    @Order(8)
    void c08_bulkUserImportCountsEveryRowWithRepeatedUsernames() {
        StringBuilder csv = new StringBuilder("username,email\n");
        String tag = unique("bulk");
        for (int i = 0; i < 20; i++) {
            csv.append("repeated,").append(tag).append(i).append("@example.com\n");
        }
        JsonNode result = api.upload("/users/bulk", "file", "users.csv", csv.toString())
                .expect(201)
                .json();
        assertThat(result.get("imported").asInt()).isEqualTo(20);
        assertThat(result.get("count").asInt()).isEqualTo(20);
    }

    @Test
    @Order(9)
    void c09_createUrlGeneratesAShortCode() {
        JsonNode url = link(user(), "https://example.com/judge/9");
        assertThat(url.get("short_code").asString()).matches("[A-Za-z0-9]{7}");
        assertThat(url.get("is_active").asBoolean()).isTrue();
    }

    @Test
    @Order(10)
    void c10_invalidUrlsAreRefused() {
        long id = user();
        for (String bad : new String[] {"not-a-url", "javascript:alert(1)", "ftp://example.com/x", ""}) {
            assertThat(api.post("/urls", Map.of("user_id", id, "original_url", bad))
                            .status())
                    .isIn(400, 422);
        }
    }

    @Test
    @Order(11)
    void c11_urlForUnknownUserIs404() {
        api.post("/urls", Map.of("user_id", 987654321, "original_url", "https://example.com"))
                .expect(404);
    }

    @Test
    @Order(12)
    void c12_listUrlsFiltersByUser() {
        long id = user();
        link(id, "https://example.com/a");
        link(id, "https://example.com/b");
        JsonNode urls = api.get("/urls?user_id=" + id).expect(200).json();
        assertThat(urls.size()).isEqualTo(2);
        urls.forEach(u -> assertThat(u.get("user_id").asLong()).isEqualTo(id));
    }

    @Test
    @Order(13)
    void c13_getUrlById() {
        JsonNode url = link(user(), "https://example.com/13");
        assertThat(api.get("/urls/" + url.get("id").asLong()).expect(200).json())
                .isEqualTo(url);
        api.get("/urls/987654321").expect(404);
    }

    @Test
    @Order(14)
    void c14_updateUrlRefreshesUpdatedAt() {
        JsonNode url = link(user(), "https://example.com/14");
        awaitTheSecondAfter(url.get("updated_at").asString());
        JsonNode updated = api.put("/urls/" + url.get("id").asLong(), Map.of("title", "New"))
                .expect(200)
                .json();
        assertThat(updated.get("title").asString()).isEqualTo("New");
        assertThat(updated.get("updated_at").asString())
                .isGreaterThan(url.get("updated_at").asString());
    }

    @Test
    @Order(15)
    void c15_deleteUrl() {
        long id = link(user(), "https://example.com/15").get("id").asLong();
        api.delete("/urls/" + id).expect(204);
        api.get("/urls/" + id).expect(404);
    }

    @Test
    @Order(16)
    void c16_redirectIs302ToTheOriginalUrl() {
        JsonNode url = link(user(), "https://example.com/16?q=1");
        Response redirect = api.get("/" + url.get("short_code").asString()).expect(302);
        assertThat(redirect.header("Location")).isEqualTo("https://example.com/16?q=1");
        assertThat(api.get("/urls/" + url.get("short_code").asString() + "/redirect")
                        .expect(302)
                        .header("Location"))
                .isEqualTo("https://example.com/16?q=1");
    }

    @Test
    @Order(17)
    void c17_unknownShortCodeIs404() {
        api.get("/zzzzzzz").expect(404);
    }

    @Test
    @Order(18)
    void c18_inactiveUrlNeverRedirectsAndRecordsNoClick() {
        JsonNode url = link(user(), "https://example.com/18");
        long id = url.get("id").asLong();
        api.put("/urls/" + id, Map.of("is_active", false)).expect(200);
        api.get("/" + url.get("short_code").asString()).expect(404);
        assertThat(count(events("url_id=" + id), "click")).isZero();
    }

    @Test
    @Order(19)
    void c19_everyRedirectRecordsExactlyOneClickWithItsDetails() {
        JsonNode url = link(user(), "https://example.com/19");
        String code = url.get("short_code").asString();
        for (int i = 0; i < 3; i++) {
            api.get("/" + code).expect(302);
        }
        JsonNode clicks = events("event_type=click&url_id=" + url.get("id").asLong());
        assertThat(clicks.size()).isEqualTo(3);
        JsonNode details = clicks.get(0).get("details");
        assertThat(details.isObject()).isTrue();
        assertThat(details.get("short_code").asString()).isEqualTo(code);
        assertThat(details.get("original_url").asString()).isEqualTo("https://example.com/19");
        assertThat(details.has("referrer") && details.has("user_agent")).isTrue();
    }

    @Test
    @Order(20)
    void c20_listEventsIsAnArray() {
        assertThat(api.get("/events").expect(200).json().isArray()).isTrue();
    }

    @Test
    @Order(21)
    void c21_createEvent() {
        JsonNode url = link(user(), "https://example.com/21");
        JsonNode event = api.post(
                        "/events",
                        Map.of(
                                "event_type",
                                "share",
                                "url_id",
                                url.get("id").asLong(),
                                "details",
                                Map.of("channel", "email")))
                .expect(201)
                .json();
        assertThat(event.get("details").get("channel").asString()).isEqualTo("email");
        api.get("/events/" + event.get("id").asLong()).expect(200);
    }

    @Test
    @Order(22)
    void c22_creatingAUrlRecordsACreatedEvent() {
        JsonNode url = link(user(), "https://example.com/22");
        JsonNode created = events("event_type=created&url_id=" + url.get("id").asLong());
        assertThat(created.size()).isEqualTo(1);
        assertThat(created.get(0).get("details").get("short_code").asString())
                .isEqualTo(url.get("short_code").asString());
        assertThat(created.get(0).get("details").get("original_url").asString()).isEqualTo("https://example.com/22");
    }

    @Test
    @Order(23)
    void c23_anUpdateRecordsOneUpdatedEventPerChangedField() {
        long id = link(user(), "https://example.com/23").get("id").asLong();
        api.put("/urls/" + id, Map.of("title", "T2", "is_active", false)).expect(200);
        JsonNode updated = events("event_type=updated&url_id=" + id);
        assertThat(updated.size()).isEqualTo(2);
        assertThat(updated.findValuesAsString("field")).containsExactlyInAnyOrder("title", "is_active");
    }

    @Test
    @Order(24)
    void c24_aDeleteRecordsADeletedEventThatOutlivesTheUrl() {
        long id = link(user(), "https://example.com/24").get("id").asLong();
        api.delete("/urls/" + id).expect(204);
        JsonNode deleted = events("event_type=deleted&url_id=" + id);
        assertThat(deleted.size()).isEqualTo(1);
        assertThat(deleted.get(0).get("details").get("reason").asString()).isEqualTo("user_requested");
    }

    @Test
    @Order(25)
    void c25_theSameOriginalUrlTwiceGivesTwoCodes() {
        long id = user();
        JsonNode a = link(id, "https://example.com/same");
        JsonNode b = link(id, "https://example.com/same");
        assertThat(a.get("id")).isNotEqualTo(b.get("id"));
        assertThat(a.get("short_code")).isNotEqualTo(b.get("short_code"));
    }

    @Test
    @Order(26)
    void c26_aBodyThatIsNotAJsonObjectIs400() {
        for (String path : new String[] {"/users", "/urls", "/events"}) {
            api.raw("POST", path, "\"text\"", "application/json").expect(400);
            api.raw("POST", path, "[]", "application/json").expect(400);
            api.raw("POST", path, "{bad", "application/json").expect(400);
            api.raw("POST", path, "", null).expect(400);
            api.raw("POST", path, "a=b", "application/x-www-form-urlencoded").expect(400);
        }
    }

    @Test
    @Order(27)
    void c27_unknownRoutesAndWrongMethodsAnswerProblemJson() {
        api.get("/no/such/route").expect(404);
        api.send("PATCH", "/users", Map.of()).expect(405);
    }

    @Test
    @Order(28)
    void c28_eventDetailsMustBeAnObject() {
        long urlId = link(user(), "https://example.com/28").get("id").asLong();
        api.post("/events", Map.of("event_type", "x", "url_id", urlId, "details", "a string"))
                .expect(422);
        api.post("/events", Map.of("event_type", "x", "url_id", "abc")).expect(422);
    }

    @Test
    @Order(29)
    void c29_deletingAUserDeletesItsUrlsAndKeepsTheirHistory() {
        long id = user();
        long urlId = link(id, "https://example.com/29").get("id").asLong();
        api.delete("/users/" + id).expect(204);
        api.get("/urls/" + urlId).expect(404);
        assertThat(count(events("url_id=" + urlId), "deleted")).isEqualTo(1);
        assertThat(count(events("url_id=" + urlId), "created")).isEqualTo(1);
    }
}
