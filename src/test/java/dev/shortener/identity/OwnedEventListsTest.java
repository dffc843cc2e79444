package dev.shortener.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.KeysMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A user who is not an admin lists the events of their own links: {@code X-Total-Count} comes from
 * those links' click rollup and other events (ADR 0017) and agrees with a count of the rows; pages by
 * number and by cursor, read link by link, hold the rows a query of them gives, in id order.
 */
@KeysMode
class OwnedEventListsTest {

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient db;

    private Api anonymous;
    private Keys keys;

    @BeforeEach
    void connect() {
        anonymous = new Api("http://127.0.0.1:" + port);
        keys = new Keys(anonymous);
    }

    @Test
    void theCountOfAUsersOwnEventsAgreesWithTheirRows() {
        long mine = keys.newUser();
        long theirs = keys.newUser();
        List<JsonNode> myLinks = List.of(keys.newLink(mine), keys.newLink(mine));
        JsonNode theirLink = keys.newLink(theirs);
        for (int i = 0; i < 6; i++) {
            anonymous
                    .with("Referer", "https://ref" + (i % 3) + ".example/")
                    .get("/" + myLinks.get(i % 2).get("short_code").asString())
                    .expect(302);
        }
        anonymous.get("/" + theirLink.get("short_code").asString()).expect(302);
        for (JsonNode link : List.of(myLinks.getFirst(), theirLink)) {
            share(link, Map.of());
        }
        Api me = anonymous.withKey(keys.userKey(mine));

        String myLinksOnly = "url_id IN (SELECT id FROM urls WHERE user_id = " + mine + ")";
        // clicks reach PostgreSQL a few milliseconds after their redirect
        await().atMost(Duration.ofSeconds(10))
                .until(() -> rows(myLinksOnly + " AND event_type = 'click'") == 6
                        && rows("url_id = " + theirLink.get("id").asLong() + " AND event_type = 'click'") == 1);

        for (String type : new String[] {null, "click", "created", "shared", "never-recorded"}) {
            String path = "/events?per_page=1" + (type == null ? "" : "&event_type=" + type);
            assertThat(Long.parseLong(me.get(path).expect(200).header("X-Total-Count")))
                    .as("my events of type %s", type)
                    .isEqualTo(rows(myLinksOnly + (type == null ? "" : " AND event_type = '" + type + "'")));
        }
        long myLink = myLinks.getFirst().get("id").asLong();
        assertThat(Long.parseLong(me.get("/events?per_page=1&url_id=" + myLink)
                        .expect(200)
                        .header("X-Total-Count")))
                .as("one of my links")
                .isEqualTo(rows("url_id = " + myLink));
        assertThat(Long.parseLong(me.get("/events?per_page=1&url_id="
                                + theirLink.get("id").asLong())
                        .expect(200)
                        .header("X-Total-Count")))
                .as("another user's link counts nothing for me")
                .isZero();
    }

    /** A share event of {@code link}, posted by an admin, with {@code more} fields. */
    private void share(JsonNode link, Map<String, Object> more) {
        Map<String, Object> body = new HashMap<>(more);
        body.put("event_type", "shared");
        body.put("url_id", link.get("id").asLong());
        keys.admin().post("/events", body).expect(201);
    }

    private long rows(String where) {
        return db.sql("SELECT count(*) FROM events WHERE " + where)
                .query(Long.class)
                .single();
    }

    @Test
    void pagesAndCursorsOfAUsersOwnEventsHoldTheirRows() {
        long user = keys.newUser();
        long someoneElse = keys.newUser();
        List<JsonNode> links = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            links.add(keys.newLink(user));
            links.add(keys.newLink(someoneElse));
        }
        // clicks of both users' links interleaved, so that every page mixes links
        for (int i = 0; i < 12; i++) {
            for (JsonNode link : links) {
                anonymous.get("/" + link.get("short_code").asString()).expect(302);
            }
        }
        Api owner = anonymous.withKey(keys.userKey(user));
        String mine = "url_id IN (SELECT id FROM urls WHERE user_id = " + user + ")";
        await().atMost(Duration.ofSeconds(10)).until(() -> rows(mine + " AND event_type = 'click'") == 36);
        for (String type : new String[] {null, "click", "created"}) {
            String filter = type == null ? "" : "&event_type=" + type;
            List<Long> expected = db.sql("SELECT id FROM events WHERE " + mine
                            + (type == null ? "" : " AND event_type = '" + type + "'") + " ORDER BY id")
                    .query(Long.class)
                    .list();
            assertThat(byNumber(owner, filter)).as("pages by number%s", filter).isEqualTo(expected);
            // a cursor page shows ids up to the commit horizon, read every few hundred milliseconds
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(forward(owner, filter))
                            .as("after%s", filter)
                            .isEqualTo(expected));
            assertThat(backward(owner, filter, expected.getLast() + 1))
                    .as("before%s", filter)
                    .isEqualTo(expected);
        }
        // one link's events of a type other than clicks (read by their ids first): the caller's
        // link's, and none of another user's link
        for (JsonNode link : links.subList(0, 2)) {
            String filter = "&url_id=" + link.get("id").asLong() + "&event_type=created";
            List<Long> expected = db.sql("SELECT id FROM events WHERE " + mine
                            + " AND url_id = ? AND event_type = 'created' ORDER BY id")
                    .param(link.get("id").asLong())
                    .query(Long.class)
                    .list();
            assertThat(expected).hasSize(link == links.get(0) ? 1 : 0);
            assertThat(owner.get("/events?per_page=1" + filter).expect(200).header("X-Total-Count"))
                    .as("count%s", filter)
                    .isEqualTo(String.valueOf(expected.size()));
            assertThat(byNumber(owner, filter)).as("pages by number%s", filter).isEqualTo(expected);
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(forward(owner, filter))
                            .as("after%s", filter)
                            .isEqualTo(expected));
            assertThat(backward(owner, filter, Long.MAX_VALUE))
                    .as("before%s", filter)
                    .isEqualTo(expected);
        }
    }

    @Test
    void aUsersEventsAmongTheCallersOwnHoldTheirRows() {
        long user = keys.newUser();
        long other = keys.newUser();
        JsonNode mine = keys.newLink(user);
        JsonNode theirs = keys.newLink(other);
        for (int i = 0; i < 5; i++) {
            for (JsonNode link : List.of(mine, theirs)) {
                anonymous.get("/" + link.get("short_code").asString()).expect(302);
            }
        }
        // each user's event on the other's link: the caller sees the other user's on their own only
        share(mine, Map.of("user_id", other));
        share(theirs, Map.of("user_id", user));
        Api owner = anonymous.withKey(keys.userKey(user));
        String both = "url_id IN (" + mine.get("id").asLong() + ", "
                + theirs.get("id").asLong() + ")";
        await().atMost(Duration.ofSeconds(10)).until(() -> rows(both + " AND event_type = 'click'") == 10);

        for (long who : new long[] {user, other}) {
            for (String type : new String[] {null, "click", "shared"}) {
                String filter = "&user_id=" + who + (type == null ? "" : "&event_type=" + type);
                List<Long> expected = db.sql("SELECT id FROM events WHERE user_id = " + who
                                + " AND url_id IN (SELECT id FROM urls WHERE user_id = " + user + ")"
                                + (type == null ? "" : " AND event_type = '" + type + "'") + " ORDER BY id")
                        .query(Long.class)
                        .list();
                assertThat(owner.get("/events?per_page=1" + filter).expect(200).header("X-Total-Count"))
                        .as("count%s", filter)
                        .isEqualTo(String.valueOf(expected.size()));
                assertThat(byNumber(owner, filter))
                        .as("pages by number%s", filter)
                        .isEqualTo(expected);
                await().atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(forward(owner, filter))
                                .as("after%s", filter)
                                .isEqualTo(expected));
                if (!expected.isEmpty()) {
                    assertThat(backward(owner, filter, expected.getLast() + 1))
                            .as("before%s", filter)
                            .isEqualTo(expected);
                }
            }
        }
    }

    private static List<Long> byNumber(Api owner, String filter) {
        List<Long> ids = new ArrayList<>();
        for (int page = 1; ; page++) {
            List<Long> found = ids(owner.get("/events?per_page=7&page=" + page + filter));
            if (found.isEmpty()) {
                return ids;
            }
            ids.addAll(found);
        }
    }

    private static List<Long> forward(Api owner, String filter) {
        List<Long> ids = new ArrayList<>();
        long after = 0;
        while (true) {
            List<Long> found = ids(owner.get("/events?per_page=7&after=" + after + filter));
            if (found.isEmpty()) {
                return ids;
            }
            ids.addAll(found);
            after = found.getLast();
        }
    }

    private static List<Long> backward(Api owner, String filter, long before) {
        List<Long> ids = new ArrayList<>();
        long below = before;
        while (true) {
            List<Long> found = ids(owner.get("/events?per_page=7&before=" + below + filter));
            ids.addAll(0, found);
            if (found.size() < 7) {
                return ids;
            }
            below = found.getFirst();
        }
    }

    private static List<Long> ids(Api.Response page) {
        return page.expect(200)
                .json()
                .valueStream()
                .map(event -> event.get("id").asLong())
                .toList();
    }
}
