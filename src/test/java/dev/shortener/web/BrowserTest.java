package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;

/** The browser harness against a JDK HTTP server: console errors, CSP violations, axe-core, host mapping. */
class BrowserTest {

    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'";
    private static final String MAPPED_HOST = "target.example.test";

    private static HttpServer server;
    private static Browser browser;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        page("/good", CSP, "text/html", """
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><title>Good page</title><script src="/app.js" defer></script></head>
                <body><main><h1>Shorten a link</h1>
                <label for="url">Long URL</label> <input id="url" name="url" type="url">
                <p id="status"></p></main></body>
                </html>""");
        page("/app.js", CSP, "text/javascript", "document.getElementById('status').textContent = 'ready';");
        page("/inline", CSP, "text/html", """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Inline</title></head>
                <body><main><h1>Inline</h1><script>console.log(1)</script></main></body></html>""");
        page("/error", null, "text/html", """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Error</title></head>
                <body><main><h1>Error</h1><script>console.error('boom')</script></main></body></html>""");
        // Under the strict CSP too: axe-core is injected through WebDriver, which page CSP does not govern.
        page("/inaccessible", CSP, "text/html", """
                <!doctype html>
                <html><head><meta charset="utf-8"><title>Inaccessible</title></head>
                <body><img src="/pixel.gif"><input type="text"></body></html>""");
        page(
                "/pixel.gif",
                CSP,
                "image/gif",
                Base64.getDecoder().decode("R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs="));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        long started = System.nanoTime();
        browser = Browser.start(Map.of(MAPPED_HOST, "127.0.0.1"));
        System.out.printf("Browser started in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    private static void page(String path, String csp, String type, String body) {
        page(path, csp, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void page(String path, String csp, String type, byte[] bytes) {
        server.createContext(path, exchange -> {
            if (!exchange.getRequestURI().getPath().equals(path)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders()
                    .set("Content-Type", type.startsWith("image/") ? type : type + "; charset=utf-8");
            if (csp != null) {
                exchange.getResponseHeaders().set("Content-Security-Policy", csp);
            }
            exchange.sendResponseHeaders(200, bytes.length);
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @BeforeEach
    void drainLog() {
        browser.desktopWidth();
        browser.consoleErrors();
    }

    @Test
    void aGoodPageUnderAStrictCspHasNoConsoleErrorsAndPassesAxe() {
        browser.open(base + "/good");

        assertThat(browser.driver().getTitle()).isEqualTo("Good page");
        assertThat(text("status")).as("the same-origin script ran").isEqualTo("ready");
        browser.assertAccessible("/good");
        browser.assertNoConsoleErrors("/good (axe-core injected under script-src 'self')");
    }

    @Test
    void aCspViolationIsAConsoleError() {
        browser.open(base + "/inline");

        assertThat(browser.consoleErrors())
                .singleElement()
                .asString()
                .contains("/inline ")
                .contains("inline script violates the following Content Security Policy directive 'script-src 'self''")
                .contains("blocked");
        assertThat(browser.consoleErrors()).as("drained").isEmpty();
    }

    @Test
    void aScriptsConsoleErrorIsReported() {
        browser.open(base + "/error");

        assertThat(browser.consoleErrors()).singleElement().asString().contains("boom");
    }

    @Test
    void axeFailsAnInaccessiblePage() {
        browser.open(base + "/inaccessible");

        assertThatThrownBy(() -> browser.assertAccessible("/inaccessible"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("image-alt (critical)")
                .hasMessageContaining("label (critical)")
                .hasMessageContaining("html-has-lang (serious)");
        browser.assertNoConsoleErrors("/inaccessible (axe-core injected under script-src 'self')");
    }

    @Test
    void aMappedHostNameReachesTheLocalServer() {
        browser.open("http://" + MAPPED_HOST + ":" + server.getAddress().getPort() + "/good");

        assertThat(browser.driver().getCurrentUrl()).startsWith("http://" + MAPPED_HOST + ":");
        assertThat(text("status")).isEqualTo("ready");
        browser.assertNoConsoleErrors(MAPPED_HOST);
    }

    @Test
    void phoneAndDesktopWidthsSetTheViewport() {
        browser.open(base + "/good");

        browser.phoneWidth();
        assertThat(script("return window.innerWidth")).isEqualTo(390L);
        browser.desktopWidth();
        assertThat(script("return window.innerWidth")).isEqualTo(1280L);
    }

    @Test
    void aScreenshotIsAPng(@TempDir Path dir) throws IOException {
        browser.open(base + "/good");

        Path file = browser.screenshot(dir.resolve("shots/good.png"));

        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        assertThat(Files.readAllBytes(file)).startsWith(magic);
    }

    private static String text(String id) {
        return (String) script("return document.getElementById('" + id + "').textContent");
    }

    private static Object script(String js) {
        return ((JavascriptExecutor) browser.driver()).executeScript(js);
    }
}
