package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.user.Accounts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The links page sorted by clicks, over real HTTP: the totals come from the triggers of migration
 * V11 (links written by plain SQL as imports write them, clicks by the events table's writers and by
 * real redirects), and keyset pages in that order cover every link once.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "shortener.embedded.data-dir=target/embedded-test-data",
            "shortener.embedded.clean=true",
            "shortener.auth.mode=keys",
            "shortener.accounts.signup=invite",
            "shortener.accounts.admin-email=" + AccountPagesTest.ADMIN_EMAIL,
            "shortener.accounts.admin-password=" + AccountPagesTest.ADMIN_PASSWORD,
            "shortener.rate-limits.sign-ins=5",
            "shortener.web.anonymous-links=true"
        })
class LinkListingTest {

    private static final Pattern ROW = Pattern.compile(
            "class=\"code\" href=\"/-/links/(\\d+)\">/[^<]+</a>.*?<td class=\"num\">(\\d+)</td>", Pattern.DOTALL);
    private static final Pattern NEXT = Pattern.compile("id=\"next-page\"\\s+href=\"([^\"]+)\"");

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient db;

    @Autowired
    private Accounts accounts;

    private record Listed(long id, long clicks) {}

    @Test
    void mostClickedFirstPagesThroughEveryLinkOnceInOrderOfClicks() {
        String email = "counter" + System.nanoTime() + "@example.com";
        long owner = accounts.signUp("Counter", email, "counter-password-1").id();
        String prefix = "mc" + System.nanoTime() % 1_000_000_000L + "x";
        // 120 links, as an import writes them; clicks 0..5 so that many links tie.
        db.sql("""
                INSERT INTO urls (user_id, short_code, original_url)
                SELECT ?, ? || g, 'https://example.com/' || g FROM generate_series(1, 120) g""").params(owner, prefix).update();
        db.sql("""
                INSERT INTO events (url_id, event_type, details)
                SELECT u.id, 'click', '{}'::jsonb
                FROM urls u, generate_series(1, 5) n
                WHERE u.user_id = ? AND n <= u.id % 6""").param(owner).update();
        PageClient person = new PageClient(base(), "198.51.100.7");
        person.signIn(email, "counter-password-1");

        List<Listed> listed = new ArrayList<>();
        String page = "/-/links?order=clicks";
        int pages = 0;
        while (page != null) {
            HttpResponse<String> answer = person.get(page);
            assertThat(answer.statusCode()).as(page).isEqualTo(200);
            Matcher row = ROW.matcher(answer.body());
            while (row.find()) {
                listed.add(new Listed(Long.parseLong(row.group(1)), Long.parseLong(row.group(2))));
            }
            Matcher next = NEXT.matcher(answer.body());
            page = next.find() ? next.group(1).replace("&amp;", "&") : null;
            pages++;
        }

        List<Listed> expected = db.sql("""
                SELECT u.id, (SELECT count(*) FROM events e WHERE e.url_id = u.id AND e.event_type = 'click')
                FROM urls u WHERE u.user_id = ? ORDER BY 2 DESC, 1 DESC""")
                .param(owner)
                .query((r, n) -> new Listed(r.getLong(1), r.getLong(2)))
                .list();
        assertThat(pages).isEqualTo(3);
        assertThat(listed).hasSize(120).containsExactlyElementsOf(expected);
        assertThat(listed.getFirst().clicks()).isEqualTo(5);
        assertThat(listed.getLast().clicks()).isZero();
    }

    @Test
    void totalsFollowRedirectsDeletionsAndOwners() {
        String email = "mover" + System.nanoTime() + "@example.com";
        long owner = accounts.signUp("Mover", email, "mover-password-12").id();
        String code = "tf" + System.nanoTime() % 1_000_000_000L;
        long link = db.sql("INSERT INTO urls (user_id, short_code, original_url) VALUES (?, ?, ?) RETURNING id")
                .params(owner, code, "https://example.com/followed")
                .query(Long.class)
                .single();
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        for (int i = 0; i < 3; i++) {
            HttpResponse<Void> redirect = send(http, base() + "/" + code);
            assertThat(redirect.statusCode()).isEqualTo(302);
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(total(link))
                        .as("clicks recorded by the click pipeline")
                        .isEqualTo(3));

        db.sql("DELETE FROM users WHERE id = ?").param(owner).update();
        assertThat(db.sql("SELECT user_id IS NULL FROM click_totals WHERE url_id = ?")
                        .param(link)
                        .query(Boolean.class)
                        .single())
                .as("the link has no owner once its owner is gone")
                .isTrue();

        db.sql("DELETE FROM urls WHERE id = ?").param(link).update();
        assertThat(db.sql("SELECT count(*) FROM click_totals WHERE url_id = ?")
                        .param(link)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aPageLinkOfAnotherOrderOrMadeUpGetsAPageNotAServerError() {
        String email = "cursor" + System.nanoTime() + "@example.com";
        accounts.signUp("Cursor", email, "cursor-password-12");
        PageClient person = new PageClient(base(), "198.51.100.8");
        person.signIn(email, "cursor-password-12");
        for (String page : List.of(
                "/-/links?order=clicks&after=12",
                "/-/links?after=3.12",
                "/-/links?order=clicks&after=99999999999999999999.1",
                "/-/links?after=x")) {
            HttpResponse<String> answer = person.get(page);
            assertThat(answer.statusCode()).as(page).isEqualTo(400);
            assertThat(answer.body()).as(page).contains("This page link is not valid");
        }
        assertThat(person.get("/-/links?order=clicks&after=3.12").statusCode()).isEqualTo(200);
    }

    private long total(long link) {
        return db.sql("SELECT clicks FROM click_totals WHERE url_id = ?")
                .param(link)
                .query(Long.class)
                .optional()
                .orElse(-1L);
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private static HttpResponse<Void> send(HttpClient http, String url) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
