package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.link.ClickTotals;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The links page's "most clicked" order, over real HTTP: its order, its keyset and bad cursors. */
@AccountPagesContext
class LinksByClicksTest {

    private static final Pattern NEXT = Pattern.compile("id=\"next-page\"\\s+href=\"([^\"]+)\"");
    private static final Pattern CODE = Pattern.compile("class=\"code\" href=\"/-/links/\\d+\">/([^<]+)</a>");

    @LocalServerPort
    private int port;

    @Autowired
    private ClickTotals totals;

    @Autowired
    private JdbcClient db;

    @Test
    void mostClickedLinksComeFirstAndTheNextPageStartsAfterTheLastOne() {
        String base = "http://127.0.0.1:" + port;
        PageClient admin = signedInAdmin("198.51.100.7");
        String tag = "bc" + Long.toString(System.nanoTime(), 36);
        List<String> codes = List.of(tag + "one", tag + "three", tag + "two", tag + "none", tag + "zero");
        admin.get("/");
        for (String code : codes) {
            assertThat(admin.post("/-/shorten", "original_url", "https://example.com/" + code, "short_code", code)
                            .statusCode())
                    .isEqualTo(302);
        }
        Api visitor = new Api(base);
        int[] clicks = {1, 3, 2, 0, 0};
        for (int i = 0; i < codes.size(); i++) {
            for (int n = 0; n < clicks[i]; n++) {
                visitor.get("/" + codes.get(i)).expect(302);
            }
        }

        String byClicks = "/-/links?q=" + tag + "&order=clicks";
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            totals.foldAll();
            // links never clicked come last, newest first
            return codesOn(admin.get(byClicks))
                    .equals(List.of(tag + "three", tag + "two", tag + "one", tag + "zero", tag + "none"));
        });
        assertThat(codesOn(admin.get("/-/links?q=" + tag + "&order=oldest"))).containsExactlyElementsOf(codes);

        assertThat(codesOn(admin.get(byClicks + "&after=3-" + id(tag + "three"))))
                .containsExactly(tag + "two", tag + "one", tag + "zero", tag + "none");
        assertThat(codesOn(admin.get(byClicks + "&after=0-" + id(tag + "zero"))))
                .containsExactly(tag + "none");
        long first = id(tag + "three");

        assertThat(admin.get(byClicks + "&after=" + first).statusCode())
                .as("a cursor of another order")
                .isEqualTo(400);
        HttpResponse<String> nonsense = admin.get(byClicks + "&after=3-x");
        assertThat(nonsense.statusCode()).isEqualTo(400);
        assertThat(nonsense.body()).contains("wrong value for after");
    }

    @Test
    void walkingThePagesShowsEveryLinkOnceInTheOrderOfItsClicks() {
        PageClient admin = signedInAdmin("198.51.100.8");
        String tag = "walk" + Long.toString(System.nanoTime(), 36);
        long owner = db.sql("SELECT id FROM users WHERE email = ?")
                .param(AccountPagesContext.ADMIN_EMAIL)
                .query(Long.class)
                .single();
        // more than a page, with ties: as an import writes links and their click events
        int links = LinkListing.PAGE_SIZE + 13;
        db.sql("""
                        INSERT INTO urls (user_id, short_code, original_url)
                        SELECT :owner, :tag || g, 'https://example.com/' || g FROM generate_series(1, :links) g""")
                .param("owner", owner)
                .param("tag", tag)
                .param("links", links)
                .update();
        db.sql("""
                        INSERT INTO events (url_id, event_type)
                        SELECT u.id, 'click' FROM urls u, generate_series(1, 3) n
                        WHERE u.short_code LIKE :tag || '%' AND n <= substr(u.short_code, length(:tag) + 1)::int % 4""").param("tag", tag).update();
        List<String> expected =
                db.sql("""
                        SELECT short_code FROM urls WHERE short_code LIKE :tag || '%'
                        ORDER BY substr(short_code, length(:tag) + 1)::int % 4 DESC, id DESC""").param("tag", tag).query(String.class).list();

        await().atMost(Duration.ofSeconds(15)).until(() -> {
            totals.foldAll();
            return walk(admin, "/-/links?q=" + tag + "&order=clicks").equals(expected);
        });
    }

    /** The administrator, signed in from {@code address} (each test its own sign-in budget). */
    private PageClient signedInAdmin(String address) {
        PageClient admin = new PageClient("http://127.0.0.1:" + port, address);
        admin.signIn(AccountPagesContext.ADMIN_EMAIL, AccountPagesContext.ADMIN_PASSWORD);
        return admin;
    }

    /** The codes on every page from {@code path} on, following the pages' own next-page links. */
    private static List<String> walk(PageClient client, String path) {
        List<String> codes = new ArrayList<>();
        String next = path;
        while (next != null) {
            HttpResponse<String> page = client.get(next);
            codes.addAll(codesOn(page));
            Matcher link = NEXT.matcher(page.body());
            next = link.find() ? link.group(1).replace("&amp;", "&") : null;
        }
        return codes;
    }

    private long id(String code) {
        return db.sql("SELECT id FROM urls WHERE short_code = ?")
                .param(code)
                .query(Long.class)
                .single();
    }

    private static List<String> codesOn(HttpResponse<String> page) {
        assertThat(page.statusCode()).isEqualTo(200);
        List<String> codes = new ArrayList<>();
        Matcher code = CODE.matcher(page.body());
        while (code.find()) {
            codes.add(code.group(1));
        }
        return codes;
    }
}
