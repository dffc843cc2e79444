package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.TestLinks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Each link's click total, folded from the queue the click trigger fills (migration V15): every
 * click counted once, a click whose transaction commits after a fold counted by a later one, and no
 * new link version for a changed total.
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
    void everyRedirectAddsOneClickToItsLinkWithoutANewVersion() {
        Link popular = links.create(unique("pop"), "https://example.com/popular", true);
        Link quiet = links.create(unique("qui"), "https://example.com/quiet", true);
        for (int i = 0; i < 3; i++) {
            api.get("/" + popular.shortCode()).expect(302);
        }
        api.get("/" + quiet.shortCode()).expect(302);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> links.clicks(popular.id()) == 3 && links.clicks(quiet.id()) == 1);
        long version = column(popular, "version");

        awaitTotal(popular, 3);
        awaitTotal(quiet, 1);
        totals.foldAll();

        assertThat(column(popular, "clicks")).as("a second fold adds nothing").isEqualTo(3);
        assertThat(column(popular, "version")).isEqualTo(version);
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
            assertThat(column(link, "clicks")).isZero();
            late.commit();
        }
        awaitTotal(link, 1);
        totals.foldAll();
        assertThat(column(link, "clicks")).isEqualTo(1);
    }

    private void awaitTotal(Link link, long clicks) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            totals.foldAll();
            return column(link, "clicks") == clicks;
        });
    }

    private long column(Link link, String column) {
        return db.sql("SELECT " + column + " FROM urls WHERE id = ?")
                .param(link.id())
                .query(Long.class)
                .single();
    }
}
