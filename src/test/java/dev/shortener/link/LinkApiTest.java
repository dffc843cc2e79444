package dev.shortener.link;

import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static dev.shortener.link.LinkFixtures.uniqueUrl;
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

class LinkApiTest extends ApiTest {

    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}";

    @Test
    void aShortenedUrlGetsAGeneratedCodeIsActiveAndCanBeReadBack() {
        long user = newUser(api);
        String url = uniqueUrl();

        JsonNode link = newLink(api, Map.of("user_id", user, "original_url", url, "title", "Guide"));

        assertThat(link.get("id").asLong()).isPositive();
        assertThat(link.get("user_id").asLong()).isEqualTo(user);
        assertThat(link.get("short_code").asString()).matches("[0-9A-Za-z]{7}");
        assertThat(link.get("original_url").asString()).isEqualTo(url);
        assertThat(link.get("title").asString()).isEqualTo("Guide");
        assertThat(link.get("is_active").asBoolean()).isTrue();
        assertThat(link.get("created_at").asString()).matches(TIMESTAMP);
        assertThat(link.get("updated_at").asString()).matches(TIMESTAMP);
        assertThat(api.get("/urls/" + link.get("id").asLong()).expect(200).json())
                .isEqualTo(link);
    }

    @Test
    void aLinkNeedsNeitherAUserNorATitle() {
        JsonNode link = newLink(api, Map.of("original_url", uniqueUrl()));

        assertThat(link.get("user_id").isNull()).isTrue();
        assertThat(link.get("title").isNull()).isTrue();
    }

    @Test
    void explicitNullsForOptionalFieldsAreAccepted() {
        String body = "{\"original_url\":\"" + uniqueUrl() + "\",\"user_id\":null,\"title\":null,\"short_code\":null}";

        JsonNode link = api.post("/urls", body).expect(201).json();

        assertThat(link.get("short_code").asString()).hasSize(7);
    }

    @Test
    void aLinkMayBeCreatedInactive() {
        JsonNode link = newLink(api, Map.of("original_url", uniqueUrl(), "is_active", false));

        assertThat(link.get("is_active").asBoolean()).isFalse();
    }

    @Test
    void theSameUrlShortenedTwiceGivesTwoLinksWithDifferentCodes() {
        String url = uniqueUrl();

        JsonNode first = newLink(api, Map.of("original_url", url));
        JsonNode second = newLink(api, Map.of("original_url", url));

        assertThat(second.get("id").asLong()).isNotEqualTo(first.get("id").asLong());
        assertThat(second.get("short_code").asString())
                .isNotEqualTo(first.get("short_code").asString());
        assertThat(api.get("/urls?short_code=" + first.get("short_code").asString())
                        .expect(200)
                        .json()
                        .get(0)
                        .get("original_url")
                        .asString())
                .isEqualTo(url);
    }

    @Test
    void aCustomShortCodeIsUsedAndCannotBeTakenTwice() {
        String code = unique("my_link-");

        JsonNode link = newLink(api, Map.of("original_url", uniqueUrl(), "short_code", code));

        assertThat(link.get("short_code").asString()).isEqualTo(code);
        api.post("/urls", Map.of("original_url", uniqueUrl(), "short_code", code))
                .expect(409);
    }

    @Test
    void customCodesDifferingOnlyInCaseAreDifferentCodes() {
        String code = unique("CaseCode");

        newLink(api, Map.of("original_url", uniqueUrl(), "short_code", code));
        JsonNode other = newLink(api, Map.of("original_url", uniqueUrl(), "short_code", code.toLowerCase()));

        assertThat(other.get("short_code").asString()).isEqualTo(code.toLowerCase());
    }

    @ParameterizedTest(name = "custom code {0} names a route and gets 422")
    @ValueSource(strings = {"health", "users", "URLS", "events", "Docs", "metrics", "imports", "swagger-ui", "error"})
    void aCustomCodeThatNamesARouteIsRefused(String code) {
        JsonNode problem = api.post("/urls", Map.of("original_url", uniqueUrl(), "short_code", code))
                .expect(422)
                .json();

        assertThat(problem.get("errors").get("short_code").asString()).contains("reserved");
    }

    @Test
    void valueFieldsAreReadFromStringsOnlyNeverFromObjectsOfTheirParts() {
        JsonNode problem = api.post(
                        "/urls",
                        Map.of("original_url", Map.of("url", uniqueUrl()), "short_code", Map.of("code", "users")))
                .expect(422)
                .json();

        assertThat(problem.get("errors").get("short_code").asString()).isEqualTo("must be a string");
        assertThat(problem.get("errors").get("original_url").asString()).isEqualTo("must be a string");
    }

    @Test
    void aTargetWhoseAsciiHostPassesTheLengthLimitIsRefusedNotFailed() {
        String start = "https://\u00fc.de/";
        String url = start + "a".repeat(OriginalUrl.MAX_LENGTH - start.length());

        JsonNode problem =
                api.post("/urls", Map.of("original_url", url)).expect(422).json();

        assertThat(problem.get("errors").has("original_url")).isTrue();
    }

    @ParameterizedTest(name = "custom code {0} is malformed and gets 422")
    @ValueSource(strings = {"ab", "", "has space", "a.b", "a/b", "abcdefghijklmnopqrstuvwxyz0123456"})
    void aMalformedCustomCodeIsRefused(String code) {
        JsonNode problem = api.post("/urls", Map.of("original_url", uniqueUrl(), "short_code", code))
                .expect(422)
                .json();

        assertThat(problem.get("errors").has("short_code")).isTrue();
    }

    @Test
    void anUnknownUserGets404AndNoLinkIsCreated() {
        long before = total("/urls");

        api.post("/urls", Map.of("original_url", uniqueUrl(), "user_id", 999_999_999))
                .expect(404);

        assertThat(total("/urls")).isEqualTo(before);
    }

    @Test
    void anUnknownUserAskingForATakenCodeGets404() {
        String code = unique("taken");
        newLink(api, Map.of("original_url", uniqueUrl(), "short_code", code));

        api.post("/urls", Map.of("original_url", uniqueUrl(), "short_code", code, "user_id", 999_999_999))
                .expect(404);
    }

    @Test
    void aTakenCustomCodeCreatesNothing() {
        String code = unique("taken");
        newLink(api, Map.of("original_url", uniqueUrl(), "short_code", code));
        long before = total("/urls");

        api.post("/urls", Map.of("original_url", uniqueUrl(), "short_code", code))
                .expect(409);

        assertThat(total("/urls")).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} is refused with 422 naming {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{}|original_url",
                "{\"original_url\":null}|original_url",
                "{\"original_url\":\"\"}|original_url",
                "{\"original_url\":\"not-a-url\"}|original_url",
                "{\"original_url\":\"javascript:alert(1)\"}|original_url",
                "{\"original_url\":\"ftp://example.com/file\"}|original_url",
                "{\"original_url\":\"http://\"}|original_url",
                "{\"original_url\":\"https://exa mple.com/\"}|original_url",
                "{\"original_url\":42}|original_url",
                "{\"original_url\":[\"https://example.com\"]}|original_url",
                "{\"original_url\":\"https://example.com\",\"user_id\":\"abc\"}|user_id",
                "{\"original_url\":\"https://example.com\",\"user_id\":1.5}|user_id",
                "{\"original_url\":\"https://example.com\",\"user_id\":\"1\"}|user_id",
                "{\"original_url\":\"https://example.com\",\"user_id\":-1}|user_id",
                "{\"original_url\":\"https://example.com\",\"user_id\":true}|user_id",
                "{\"original_url\":\"https://example.com\",\"title\":5}|title",
                "{\"original_url\":\"https://example.com\",\"title\":\"a\\u0000b\"}|title",
                "{\"original_url\":\"https://example.com\",\"is_active\":\"yes\"}|is_active",
                "{\"original_url\":\"https://example.com\",\"is_active\":null}|is_active",
                "{\"original_url\":\"https://example.com\",\"short_code\":42}|short_code",
            })
    void invalidFieldsAreRefusedWith422(String body, String field) {
        JsonNode problem = api.post("/urls", body).expect(422).json();

        assertThat(problem.get("errors").has(field)).as(problem.toString()).isTrue();
    }

    @Test
    void tooLongUrlsAndTitlesAreRefused() {
        String longUrl = "https://example.com/" + "a".repeat(2049 - 20);
        api.post("/urls", Map.of("original_url", longUrl)).expect(422);
        api.post("/urls", Map.of("original_url", uniqueUrl(), "title", "t".repeat(256)))
                .expect(422);

        String longest = "https://example.com/" + "a".repeat(2048 - 20);
        assertThat(newLink(api, Map.of("original_url", longest, "title", "t".repeat(255)))
                        .get("original_url")
                        .asString())
                .hasSize(2048);
    }

    @Test
    void everyInvalidFieldIsNamedAtOnce() {
        JsonNode problem = api.post("/urls", "{\"original_url\":\"nope\",\"user_id\":\"abc\",\"is_active\":\"yes\"}")
                .expect(422)
                .json();

        assertThat(problem.get("errors").propertyNames()).contains("original_url", "user_id", "is_active");
    }

    @ParameterizedTest(name = "body {0} with Content-Type {1} gets 400")
    @CsvSource(
            delimiter = '|',
            nullValues = "NONE",
            value = {
                "\"https://example.com\"|application/json",
                "[{\"original_url\":\"https://example.com\"}]|application/json",
                "{\"original_url\": |application/json",
                "''|application/json",
                "''|NONE",
                "original_url=https%3A%2F%2Fexample.com|application/x-www-form-urlencoded",
                "https://example.com|text/plain",
                "42|application/json",
                "null|application/json",
                "true|NONE",
            })
    void aBodyThatIsNotAJsonObjectGets400(String body, String contentType) {
        long id = newLink(api, Map.of("original_url", uniqueUrl())).get("id").asLong();
        String raw = body.equals("''") ? "" : body;

        api.raw("POST", "/urls", raw, contentType).expect(400);
        api.raw("PUT", "/urls/" + id, raw, contentType).expect(400);
    }

    @Test
    void aJsonObjectIsAcceptedWhateverTheContentType() {
        api.raw("POST", "/urls", "{\"original_url\":\"" + uniqueUrl() + "\"}", "text/plain")
                .expect(201);
        api.raw("POST", "/urls", "{\"original_url\":\"" + uniqueUrl() + "\"}", null)
                .expect(201);
    }

    @Test
    void listsAreFilteredByUserActivityAndCode() {
        long user = newUser(api);
        JsonNode active = newLink(api, user);
        JsonNode inactive = newLink(api, Map.of("user_id", user, "original_url", uniqueUrl(), "is_active", false));
        long otherUser = newUser(api);
        newLink(api, otherUser);

        assertThat(ids(api.get("/urls?user_id=" + user).expect(200)))
                .containsExactly(active.get("id").asLong(), inactive.get("id").asLong());
        assertThat(ids(api.get("/urls?user_id=" + user + "&is_active=true").expect(200)))
                .containsExactly(active.get("id").asLong());
        assertThat(ids(api.get("/urls?user_id=" + user + "&is_active=false").expect(200)))
                .containsExactly(inactive.get("id").asLong());
        assertThat(ids(api.get("/urls?user_id=" + user + "&is_active=False").expect(200)))
                .containsExactly(inactive.get("id").asLong());
        assertThat(ids(api.get("/urls?short_code=" + inactive.get("short_code").asString())
                        .expect(200)))
                .containsExactly(inactive.get("id").asLong());
        assertThat(ids(api.get("/urls?user_id=" + otherUser + "&short_code="
                                + active.get("short_code").asString())
                        .expect(200)))
                .isEmpty();
        assertThat(ids(api.get("/urls?user_id=999999999").expect(200))).isEmpty();
        assertThat(api.get("/urls?user_id=" + user).header("X-Total-Count")).isEqualTo("2");
    }

    @Test
    void theUnfilteredListCountsActiveAndInactiveLinks() {
        long before = total("/urls");
        long activeBefore = total("/urls?is_active=true");

        newLink(api, Map.of("original_url", uniqueUrl()));
        newLink(api, Map.of("original_url", uniqueUrl(), "is_active", false));

        assertThat(total("/urls")).isEqualTo(before + 2);
        assertThat(total("/urls?is_active=true")).isEqualTo(activeBefore + 1);
        assertThat(total("/urls?is_active=true") + total("/urls?is_active=false"))
                .isEqualTo(total("/urls"));
    }

    @ParameterizedTest(name = "GET /urls?{0} gets 400")
    @ValueSource(
            strings = {
                "user_id=abc",
                "user_id=1.5",
                "is_active=yes",
                "is_active=1",
                "is_active=maybe",
                "page=0",
                "page=x",
                "per_page=0",
                "per_page=1001"
            })
    void badFiltersAndPagingGet400(String query) {
        api.get("/urls?" + query).expect(400);
    }

    @ParameterizedTest(name = "GET /urls?{0} names the parameter and its rule")
    @CsvSource(
            delimiter = '|',
            value = {
                "user_id=abc|user_id must be an integer",
                "is_active=yes|is_active must be true or false",
                "is_active=1|is_active must be true or false",
                "user_id=0x10|user_id must be an integer"
            })
    void badFiltersNameTheParameterAndItsRule(String query, String detail) {
        assertThat(api.get("/urls?" + query).expect(400).json().get("detail").asString())
                .isEqualTo(detail);
    }

    @Test
    void pagesHoldExactlyPerPageLinksInIdOrder() {
        long user = newUser(api);
        List<Long> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(newLink(api, user).get("id").asLong());
        }

        Response first = api.get("/urls?user_id=" + user + "&per_page=2").expect(200);
        Response second =
                api.get("/urls?user_id=" + user + "&per_page=2&page=2").expect(200);
        Response third = api.get("/urls?user_id=" + user + "&per_page=2&page=3").expect(200);

        assertThat(ids(first)).containsExactlyElementsOf(created.subList(0, 2));
        assertThat(ids(second)).containsExactlyElementsOf(created.subList(2, 4));
        assertThat(ids(third)).containsExactlyElementsOf(created.subList(4, 5));
        assertThat(first.header("X-Total-Count")).isEqualTo("5");
        assertThat(first.header("Link")).contains("rel=\"next\"").contains("user_id=" + user);
        assertThat(third.header("Link")).contains("rel=\"prev\"").doesNotContain("rel=\"next\"");
        assertThat(api.get("/urls?user_id=" + user + "&per_page=2&page=4")
                        .expect(200)
                        .json()
                        .size())
                .isZero();
    }

    @Test
    void unknownAndNonIntegerIdsAre404() {
        api.get("/urls/999999999").expect(404);
        api.get("/urls/abc").expect(404);
        api.put("/urls/999999999", Map.of("title", "x")).expect(404);
        api.delete("/urls/999999999").expect(404);
        api.delete("/urls/abc").expect(404);
    }

    @Test
    void anUpdateChangesOnlyTheGivenFieldsAndRefreshesUpdatedAt() {
        JsonNode link = newLink(api, newUser(api));
        long id = link.get("id").asLong();
        awaitTheSecondAfter(link.get("updated_at").asString());

        JsonNode retitled =
                api.put("/urls/" + id, Map.of("title", "Renamed")).expect(200).json();

        assertThat(retitled.get("title").asString()).isEqualTo("Renamed");
        assertThat(retitled.get("original_url")).isEqualTo(link.get("original_url"));
        assertThat(retitled.get("is_active").asBoolean()).isTrue();
        assertThat(retitled.get("short_code")).isEqualTo(link.get("short_code"));
        assertThat(retitled.get("user_id")).isEqualTo(link.get("user_id"));
        assertThat(retitled.get("created_at")).isEqualTo(link.get("created_at"));
        assertThat(retitled.get("updated_at").asString())
                .isGreaterThan(link.get("updated_at").asString());

        String url = uniqueUrl();
        JsonNode moved = api.put("/urls/" + id, Map.of("original_url", url, "is_active", false))
                .expect(200)
                .json();
        assertThat(moved.get("original_url").asString()).isEqualTo(url);
        assertThat(moved.get("is_active").asBoolean()).isFalse();
        assertThat(moved.get("title").asString()).isEqualTo("Renamed");

        JsonNode untitled =
                api.put("/urls/" + id, "{\"title\":null}").expect(200).json();
        assertThat(untitled.get("title").isNull()).isTrue();
        assertThat(api.get("/urls/" + id).json()).isEqualTo(untitled);
    }

    @ParameterizedTest(name = "PUT {0} is refused with 422 naming {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"original_url\":\"not-a-url\"}|original_url",
                "{\"original_url\":\"javascript:alert(1)\"}|original_url",
                "{\"original_url\":null}|original_url",
                "{\"original_url\":\"\"}|original_url",
                "{\"title\":5}|title",
                "{\"is_active\":\"yes\"}|is_active",
                "{\"is_active\":\"true\"}|is_active",
                "{\"is_active\":1}|is_active",
                "{\"is_active\":null}|is_active",
            })
    void invalidChangesAreRefusedWith422(String body, String field) {
        JsonNode link = newLink(api, Map.of("original_url", uniqueUrl()));

        JsonNode problem =
                api.put("/urls/" + link.get("id").asLong(), body).expect(422).json();

        assertThat(problem.get("errors").has(field)).as(problem.toString()).isTrue();
        assertThat(api.get("/urls/" + link.get("id").asLong()).json()).isEqualTo(link);
    }

    @Test
    void aDeletedLinkIsGone() {
        JsonNode link = newLink(api, Map.of("original_url", uniqueUrl()));
        long id = link.get("id").asLong();

        api.delete("/urls/" + id).expect(204);

        api.get("/urls/" + id).expect(404);
        api.put("/urls/" + id, Map.of("title", "x")).expect(404);
        api.delete("/urls/" + id).expect(404);
        assertThat(ids(api.get("/urls?short_code=" + link.get("short_code").asString())))
                .isEmpty();
    }

    @Test
    void deletingAUserDeletesItsLinksButNotOthers() {
        long user = newUser(api);
        long first = newLink(api, user).get("id").asLong();
        long second = newLink(api, user).get("id").asLong();
        long kept = newLink(api, newUser(api)).get("id").asLong();

        api.delete("/users/" + user).expect(204);

        api.get("/urls/" + first).expect(404);
        api.get("/urls/" + second).expect(404);
        assertThat(ids(api.get("/urls?user_id=" + user))).isEmpty();
        api.get("/urls/" + kept).expect(200);
    }

    @Test
    void theApiDocumentDescribesEveryUrlEndpointAndItsErrors() {
        JsonNode paths = api.get("/openapi.json").expect(200).json().get("paths");

        assertThat(paths.get("/urls").get("post").get("responses").propertyNames())
                .contains("201", "400", "404", "409", "422");
        assertThat(paths.get("/urls").get("get").get("responses").propertyNames())
                .contains("200", "400");
        assertThat(paths.get("/urls/{id}").get("get").get("responses").propertyNames())
                .contains("404");
        assertThat(paths.get("/urls/{id}").get("put").get("responses").propertyNames())
                .contains("400", "404", "422");
        assertThat(paths.get("/urls/{id}").get("delete").get("responses").propertyNames())
                .contains("204", "404");
    }

    private long total(String path) {
        return Long.parseLong(api.get(path).expect(200).header("X-Total-Count"));
    }

    private static List<Long> ids(Response response) {
        List<Long> ids = new ArrayList<>();
        response.json().forEach(link -> ids.add(link.get("id").asLong()));
        return ids;
    }
}
