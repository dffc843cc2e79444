package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class LinkStatisticsApiTest extends ApiTest {

    @Autowired
    ApplicationContext context;

    @Autowired
    JdbcClient db;

    TestLinks links;

    @BeforeEach
    void links() {
        links = new TestLinks(api, context);
    }

    private void event(long urlId, String type, LocalDateTime at, @Nullable String referrer) {
        String details = referrer == null ? "{\"referrer\":null}" : "{\"referrer\":\"" + referrer + "\"}";
        db.sql("INSERT INTO events (url_id, event_type, \"timestamp\", details) VALUES (?, ?, ?, ?::jsonb)")
                .params(urlId, type, at, details)
                .update();
    }

    @Test
    void statisticsCountClicksPerDayForThirtyDaysAndRankReferrers() {
        Link link = links.create(unique("st"), "https://example.com/stats", true);
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).withNano(0);
        event(link.id(), "click", now, "https://a.example/");
        event(link.id(), "click", now, "https://a.example/");
        event(link.id(), "click", now, null);
        event(link.id(), "click", now.minusDays(5), "https://b.example/");
        event(link.id(), "click", now.minusDays(5), "https://b.example/");
        event(link.id(), "click", now.minusDays(40), "https://a.example/");
        event(link.id(), "created", now, null);
        event(link.id(), "updated", now, null);
        api.send("GET", "/" + link.shortCode(), Map.of("Referer", "https://r.example/"))
                .expect(302);

        JsonNode stats = api.get("/urls/" + link.id() + "/stats").expect(200).json();

        assertThat(stats.get("url_id").asLong()).isEqualTo(link.id());
        assertThat(stats.get("short_code").asString()).isEqualTo(link.shortCode());
        assertThat(stats.get("total_clicks").asLong()).isEqualTo(7);
        JsonNode days = stats.get("clicks_per_day");
        assertThat(days.size()).isEqualTo(30);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        assertThat(days.get(0).get("date").asString())
                .isEqualTo(today.minusDays(29).toString());
        assertThat(days.get(29).get("date").asString()).isEqualTo(today.toString());
        assertThat(days.get(29).get("clicks").asLong()).isEqualTo(4);
        assertThat(days.get(24).get("clicks").asLong()).isEqualTo(2);
        long sum = 0;
        for (JsonNode day : days) {
            sum += day.get("clicks").asLong();
        }
        assertThat(sum).as("the click of 40 days ago is outside the window").isEqualTo(6);
        JsonNode referrers = stats.get("top_referrers");
        assertThat(referrers.size()).isEqualTo(4);
        assertThat(referrers.get(0).get("referrer").asString()).isEqualTo("https://a.example/");
        assertThat(referrers.get(0).get("clicks").asLong()).isEqualTo(3);
        assertThat(referrers.get(1).get("referrer").asString()).isEqualTo("https://b.example/");
        assertThat(referrers.get(2).get("referrer").asString()).isEqualTo("https://r.example/");
        assertThat(referrers.get(3).get("referrer").isNull()).isTrue();
        assertThat(referrers.get(3).get("clicks").asLong()).isEqualTo(1);
    }

    @Test
    void aLinkWithoutClicksHasThirtyEmptyDays() {
        Link link = links.create(unique("quiet"), "https://example.com/quiet", true);

        JsonNode stats = api.get("/urls/" + link.id() + "/stats").expect(200).json();

        assertThat(stats.get("total_clicks").asLong()).isZero();
        assertThat(stats.get("clicks_per_day").size()).isEqualTo(30);
        assertThat(stats.get("top_referrers").size()).isZero();
    }

    @Test
    void aDeletedLinkKeepsItsStatisticsWithoutAShortCode() {
        Link link = links.create(unique("gone"), "https://example.com/gone", true);
        api.get("/" + link.shortCode()).expect(302);
        links.delete(link);

        JsonNode stats = api.get("/urls/" + link.id() + "/stats").expect(200).json();

        assertThat(stats.get("short_code").isNull()).isTrue();
        assertThat(stats.get("total_clicks").asLong()).isEqualTo(1);
    }

    @Test
    void aDeletedLinkKeepsItsStatisticsOnceRetentionDroppedItsEvents() {
        // as retention leaves a deleted link: no row in urls, no event, its clicks in the rollup
        long gone = 987_654_320_001L;
        db.sql("DELETE FROM click_counts WHERE url_id = ?").param(gone).update();
        db.sql(
                        "INSERT INTO click_counts (url_id, day, referrer_id, user_id, clicks) VALUES (?, current_date - 400, NULL, NULL, 4)")
                .param(gone)
                .update();

        JsonNode stats = api.get("/urls/" + gone + "/stats").expect(200).json();

        assertThat(stats.get("short_code").isNull()).isTrue();
        assertThat(stats.get("total_clicks").asLong()).isEqualTo(4);
    }

    @Test
    void unknownOrNonIntegerLinksAre404() {
        api.get("/urls/987654321098/stats").expect(404);
        api.get("/urls/abc/stats").expect(404);
    }
}
