package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.shortener.Api;
import dev.shortener.KeysMode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The web application as people use it, in headless Chromium against the whole service in {@code
 * AUTH_MODE=keys}: every page is checked for console errors (CSP violations included) and for
 * serious or critical accessibility violations (axe-core). Link targets live on a public-looking
 * name that the browser resolves to a local server.
 */
@KeysMode
@TestPropertySource(
        properties = {
            "shortener.accounts.admin-email=" + WebApplicationTest.ADMIN_EMAIL,
            "shortener.accounts.admin-password=" + WebApplicationTest.ADMIN_PASSWORD
        })
class WebApplicationTest {

    static final String ADMIN_EMAIL = "operator@example.com";
    static final String ADMIN_PASSWORD = "operator-password-42";
    private static final String TARGET_HOST = "target.example.test";
    private static final String PASSWORD = "a-long-enough-password";
    private static final Path SCREENSHOTS =
            Path.of(System.getenv().getOrDefault("SCREENSHOTS_DIR", "target/screenshots"));

    private static HttpServer target;
    private static final List<String> landed = new CopyOnWriteArrayList<>();
    private static Browser browser;
    private static WebDriver driver;

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient db;

    private String base;

    @BeforeAll
    static void start() throws IOException {
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/", exchange -> {
            landed.add(exchange.getRequestURI().getPath());
            byte[] page = ("<!doctype html><html lang=\"en\"><head><title>Target</title></head><body><main>"
                            + "<h1>Landed on " + exchange.getRequestURI().getPath() + "</h1></main></body></html>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(
                    exchange.getRequestURI().getPath().equals("/favicon.ico") ? 404 : 200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        target.start();
        browser = Browser.start(TARGET_HOST);
        driver = browser.driver();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        target.stop(0);
    }

    @BeforeEach
    void freshBrowser() {
        base = "http://127.0.0.1:" + port;
        driver.get(base + "/health");
        driver.manage().deleteAllCookies();
        browser.desktopWidth();
        browser.consoleErrors();
    }

    @Test
    void aPersonSignsUpShortensFollowsEditsDeactivatesAndManagesKeys() throws Exception {
        page("/", "home-signed-out");
        assertThat(text("main")).contains("Sign in", "create an account");

        String email = unique("ada") + "@example.com";
        signUp("Ada", email);
        assertThat(driver.getCurrentUrl()).endsWith("/-/links");
        signOut();
        page("/-/login", "login");
        signIn(email, PASSWORD);

        String shortUrl = shorten(targetUrl("/landing"), "Spring launch");
        page("/", null);
        String code = shortUrl.substring(shortUrl.lastIndexOf('/') + 1);

        page("/-/links", "links");
        type(By.id("q"), "Spring laun");
        await().atMost(Duration.ofSeconds(5)).until(() -> driver.getCurrentUrl().contains("q=Spring"));
        assertThat(text("#results")).contains("/" + code, "Spring launch");
        driver.findElement(By.linkText("/" + code)).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> driver.getCurrentUrl().matches(".*/-/links/\\d+$"));
        String linkPage = driver.getCurrentUrl();
        check("link");

        browser.open(shortUrl);
        assertThat(text("h1")).isEqualTo("Landed on /landing");
        assertThat(landed).contains("/landing");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            driver.get(linkPage);
            JsonNode series = JsonMapper.builder()
                    .build()
                    .readTree(driver.findElement(By.id("chart")).getDomAttribute("data-series"));
            long clicks = 0;
            for (JsonNode day : series.get("clicks")) {
                clicks += day.asLong();
            }
            assertThat(clicks).as("clicks in the chart's data").isEqualTo(1);
        });
        assertThat(driver.findElements(By.cssSelector("#chart canvas")))
                .as("uPlot drew the chart")
                .isNotEmpty();
        assertThat(text("#recent-clicks")).contains("HeadlessChrome");
        page(linkPage.substring(base.length()), "link-details");

        type(By.id("original_url"), targetUrl("/moved"));
        driver.findElement(By.cssSelector("#edit button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> text("main").contains("Saved."));
        browser.open(shortUrl);
        assertThat(text("h1")).isEqualTo("Landed on /moved");

        driver.get(linkPage);
        driver.findElement(By.id("is_active")).click();
        driver.findElement(By.cssSelector("#edit button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> text("main").contains("Saved."));
        browser.open(shortUrl);
        assertThat(text("h1")).isEqualTo("This link does not exist");
        check(null);

        page("/-/settings/api-keys", "api-keys");
        type(By.id("name"), "deploy script");
        driver.findElement(By.cssSelector("form[action='/-/settings/api-keys'] button[type=submit]"))
                .click();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !driver.findElements(By.id("secret")).isEmpty());
        check("api-keys-issued");
        String secret = driver.findElement(By.id("secret")).getDomProperty("value");
        Api withKey = new Api(base).withKey(secret);
        assertThat(withKey.get("/users/me").expect(200).json().path("email").asString())
                .isEqualTo(email);
        driver.findElement(By.cssSelector("#keys button.danger")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> text("main").contains("revoked"));
        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> withKey.get("/users/me").expect(401));

        signOut();
        driver.get(base + "/-/links");
        assertThat(driver.getCurrentUrl()).contains("/-/login?next=");
    }

    @Test
    void aPersonAddsAPasskeyAndSignsInWithItAlone() {
        // Passkeys need a domain name in a secure context: localhost, not 127.0.0.1.
        base = "http://localhost:" + port;
        HasVirtualAuthenticator authenticators = (HasVirtualAuthenticator) driver;
        VirtualAuthenticator authenticator = authenticators.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true)
                .setHasUserVerification(true)
                .setIsUserVerified(true));
        try {
            String email = unique("grace") + "@example.com";
            signUp("Grace", email);
            page("/-/settings/passkeys", null);
            type(By.id("passkey-label"), "Laptop");
            type(By.id("passkey-password"), "not-the-password");
            driver.findElement(By.id("passkey-add-button")).click();
            await().atMost(Duration.ofSeconds(10))
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() ->
                            driver.findElement(By.id("passkey-error")).getText().contains("password"));
            assertThat(authenticator.getCredentials()).isEmpty();
            browser.consoleErrors(); // the refusal's 400
            driver.findElement(By.id("passkey-password")).clear();
            type(By.id("passkey-password"), PASSWORD);
            driver.findElement(By.id("passkey-add-button")).click();
            await().atMost(Duration.ofSeconds(10))
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() -> text("main").contains("Passkey Laptop added."));
            check("passkeys");
            assertThat(text("#passkeys")).contains("Laptop");
            assertThat(authenticator.getCredentials()).hasSize(1);
            String credential = db.sql("""
                            SELECT c.credential_id FROM user_credentials c
                            JOIN user_entities e ON e.id = c.user_entity_user_id JOIN users u ON u.id = e.user_id
                            WHERE u.email = ?""").param(email).query(String.class).single();
            String otherEmail = unique("mallory") + "@example.com";
            PageClient other = new PageClient(base, "198.51.100.44");
            other.get("/-/signup");
            other.post("/-/signup", "username", "Mallory", "email", otherEmail, "password", PASSWORD);
            other.get("/-/settings/passkeys");
            other.post("/-/settings/passkeys/" + credential + "/remove");
            assertThat(db.sql("SELECT count(*) FROM user_credentials WHERE credential_id = ?")
                            .param(credential)
                            .query(Long.class)
                            .single())
                    .as("another person cannot remove Grace's passkey")
                    .isOne();

            signOut();
            page("/-/login?next=/-/settings/api-keys", null);
            driver.findElement(By.id("passkey-sign-in-button")).click();
            // the address changes before the next page has loaded: wait for the page too, or for
            // the sign-in's error, whose text then says why (a loaded machine takes seconds)
            await().atMost(Duration.ofSeconds(30))
                    // one call: each ignoreException replaces the one before
                    .ignoreExceptionsMatching(WebApplicationTest::pageStillChanging)
                    .until(() -> (driver.getCurrentUrl().endsWith("/-/settings/api-keys")
                                    && text("header").contains("Grace"))
                            || (driver.getCurrentUrl().contains("/-/login")
                                    && driver.findElement(By.id("passkey-error"))
                                            .isDisplayed()));
            assertThat(driver.getCurrentUrl())
                    .as(
                            "signed in with the passkey, not: %s",
                            driver.findElements(By.id("passkey-error")).stream()
                                    .map(WebElement::getText)
                                    .toList())
                    .endsWith("/-/settings/api-keys");
            assertThat(text("header")).contains("Grace");
            page("/-/settings/passkeys", null);
            assertThat(text("#passkeys")).contains("Laptop");

            driver.findElement(By.cssSelector("#passkeys button")).click();
            await().atMost(Duration.ofSeconds(5))
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() -> text("main").contains("No passkey yet."));
            signOut();
            page("/-/login", null);
            driver.findElement(By.id("passkey-sign-in-button")).click();
            await().atMost(Duration.ofSeconds(10))
                    // one call: each ignoreException replaces the one before
                    .ignoreExceptionsMatching(WebApplicationTest::pageStillChanging)
                    .until(() -> driver.findElement(By.id("passkey-error")).isDisplayed());
            assertThat(driver.getCurrentUrl()).endsWith("/-/login");
            assertThat(text("header")).contains("Sign in");
        } finally {
            authenticators.removeVirtualAuthenticator(authenticator);
        }
    }

    @Test
    void anotherPersonNeitherSeesNorOpensSomeoneElsesLink() throws Exception {
        signUp("Owner", unique("owner") + "@example.com");
        String shortUrl = shorten(targetUrl("/private"), "Owner's link");
        String code = shortUrl.substring(shortUrl.lastIndexOf('/') + 1);
        driver.get(base + "/-/links?q=" + code);
        String linkPath = driver.findElement(By.linkText("/" + code)).getDomAttribute("href");
        byte[] png = get(linkPath + "/qr.png", session()).body();
        assertThat(QrCodesTest.decodePng(png)).isEqualTo(shortUrl);
        String svg = new String(get(linkPath + "/qr.svg", session()).body(), StandardCharsets.UTF_8);
        assertThat(QrCodesTest.decodeSvg(svg)).isEqualTo(shortUrl);
        signOut();

        signUp("Other", unique("other") + "@example.com");
        page("/-/links?q=" + code, null);
        assertThat(text("#results")).doesNotContain(code).contains("No link matches");
        driver.get(base + linkPath);
        assertThat(text("h1")).isEqualTo("Not Found");
        check("not-found");
        assertThat(get(linkPath, session()).statusCode()).isEqualTo(404);
        assertThat(get(linkPath + "/qr.png", session()).statusCode()).isEqualTo(404);
    }

    @Test
    void anAdministratorTakesALinkDownAndItsVisitorsGetTheGonePage() throws Exception {
        signUp("Suspect", unique("suspect") + "@example.com");
        String shortUrl = shorten(targetUrl("/phish"), null);
        String code = shortUrl.substring(shortUrl.lastIndexOf('/') + 1);
        signOut();

        driver.get(base + "/-/admin/users");
        assertThat(driver.getCurrentUrl()).contains("/-/login");
        signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        page("/-/admin/users", "admin-users");
        page("/-/admin/abuse", null);
        type(By.id("short_code"), code);
        type(By.id("reason"), "phishing");
        driver.findElement(By.cssSelector("form[action='/-/admin/abuse/block'] button"))
                .click();
        await().atMost(Duration.ofSeconds(5)).until(() -> text("main").contains("is down"));
        check("admin-abuse");

        browser.open(shortUrl);
        assertThat(text("h1")).isEqualTo("This link was taken down");
        check("gone");
        assertThat(landed).doesNotContain("/phish");
    }

    @Test
    void anAdministratorFollowsImportsLiveAndReplaysADeadLetter() {
        Api operator = new Api(base).withKey(KeysMode.ADMIN_KEY);
        String tag = unique("import");
        Api.Response accepted = operator.with("Prefer", "respond-async")
                .upload(
                        "/users/bulk",
                        "file",
                        "people.csv",
                        "username,email\nok," + tag + "@example.com\nbad,not-an-email\n")
                .expect(202);
        long finished = accepted.json().get("id").asLong();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> operator.get("/imports/" + finished)
                        .json()
                        .get("state")
                        .asString()
                        .equals("completed"));
        long running = db.sql("INSERT INTO import_jobs (entity, mode, state, header, rows_total, file_name)"
                        + " VALUES ('users', 'async', 'running', 'username,email', 10, 'live.csv') RETURNING id")
                .query(Long.class)
                .single();

        driver.get(base + "/-/login");
        signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        page("/-/admin/imports", "admin-imports");
        assertThat(text("#dead-letters")).contains("not-an-email");
        db.sql("UPDATE import_jobs SET rows_imported = 7, version = version + 1 WHERE id = ?")
                .param(running)
                .update();
        By live = By.cssSelector("tr[data-job-events='/imports/" + running + "/events'] [data-field=processed]");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> driver.findElement(live).getText().equals("7 / 10"));
        db.sql("UPDATE import_jobs SET state = 'completed', finished_at = now(), rows_imported = 10,"
                        + " version = version + 1 WHERE id = ?")
                .param(running)
                .update();
        By state = By.cssSelector("tr[data-job-events='/imports/" + running + "/events'] [data-field=state]");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> driver.findElement(state).getText().equals("completed"));

        driver.findElement(By.cssSelector("#dead-letters button")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> text("main").contains("refused again"));
        check(null);
    }

    @Test
    void anInvitedPersonSetsAPasswordAndIsSignedIn() {
        driver.get(base + "/-/login");
        signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        driver.get(base + "/-/admin/users");
        type(By.id("username"), "Newcomer");
        type(By.id("email"), unique("newcomer") + "@example.com");
        driver.findElement(By.cssSelector("form[action='/-/admin/users/invite'] button"))
                .click();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !driver.findElements(By.id("account-link")).isEmpty());
        String invitation = driver.findElement(By.id("account-link")).getDomProperty("value");
        signOut();

        browser.open(invitation);
        assertThat(text("main")).contains("Welcome, Newcomer");
        check("welcome");
        type(By.id("password"), PASSWORD);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> driver.getCurrentUrl().endsWith("/-/links"));
        assertThat(text("header")).contains("Sign out", "Newcomer");
    }

    @Test
    void aPersonWhoIsNoAdministratorGetsAForbiddenPage() {
        signUp("Curious", unique("curious") + "@example.com");
        driver.get(base + "/-/admin/users");
        assertThat(text("h1")).isEqualTo("Not for this account");
        check(null);
        assertThat(get("/-/admin/users", session()).statusCode()).isEqualTo(403);
    }

    @Test
    void aVisitorWhoMayNotShortenGetsNoSessionFromTheHomePage() {
        HttpResponse<byte[]> home = get("/", "unrelated=1");
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.headers().allValues("Set-Cookie"))
                .as("no session stored for a mere visit")
                .isEmpty();
    }

    @Test
    void pagesFitAPhoneScreen() {
        signUp("Phone", unique("phone") + "@example.com");
        shorten(targetUrl("/a/rather/long/path/that/could/push/the/layout/wider/than/a/phone"), "Phone");
        browser.phoneWidth();
        for (String path : List.of("/", "/-/links", "/-/settings/api-keys")) {
            page(path, null);
            long overflow = (Long) ((JavascriptExecutor) driver)
                    .executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
            assertThat(overflow)
                    .as("horizontal overflow of %s at phone width", path)
                    .isLessThanOrEqualTo(0);
        }
        browser.screenshot(SCREENSHOTS.resolve("links-phone.png"));
    }

    @Test
    void signingInWithAWrongPasswordSaysSoWithoutSayingWhichPartWasWrong() {
        driver.get(base + "/-/login");
        type(By.id("email"), "nobody@example.com");
        type(By.id("password"), "not-the-password-at-all");
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> text("main").contains("Wrong e-mail address or password"));
        check("login-refused");
    }

    // --- steps -------------------------------------------------------------------------------

    private void signUp(String name, String email) {
        page("/-/signup", "signup");
        type(By.id("username"), name);
        type(By.id("email"), email);
        type(By.id("password"), PASSWORD);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> driver.getCurrentUrl().endsWith("/-/links"));
    }

    private void signIn(String email, String password) {
        type(By.id("email"), email);
        type(By.id("password"), password);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !driver.getCurrentUrl().contains("/-/login"));
    }

    private void signOut() {
        driver.findElement(By.id("sign-out")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> text("header").contains("Sign in"));
    }

    /** Shortens {@code url} on the home page; the short URL it shows. */
    private String shorten(String url, String title) {
        driver.get(base + "/");
        type(By.id("original_url"), url);
        if (title != null) {
            driver.findElement(By.tagName("summary")).click();
            type(By.id("title"), title);
        }
        driver.findElement(By.cssSelector("form[action='/-/shorten'] button[type=submit]"))
                .click();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !driver.findElements(By.id("short-url")).isEmpty());
        check("home-shortened");
        String shortUrl = driver.findElement(By.id("short-url")).getDomProperty("value");
        assertThat(shortUrl).startsWith(base + "/");
        return shortUrl;
    }

    /** Opens a page and checks it; takes its screenshot when named. */
    private void page(String path, String screenshot) {
        driver.get(base + path);
        check(screenshot);
    }

    private void check(String screenshot) {
        String page = driver.getCurrentUrl();
        browser.assertNoConsoleErrors(page);
        browser.assertAccessible(page);
        if (screenshot != null) {
            browser.screenshot(SCREENSHOTS.resolve(screenshot + ".png"));
        }
    }

    private void type(By field, String text) {
        WebElement input = driver.findElement(field);
        input.clear();
        input.sendKeys(text);
    }

    /** The element's text, or "" while the page it was on is being replaced (waits read it again). */
    private String text(String css) {
        try {
            return driver.findElement(By.cssSelector(css)).getText();
        } catch (NoSuchElementException | StaleElementReferenceException e) {
            return "";
        } catch (WebDriverException e) {
            if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                return "";
            }
            throw e;
        }
    }

    private String targetUrl(String path) {
        return "http://" + TARGET_HOST + ":" + target.getAddress().getPort() + path;
    }

    private String session() {
        Cookie cookie = driver.manage().getCookieNamed("shortener_session");
        assertThat(cookie).as("a session cookie").isNotNull();
        return cookie.getName() + "=" + cookie.getValue();
    }

    private HttpResponse<byte[]> get(String path, String cookie) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create(base + path))
                            .header("Cookie", cookie)
                            .header("Accept", "text/html")
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String unique(String prefix) {
        return prefix + Long.toString(System.nanoTime(), 36);
    }

    /** An element looked up while the page is being replaced: not there yet, or gone with the old page. */
    private static boolean pageStillChanging(Throwable e) {
        return e instanceof NoSuchElementException || e instanceof StaleElementReferenceException;
    }
}
