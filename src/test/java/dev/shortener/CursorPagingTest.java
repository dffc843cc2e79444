package dev.shortener;

import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static dev.shortener.link.LinkFixtures.uniqueUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api.Response;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ThrowingRunnable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Pages by cursor ({@code after}, {@code before}) walk the lists as pages by number do. */
public class CursorPagingTest extends ApiTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/users", "/urls", "/events"})
    void aWalkByCursorForwardAndBackwardMeetsTheItemsOfAWalkByPage(String list) {
        long user = newUser(api);
        for (int i = 0; i < 3; i++) {
            long link = newLink(api, user).get("id").asLong();
            api.post("/events", Map.of("event_type", "share", "url_id", link)).expect(201);
        }
        long total = Long.parseLong(api.get(list + "?per_page=1").expect(200).header("X-Total-Count"));
        int perPage = (int) Math.min(1000, Math.max(2, total / 6));

        List<Long> byPage = walkByPage(list + "?per_page=" + perPage);

        assertThat(byPage).hasSize((int) total).isSorted();
        awaitTheHorizon(() -> {
            assertThat(walkForward(list + "?after=0&per_page=" + perPage)).isEqualTo(byPage);
            assertThat(walkBackward(list + "?before=" + (byPage.getLast() + 1) + "&per_page=" + perPage))
                    .isEqualTo(byPage);
        });
    }

    @Test
    void filtersApplyToPagesByCursor() {
        long user = newUser(api);
        List<Long> links = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            links.add(newLink(api, Map.of("user_id", user, "original_url", uniqueUrl(), "is_active", i % 2 == 0))
                    .get("id")
                    .asLong());
        }
        String type = "cursor-" + unique("t");
        List<Long> typed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            typed.add(api.post("/events", Map.of("event_type", type, "url_id", links.get(i), "user_id", user))
                    .expect(201)
                    .json()
                    .get("id")
                    .asLong());
        }

        awaitTheHorizon(() -> assertThat(walkForward("/events?user_id=" + user + "&after=0&per_page=2"))
                .endsWith(typed.getLast()));
        // one reading of the horizon takes every table: links created before the events are under it

        assertThat(walkForward("/urls?user_id=" + user + "&after=0&per_page=2")).isEqualTo(links);
        assertThat(walkBackward("/urls?user_id=" + user + "&before=" + (links.getLast() + 1) + "&per_page=2"))
                .isEqualTo(links);
        assertThat(walkForward("/urls?user_id=" + user + "&is_active=false&after=0&per_page=2"))
                .containsExactly(links.get(1), links.get(3));
        String code = api.get("/urls/" + links.get(2))
                .expect(200)
                .json()
                .get("short_code")
                .asString();
        assertThat(walkForward("/urls?short_code=" + code + "&after=0&per_page=2"))
                .containsExactly(links.get(2));
        assertThat(walkForward("/events?event_type=" + type + "&after=0&per_page=2"))
                .isEqualTo(typed);
        assertThat(walkForward("/events?user_id=" + user + "&after=" + typed.get(1) + "&per_page=2"))
                .isEqualTo(typed.subList(2, 5));
        assertThat(ids(api.get("/events?url_id=" + links.get(3) + "&after=0").expect(200)))
                .as("the link's created event and the typed one")
                .hasSize(2)
                .contains(typed.get(3));
    }

    @Test
    void aCursorPageLinksItsNeighboursAndEstimatesTheCount() {
        long user = newUser(api);
        List<Long> links = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            links.add(newLink(api, user).get("id").asLong());
        }
        awaitTheHorizon(() ->
                assertThat(walkForward("/urls?user_id=" + user + "&after=0")).isEqualTo(links));

        Response middle = api.get("/urls?user_id=" + user + "&after=" + links.get(0) + "&per_page=2")
                .expect(200);

        assertThat(ids(middle)).containsExactly(links.get(1), links.get(2));
        assertThat(middle.header("X-Total-Count"))
                .as("no exact count by cursor")
                .isNull();
        assertThat(Long.parseLong(middle.header("X-Total-Count-Estimate"))).isNotNegative();
        assertThat(link(middle, "next")).contains("after=" + links.get(2)).contains("user_id=" + user);
        assertThat(link(middle, "prev")).contains("before=" + links.get(1)).doesNotContain("after=");
        assertThat(link(middle, "first")).contains("after=0");
        Response start = api.get("/urls?user_id=" + user + "&before=" + links.get(2) + "&per_page=5")
                .expect(200);
        assertThat(ids(start)).containsExactly(links.get(0), links.get(1));
        assertThat(link(start, "prev")).as("the first page has none before it").isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/users", "/urls", "/events"})
    void aPageByNumberKeepsItsExactCountAndPageLinks(String list) {
        Response page = api.get(list + "?page=1&per_page=1").expect(200);

        assertThat(page.header("X-Total-Count")).isNotNull();
        assertThat(page.header("X-Total-Count-Estimate")).isNull();
        assertThat(link(page, "last")).contains("page=");
    }

    @ParameterizedTest(name = "{0} gets 400: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/events?page=2&after=5|page cannot be combined with after or before: page by number or by cursor",
                "/urls?page=1&before=5|page cannot be combined with after or before: page by number or by cursor",
                "/users?after=1&before=5|after and before cannot be combined: a cursor page goes one way",
                "/users?after=abc|after must be an integer",
                "/events?after=1.5|after must be an integer",
                "/urls?before=x|before must be an integer",
                "/users?after=-1|after must be an integer of at least 0",
                "/events?before=0|before must be an integer of at least 1",
                "/urls?after=99999999999999999999|after must be an integer"
            })
    void aBadOrMixedCursorIsRefusedNamingTheParameter(String query, String detail) {
        assertThat(api.get(query).expect(400).json().get("detail").asString()).isEqualTo(detail);
    }

    /**
     * Waits for the commits of the test to be under the horizon, which pages by cursor read again
     * every 100 ms or so.
     */
    private static void awaitTheHorizon(ThrowingRunnable assertion) {
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(assertion);
    }

    private List<Long> walkByPage(String first) {
        return walkByPage(api, first);
    }

    /** The ids of every page by number, in order. */
    public static List<Long> walkByPage(Api api, String first) {
        List<Long> ids = new ArrayList<>();
        for (String next = first + "&page=1"; next != null; ) {
            Response page = api.get(next).expect(200);
            ids.addAll(ids(page));
            next = link(page, "next");
        }
        return ids;
    }

    private List<Long> walkForward(String first) {
        return walkForward(api, first);
    }

    /** The ids of pages by cursor, following next until a page comes out short. */
    public static List<Long> walkForward(Api api, String first) {
        List<Long> ids = new ArrayList<>();
        int perPage = perPage(first);
        for (String next = first; next != null; ) {
            Response page = api.get(next).expect(200);
            List<Long> found = ids(page);
            ids.addAll(found);
            next = found.size() < perPage ? null : link(page, "next");
        }
        return ids;
    }

    private List<Long> walkBackward(String first) {
        return walkBackward(api, first);
    }

    /** The ids of pages by cursor, following prev to the first, in id order. */
    public static List<Long> walkBackward(Api api, String first) {
        List<Long> ids = new ArrayList<>();
        for (String prev = first; prev != null; ) {
            Response page = api.get(prev).expect(200);
            ids.addAll(0, ids(page));
            prev = link(page, "prev");
        }
        return ids;
    }

    private static int perPage(String query) {
        Matcher perPage = Pattern.compile("per_page=(\\d+)").matcher(query);
        return perPage.find() ? Integer.parseInt(perPage.group(1)) : 100;
    }

    static List<Long> ids(Response page) {
        List<Long> ids = new ArrayList<>();
        for (JsonNode item : page.json()) {
            ids.add(item.get("id").asLong());
        }
        return ids;
    }

    /** The path and query of the {@code rel} link of a page, or null. */
    static @Nullable String link(Response page, String rel) {
        String header = page.header("Link");
        if (header == null) {
            return null;
        }
        Matcher link = Pattern.compile("<([^>]+)>; rel=\"" + rel + "\"").matcher(header);
        if (!link.find()) {
            return null;
        }
        URI uri = URI.create(link.group(1));
        return uri.getRawPath() + "?" + uri.getRawQuery();
    }
}
