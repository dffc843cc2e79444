package dev.shortener.event;

import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code X-Total-Count} of {@code /events} read from the tallies and the click rollup (ADR 0017)
 * agrees with a count of the rows, after redirects, posted events, concurrent writers and an import
 * that changes stored events.
 */
class EventCountsTest extends ApiTest {

    @Autowired
    private JdbcClient db;

    @Test
    void countsOfALinkAndOfATypeAgreeWithTheRowsAfterEveryKindOfWrite() throws Exception {
        long user = newUser(api);
        long other = newUser(api);
        JsonNode popular = newLink(api, user);
        long popularId = popular.get("id").asLong();
        long quietId = newLink(api, user).get("id").asLong();
        String share = unique("share-");
        for (int i = 0; i < 5; i++) {
            api.with("Referer", "https://ref" + (i % 2) + ".example/")
                    .get("/" + popular.get("short_code").asString())
                    .expect(302);
        }
        api.post("/events", Map.of("event_type", share, "url_id", popularId)).expect(201);
        api.post("/events", Map.of("event_type", share, "url_id", quietId)).expect(201);

        assertCountsAgree(popularId, share);
        assertUserCountsAgree(user, popularId, share);
        assertThat(count("/events?url_id=" + popularId + "&event_type=click")).isEqualTo(5);
        assertThat(count("/events?user_id=" + user + "&event_type=click")).isEqualTo(5);
        assertThat(count("/events?event_type=" + share)).isEqualTo(2);

        try (ExecutorService writers = Executors.newFixedThreadPool(8)) {
            List<Future<?>> posted = IntStream.range(0, 200)
                    .mapToObj(i -> writers.submit(() -> api.post(
                                    "/events", Map.of("event_type", share, "url_id", i % 2 == 0 ? popularId : quietId))
                            .expect(201)))
                    .<Future<?>>map(future -> future)
                    .toList();
            for (Future<?> post : posted) {
                post.get();
            }
        }
        assertThat(count("/events?event_type=" + share)).isEqualTo(202);
        assertCountsAgree(popularId, share);
        assertCountsAgree(quietId, share);

        // an import that finds two clicks again by id: one becomes a share of the quiet link, the
        // other keeps its link and type with another referrer and another user
        List<Long> clicks = db.sql("SELECT id FROM events WHERE url_id = ? AND event_type = 'click' ORDER BY id")
                .param(popularId)
                .query(Long.class)
                .list();
        String csv = "id,url_id,user_id,event_type,timestamp,details\n"
                + clicks.get(0) + "," + quietId + ",," + share + ",2025-06-22 20:54:35,{}\n"
                + clicks.get(1) + "," + popularId + "," + other + ",click,2025-06-22 20:54:36,"
                + "\"{\"\"referrer\"\":\"\"https://moved.example/\"\"}\"\n";
        api.upload("/events/bulk", "file", "events.csv", csv).expect(201);

        assertThat(count("/events?url_id=" + popularId + "&event_type=click")).isEqualTo(4);
        assertThat(count("/events?url_id=" + quietId + "&event_type=" + share)).isEqualTo(102);
        assertThat(count("/events?event_type=" + share)).isEqualTo(203);
        assertThat(count("/events?user_id=" + user + "&event_type=click")).isEqualTo(3);
        assertThat(count("/events?user_id=" + other + "&event_type=click")).isEqualTo(1);
        assertCountsAgree(popularId, share);
        assertCountsAgree(quietId, share);
        assertUserCountsAgree(user, popularId, share);
        assertUserCountsAgree(other, popularId, share);
        assertThat(db.sql("""
                        SELECT referrer || '=' || sum(clicks) FROM clicks_counted WHERE url_id = ?
                        GROUP BY day, referrer ORDER BY day, referrer""").param(popularId).query(String.class).list())
                .as("the rollup the statistics read")
                .containsExactlyInAnyOrderElementsOf(
                        db.sql("""
                                SELECT coalesce(event_details(events) ->> 'referrer', '') || '=' || count(*) FROM events
                                WHERE url_id = ? AND event_type = 'click'
                                GROUP BY "timestamp"::date, coalesce(event_details(events) ->> 'referrer', '')""").param(popularId).query(String.class).list());

        assertThat(db.sql("SELECT count(*) FROM click_counts WHERE url_id = ? AND clicks = 0")
                        .param(popularId)
                        .query(Long.class)
                        .single())
                .as("no row of the rollup left at zero")
                .isZero();
    }

    @Test
    void theCountOfAllEventsAndOfClicksAgreesWithTheRows() {
        long link = newLink(api, newUser(api)).get("id").asLong();
        api.post("/events", Map.of("event_type", "click", "url_id", link)).expect(201);

        // other tests' instances may still be writing: compare when a count of the rows before and
        // after the request agree
        for (String filter : List.of("", "?event_type=click", "?event_type=created")) {
            String where = filter.isEmpty() ? "" : " WHERE event_type = '" + filter.substring(12) + "'";
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                long before = rows("SELECT count(*) FROM events" + where);
                long counted = count("/events" + filter + (filter.isEmpty() ? "?" : "&") + "per_page=1");
                long after = rows("SELECT count(*) FROM events" + where);
                assertThat(before).isEqualTo(after);
                assertThat(counted).as(filter).isEqualTo(before);
            });
        }
    }

    private void assertCountsAgree(long link, String type) {
        for (String filter : List.of("", "&event_type=click", "&event_type=created", "&event_type=" + type)) {
            String where = filter.isEmpty() ? "" : " AND event_type = '" + filter.substring(12) + "'";
            assertThat(count("/events?url_id=" + link + filter))
                    .as("events of link %d%s", link, filter)
                    .isEqualTo(rows("SELECT count(*) FROM events WHERE url_id = " + link + where));
        }
    }

    /** Counts of a user's events, alone, by type and on one link, against the rows. */
    private void assertUserCountsAgree(long user, long link, String type) {
        for (String filter : List.of("", "&event_type=click", "&event_type=created", "&event_type=" + type)) {
            String where = filter.isEmpty() ? "" : " AND event_type = '" + filter.substring(12) + "'";
            assertThat(count("/events?user_id=" + user + filter))
                    .as("events of user %d%s", user, filter)
                    .isEqualTo(rows("SELECT count(*) FROM events WHERE user_id = " + user + where));
            assertThat(count("/events?user_id=" + user + "&url_id=" + link + filter))
                    .as("events of user %d on link %d%s", user, link, filter)
                    .isEqualTo(rows(
                            "SELECT count(*) FROM events WHERE user_id = " + user + " AND url_id = " + link + where));
        }
    }

    private long count(String path) {
        return Long.parseLong(api.get(path).expect(200).header("X-Total-Count"));
    }

    private long rows(String sql) {
        return db.sql(sql).query(Long.class).single();
    }
}
