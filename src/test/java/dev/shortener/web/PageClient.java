package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without a browser: keeps cookies, sends forms with the CSRF token of the page they
 * came from, follows no redirect (so tests see where each answer sends), and may come from a given
 * client address through a trusted proxy's X-Forwarded-For.
 */
final class PageClient {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private final String base;
    private final String clientAddress;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;
    private String csrf = "";

    PageClient(String base, String clientAddress) {
        this.base = base;
        this.clientAddress = clientAddress;
        this.http = HttpClient.newBuilder()
                .cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Gets a page, with the given header names and values, and remembers the CSRF token of its forms. */
    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = request(path).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> page = send(request);
        Matcher token = CSRF.matcher(page.body());
        if (token.find()) {
            csrf = token.group(1);
        }
        return page;
    }

    /** Posts a form with the CSRF token of the last page. */
    HttpResponse<String> post(String path, String... fieldsAndValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("_csrf", csrf);
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            fields.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
        String body = fields.entrySet().stream()
                .map(field -> encode(field.getKey()) + "=" + encode(field.getValue()))
                .collect(Collectors.joining("&"));
        return send(request(path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Posts JSON as the pages' script does, with the CSRF token of the last page in a header. */
    HttpResponse<String> postJson(String path, String json) {
        return send(request(path)
                .setHeader("Accept", "application/json")
                .header("Content-Type", "application/json")
                .header("X-CSRF-TOKEN", csrf)
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Signs in through the form; asserts it worked. */
    void signIn(String email, String password) {
        get("/-/login");
        HttpResponse<String> answer = post("/-/login", "email", email, "password", password);
        assertThat(answer.statusCode()).as("signing in as %s", email).isEqualTo(302);
    }

    /** The value of the cookie named {@code name} this client holds, or null. */
    String cookie(String name) {
        return cookies.getCookieStore().getCookies().stream()
                .filter(cookie -> cookie.getName().equals(name))
                .map(java.net.HttpCookie::getValue)
                .findFirst()
                .orElse(null);
    }

    /** Where an answer sends the browser: a path on this site, or the whole URL of another. */
    String location(HttpResponse<?> answer) {
        String location = answer.headers().firstValue("Location").orElse("");
        return location.startsWith(base + "/") ? location.substring(base.length()) : location;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .header("Accept", "text/html")
                .header("X-Forwarded-For", clientAddress)
                .timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
