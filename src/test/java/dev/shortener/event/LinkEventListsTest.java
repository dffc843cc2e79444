package dev.shortener.event;

import static dev.shortener.CursorPagingTest.walkBackward;
import static dev.shortener.CursorPagingTest.walkByPage;
import static dev.shortener.CursorPagingTest.walkForward;
import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * One link's events of a type other than clicks, among its clicks and another link's events of that
 * type: read by their ids first (Events.list), pages by number, forward and backward by cursor, and
 * the count give the rows a query of them gives.
 */
class LinkEventListsTest extends ApiTest {

    @Autowired
    JdbcClient db;

    @Test
    void everyPageOfALinksEventsOfOneTypeHoldsItsRows() {
        long user = newUser(api);
        JsonNode link = newLink(api, user);
        long linkId = link.get("id").asLong();
        long other = newLink(api, user).get("id").asLong();
        String type = "shared";
        for (int i = 0; i < 12; i++) {
            api.get("/" + link.get("short_code").asString()).expect(302);
            api.post("/events", Map.of("event_type", type, "url_id", i % 3 == 0 ? other : linkId))
                    .expect(201);
        }
        List<Long> expected = db.sql("SELECT id FROM events WHERE url_id = ? AND event_type = ? ORDER BY id")
                .params(linkId, type)
                .query(Long.class)
                .list();
        assertThat(expected).hasSize(8);

        String filter = "/events?url_id=" + linkId + "&event_type=" + type + "&per_page=3";
        assertThat(api.get(filter).expect(200).header("X-Total-Count")).isEqualTo("8");
        assertThat(walkByPage(api, filter)).isEqualTo(expected);
        // a cursor page shows ids up to the commit horizon, read every few hundred milliseconds
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(walkForward(api, filter + "&after=0")).isEqualTo(expected));
        assertThat(walkBackward(api, filter + "&before=" + (expected.getLast() + 1)))
                .isEqualTo(expected);
    }
}
