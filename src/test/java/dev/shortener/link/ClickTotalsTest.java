package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.TestLinks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Each link's click total, folded from the queue the click trigger fills (migration V15): every
 * click counted once, with the link's owner, and a click whose transaction commits after a fold
 * counted by a later one.
 */
class ClickTotalsTest extends ApiTest {

    @Autowired
    private ClickTotals totals;

    @Autowired
    private JdbcClient db;

    @Autowired
    private DataSource dataSource;

    @Autowired
    private ApplicationContext context;

    private TestLinks links;

    @BeforeEach
    void links() {
        links = new TestLinks(api, context);
    }

    @Test
    void everyRedirectAddsOneClickToItsLinksTotalWithItsOwner() {
        long owner = api.post("/users", Map.of("username", unique("owner"), "email", unique("owner") + "@example.com"))
                .expect(201)
                .json()
                .get("id")
                .asLong();
        JsonNode popular = api.post("/urls", Map.of("original_url", "https://example.com/popular", "user_id", owner))
                .expect(201)
                .json();
        long popularId = popular.get("id").asLong();
        Link quiet = links.create(unique("qui"), "https://example.com/quiet", true);
        for (int i = 0; i < 3; i++) {
            api.get("/" + popular.get("short_code").asString()).expect(302);
        }
        api.get("/" + quiet.shortCode()).expect(302);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> links.clicks(popularId) == 3 && links.clicks(quiet.id()) == 1);

        awaitTotal(popularId, 3);
        awaitTotal(quiet.id(), 1);
        totals.foldAll();

        assertThat(total(popularId)).as("a second fold adds nothing").isEqualTo(3);
        assertThat(db.sql("SELECT user_id FROM link_click_totals WHERE url_id = ?")
                        .param(popularId)
                        .query(Long.class)
                        .single())
                .as("the owner, for the links page's index")
                .isEqualTo(owner);
    }

    @Test
    void aClickCommittedAfterAFoldIsAddedByALaterOne() throws Exception {
        Link link = links.create(unique("late"), "https://example.com/late", true);
        try (Connection late = dataSource.getConnection()) {
            late.setAutoCommit(false);
            try (PreparedStatement click =
                    late.prepareStatement("INSERT INTO events (url_id, event_type) VALUES (?, 'click')")) {
                click.setLong(1, link.id());
                click.executeUpdate();
            }
            totals.foldAll();
            assertThat(total(link.id())).isZero();
            late.commit();
        }
        awaitTotal(link.id(), 1);
        totals.foldAll();
        assertThat(total(link.id())).isEqualTo(1);
    }

    @Test
    void aLinkImportedAfterItsClicksStartsItsTotalWithThem() {
        long id = db.sql("SELECT coalesce(max(id), 0) + 1000000 FROM urls")
                        .query(Long.class)
                        .single()
                + Math.floorMod(unique("id").hashCode(), 1000);
        api.upload("/events/bulk", "file", "events.csv", """
                        url_id,event_type,timestamp,details
                        %1$d,click,2026-11-01 10:00:00,"{""referrer"": ""https://a.example/""}"
                        %1$d,click,2026-11-02 10:00:00,{}
                        %1$d,created,2026-10-31 10:00:00,{}
                        """.formatted(id)).expect(201);
        totals.foldAll();

        String code = unique("lat");
        api.upload("/urls/bulk", "file", "urls.csv", """
                        id,short_code,original_url
                        %d,%s,https://example.com/late
                        """.formatted(id, code)).expect(201);
        api.get("/" + code).expect(302);

        awaitTotal(id, 3);
        assertThat(api.get("/urls/" + id + "/stats")
                        .expect(200)
                        .json()
                        .get("total_clicks")
                        .asLong())
                .as("what its statistics count")
                .isEqualTo(3);
    }

    private void awaitTotal(long link, long clicks) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            totals.foldAll();
            return total(link) == clicks;
        });
    }

    private long total(long link) {
        return db.sql("SELECT coalesce(sum(clicks), 0) FROM link_click_totals WHERE url_id = ?")
                .param(link)
                .query(Long.class)
                .single();
    }
}
