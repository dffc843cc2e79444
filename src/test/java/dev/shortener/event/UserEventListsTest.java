package dev.shortener.event;

import static dev.shortener.CursorPagingTest.walkBackward;
import static dev.shortener.CursorPagingTest.walkByPage;
import static dev.shortener.CursorPagingTest.walkForward;
import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * One user's events by {@code user_id}. No index holds clicks by user (V32): pages read a user's
 * clicks link by link, through the links the rollup holds for the user and those of the clicks not
 * folded yet, and the user's other events in one walk. Pages by number, forward and backward by
 * cursor, and the count give the rows a query of them gives, whether the clicks are folded or not.
 */
class UserEventListsTest extends ApiTest {

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient db;

    @Autowired
    ClickFold fold;

    @Test
    void everyPageOfAUsersEventsHoldsTheirRowsWhetherTheirClicksAreFoldedOrNot() throws SQLException {
        long user = newUser(api);
        long other = newUser(api);
        List<JsonNode> links = List.of(newLink(api, user), newLink(api, other), newLink(api, user));
        long theirLink = links.get(1).get("id").asLong();

        try (Connection holdsTheFold = ClickFoldTest.holdTheFold(dataSource)) {
            click(links, 3);
            // the user's events on another user's link: a click, as an import records one, and a share
            api.post("/events", Map.of("event_type", "click", "url_id", theirLink, "user_id", user))
                    .expect(201);
            api.post("/events", Map.of("event_type", "shared", "url_id", theirLink, "user_id", user))
                    .expect(201);
            awaitClicks(user, 7);
            assertThat(folded(user)).as("none of the user's clicks folded yet").isZero();
            assertPagesHoldTheRows(user, "not folded");
            holdsTheFold.commit();
        }

        // the fold reaches the clicks once the commit horizon passes them; a scheduled fold may hold it back
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            fold.foldAll();
            return folded(user) == 7;
        });
        assertPagesHoldTheRows(user, "folded");

        try (Connection holdsTheFold = ClickFoldTest.holdTheFold(dataSource)) {
            click(links, 2);
            awaitClicks(user, 11);
            assertThat(folded(user)).as("some folded, some not").isEqualTo(7);
            assertPagesHoldTheRows(user, "partly folded");
            holdsTheFold.commit();
        }
    }

    /** {@code rounds} redirects of every link, their clicks recorded as the link owners'. */
    private void click(List<JsonNode> links, int rounds) {
        for (int i = 0; i < rounds; i++) {
            for (JsonNode link : links) {
                api.get("/" + link.get("short_code").asString()).expect(302);
            }
        }
    }

    private void awaitClicks(long user, long clicks) {
        // clicks reach PostgreSQL a few milliseconds after their redirect
        await().atMost(Duration.ofSeconds(10)).until(() -> rows(user, "click").size() == clicks);
    }

    private long folded(long user) {
        return db.sql("SELECT count(*) FROM events WHERE user_id = ? AND event_type = 'click'"
                        + " AND id <= (SELECT folded_id FROM click_fold)")
                .param(user)
                .query(Long.class)
                .single();
    }

    private void assertPagesHoldTheRows(long user, String clicks) {
        for (String type : new String[] {null, "click", "shared"}) {
            String filter = "user_id=" + user + (type == null ? "" : "&event_type=" + type) + "&per_page=3";
            List<Long> expected = rows(user, type);
            assertThat(api.get("/events?" + filter).expect(200).header("X-Total-Count"))
                    .as("count of %s, clicks %s", filter, clicks)
                    .isEqualTo(String.valueOf(expected.size()));
            assertThat(walkByPage(api, "/events?" + filter))
                    .as("pages of %s, clicks %s", filter, clicks)
                    .isEqualTo(expected);
            // a cursor page shows ids up to the commit horizon, read every few hundred milliseconds
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(walkForward(api, "/events?after=0&" + filter))
                            .as("after, %s, clicks %s", filter, clicks)
                            .isEqualTo(expected));
            assertThat(walkBackward(api, "/events?before=" + (expected.getLast() + 1) + "&" + filter))
                    .as("before, %s, clicks %s", filter, clicks)
                    .isEqualTo(expected);
        }
    }

    private List<Long> rows(long user, String type) {
        return db.sql("SELECT id FROM events WHERE user_id = ?" + (type == null ? "" : " AND event_type = ?")
                        + " ORDER BY id")
                .params(type == null ? List.of(user) : List.of(user, type))
                .query(Long.class)
                .list();
    }
}
