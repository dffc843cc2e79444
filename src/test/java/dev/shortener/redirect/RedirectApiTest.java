package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api.Response;
import dev.shortener.ApiTest;
import dev.shortener.TestLinks;
import dev.shortener.event.ClickRecorder;
import dev.shortener.link.Link;
import dev.shortener.link.ShortCode;
import dev.shortener.redirect.tomcat.RedirectValve;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RedirectApiTest extends ApiTest {

    @Autowired
    ApplicationContext context;

    @Autowired
    JdbcClient db;

    @Autowired
    ClickRecorder clicks;

    @Autowired
    MeterRegistry meters;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RedisLinkStore store;

    @Autowired
    NearCache near;

    TestLinks links;

    @BeforeEach
    void links() {
        links = new TestLinks(api, context);
    }

    private Link link(String target) {
        return links.create(unique("r"), target, true);
    }

    private double nearLookups() {
        return meters.find("shortener.cache.requests").tag("level", "near").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    private double cacheRequests(String level, String result) {
        return meters.get("shortener.cache.requests")
                .tag("level", level)
                .tag("result", result)
                .counter()
                .count();
    }

    private double redirects(String outcome) {
        return meters.get("shortener.redirects")
                .tag("outcome", outcome)
                .counter()
                .count();
    }

    @Autowired
    private ApplicationEventPublisher events;

    @Autowired
    private RedirectValve valve;

    /** No route the application maps can be taken as a code: ShortCode's reserved words keep up. */
    @Test
    void everyRouteTheApplicationMapsIsRefusedAsACode() {
        assertThat(valve.literalRoutes()).contains("users", "urls", "events", "imports");
        assertThat(valve.literalRoutes())
                .allSatisfy(route -> assertThat(ShortCode.problemWith(route))
                        .as("a client may not choose the code %s", route)
                        .isPresent());
    }

    @Test
    void aRedisRecoveryMakesEveryNearCacheCopyReloadAtItsNextRead() {
        long before = near.stamp();

        events.publishEvent(new RedisRecovered());

        assertThat(near.stamp()).as("the near cache's generation").isGreaterThan(before);
    }

    @Test
    void anActiveLinkRedirectsWith302AndRecordsExactlyOneClickWithItsDetails() {
        Link link = link("https://example.com/landing?q=1");

        Response response = api.send(
                        "GET",
                        "/" + link.shortCode(),
                        Map.of("Referer", "https://news.example.org/", "User-Agent", "ScenarioBrowser/1.0"))
                .expect(302);

        assertThat(response.header("Location")).isEqualTo("https://example.com/landing?q=1");
        clicks.flush();
        assertThat(links.clicks(link.id())).isEqualTo(1);
        String details = db.sql(
                        "SELECT event_details(events)::text FROM events WHERE url_id = ? AND event_type = 'click'")
                .param(link.id())
                .query(String.class)
                .single();
        JsonNode json = JsonMapper.builder().build().readTree(details);
        assertThat(json.get("short_code").asString()).isEqualTo(link.shortCode());
        assertThat(json.get("original_url").asString()).isEqualTo("https://example.com/landing?q=1");
        assertThat(json.get("referrer").asString()).isEqualTo("https://news.example.org/");
        assertThat(json.get("user_agent").asString()).isEqualTo("ScenarioBrowser/1.0");
    }

    @Test
    void aTargetBeyondAsciiIsSentPercentEncodedAndItsClickKeepsTheOriginal() {
        String target = "https://example.com/straße/日本?q=ü";
        Link link = link(target);

        for (String path : new String[] {"/" + link.shortCode(), "/urls/" + link.shortCode() + "/redirect"}) {
            Response response = api.get(path).expect(302);
            assertThat(response.header("Location"))
                    .isEqualTo("https://example.com/stra%C3%9Fe/%E6%97%A5%E6%9C%AC?q=%C3%BC");
        }
        clicks.flush();
        assertThat(db.sql(
                                "SELECT event_details(events) ->> 'original_url' FROM events WHERE url_id = ? AND event_type = 'click'")
                        .param(link.id())
                        .query(String.class)
                        .list())
                .containsExactly(target, target);
    }

    @Test
    void aRedirectCarriesOneDateAndOneZeroContentLength() {
        Link link = link("https://example.com/dated");

        Response response = api.get("/" + link.shortCode()).expect(302);

        assertThat(response.raw().headers().allValues("Content-Length")).containsExactly("0");
        assertThat(response.body()).isEmpty();

        assertThat(response.raw().headers().allValues("Date"))
                .singleElement()
                .satisfies(date -> assertThat(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME))
                        .isCloseTo(ZonedDateTime.now(), within(1, ChronoUnit.MINUTES)));
    }

    @Test
    void theRedirectRouteUnderUrlsBehavesLikeTheShortOne() {
        Link link = link("https://example.com/other");

        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/urls/" + link.shortCode() + "/redirect")
                            .expect(302)
                            .header("Location"))
                    .isEqualTo("https://example.com/other");
        }

        clicks.flush();
        assertThat(links.clicks(link.id())).isEqualTo(3);
    }

    @Test
    void aClickBecomesVisibleWithinOneSecondWithoutAnExplicitFlush() {
        Link link = link("https://example.com/soon");
        api.get("/" + link.shortCode()).expect(302);

        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> links.clicks(link.id()) == 1);
    }

    @Test
    void anUnknownCodeIs404AndIsRememberedAsUnknownAtBothLevels() {
        String code = unique("nobody");
        double nearHits = cacheRequests("near", "hit");
        double notFound = redirects("not_found");

        api.get("/" + code).expect(404);
        api.get("/" + code).expect(404);
        api.get("/urls/" + code + "/redirect").expect(404);

        assertThat(cacheRequests("near", "hit") - nearHits).isEqualTo(2);
        assertThat(redirects("not_found") - notFound).isEqualTo(3);
        assertThat(redis.opsForValue().get("link:" + code)).isEqualTo("0|-");
        assertThat(redis.getExpire("link:" + code)).isBetween(1L, 30L);
    }

    @Test
    void anInactiveLinkIsNotFollowedRecordsNoClickAndIsCachedAsInactive() {
        Link link = links.create(unique("off"), "https://example.com/off", false);
        double inactive = redirects("inactive");

        JsonNode problem = api.get("/" + link.shortCode()).expect(404).json();
        api.get("/urls/" + link.shortCode() + "/redirect").expect(404);

        assertThat(problem.get("detail").asString()).contains("inactive");
        assertThat(redirects("inactive") - inactive).isEqualTo(2);
        // answered from the near cache
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            double nearHits = cacheRequests("near", "hit");
            api.get("/" + link.shortCode()).expect(404);
            return cacheRequests("near", "hit") - nearHits == 1;
        });
        assertThat(redis.opsForValue().get("link:" + link.shortCode())).matches("\\d+\\|I\\|.*");
        clicks.flush();
        assertThat(links.clicks(link.id())).isZero();
    }

    @ParameterizedTest(name = "/{0} is 404 without a lookup")
    @ValueSource(
            strings = {
                "favicon.ico",
                "has%20space",
                "abcdefghijklmnopqrstuvwxyz0123456",
                "%C3%BCmlaut",
                "dot.ted",
                "tilde~"
            })
    void malformedCodesAre404WithoutAnyLookup(String code) {
        double lookups = nearLookups();

        api.get("/" + code).expect(404);
        api.get("/urls/" + code + "/redirect").expect(404);

        assertThat(nearLookups()).isEqualTo(lookups);
    }

    @Test
    void aCodeOf32CharactersIsStillLookedUp() {
        String suffix = unique("");
        Link link = links.create("a".repeat(32 - suffix.length()) + suffix, "https://example.com/long", true);
        assertThat(link.shortCode()).hasSize(32);

        api.get("/" + link.shortCode()).expect(302);
    }

    @Test
    void literalRoutesWinOverLinksWithTheSameCode() {
        for (String route : new String[] {"users", "urls", "events", "health", "docs", "metrics"}) {
            links.plant(route, "https://hijacked.example/" + route);
        }

        assertThat(api.get("/health").expect(200).json().get("status").asString())
                .isEqualTo("ok");
        assertThat(api.get("/users").expect(200).json().isArray()).isTrue();
        assertThat(api.get("/urls").expect(200).json().isArray()).isTrue();
        assertThat(api.get("/events").expect(200).json().isArray()).isTrue();
        assertThat(management.get("/metrics").expect(200).body()).contains("shortener_redirects_total");
        Response docs = api.get("/docs");
        assertThat(docs.header("Location")).doesNotContain("hijacked");
        assertThat(api.get("/openapi.json").expect(200).body()).contains("/{code}");
    }

    @Test
    void aLinkCreatedWithACodeRememberedAsUnknownRedirectsAtOnce() {
        String code = unique("later");
        api.get("/" + code).expect(404);

        links.create(code, "https://example.com/now-exists", true);

        assertThat(api.get("/" + code).expect(302).header("Location")).isEqualTo("https://example.com/now-exists");
    }

    @Test
    void aChangedLinkRedirectsToItsNewTargetAtOnce() {
        Link link = link("https://example.com/before");
        api.get("/" + link.shortCode()).expect(302);

        links.changeTarget(link, "https://example.com/after");

        assertThat(api.get("/" + link.shortCode()).expect(302).header("Location"))
                .isEqualTo("https://example.com/after");
        assertThat(redis.opsForValue().get("link:" + link.shortCode())).endsWith("|https://example.com/after");
    }

    @Test
    void aDeactivatedOrDeletedLinkStopsRedirectingAtOnce() {
        Link deactivated = link("https://example.com/deactivated");
        Link deleted = link("https://example.com/deleted");
        api.get("/" + deactivated.shortCode()).expect(302);
        api.get("/" + deleted.shortCode()).expect(302);

        links.deactivate(deactivated);
        links.delete(deleted);

        api.get("/" + deactivated.shortCode()).expect(404);
        api.get("/" + deleted.shortCode()).expect(404);
        clicks.flush();
        assertThat(links.clicks(deactivated.id())).isEqualTo(1);
        assertThat(links.clicks(deleted.id())).isEqualTo(1);
    }

    @Test
    void aCopyReadBeforeAChangeButStoredAfterItIsRefusedByRedis() {
        Link link = link("https://example.com/read-before");
        api.get("/" + link.shortCode()).expect(302);
        CachedLink readBefore = CachedLink.decode(redis.opsForValue().get("link:" + link.shortCode()));

        links.changeTarget(link, "https://example.com/changed");
        store.put(link.shortCode(), readBefore);
        near.forgetCopies();

        assertThat(api.get("/" + link.shortCode()).expect(302).header("Location"))
                .isEqualTo("https://example.com/changed");
        assertThat(CachedLink.decode(redis.opsForValue().get("link:" + link.shortCode()))
                        .version())
                .isGreaterThan(readBefore.version());
    }

    @Test
    void aDeletedLinkIsNotBroughtBackByACopyReadBeforeTheDeletion() {
        Link link = link("https://example.com/deleted-then-filled");
        api.get("/" + link.shortCode()).expect(302);
        CachedLink readBefore = CachedLink.decode(redis.opsForValue().get("link:" + link.shortCode()));

        links.delete(link);
        store.put(link.shortCode(), readBefore);
        near.forgetCopies();

        api.get("/" + link.shortCode()).expect(404);
        assertThat(redis.opsForValue().get("link:" + link.shortCode())).isEqualTo(readBefore.version() + "|-");
    }

    @Test
    void linksAreKeptInRedisWithATtlSoVolatileLruCanEvictThem() {
        Link link = link("https://example.com/ttl");

        api.get("/" + link.shortCode()).expect(302);

        assertThat(redis.opsForValue().get("link:" + link.shortCode()))
                .matches("\\d+\\|A\\|" + link.id() + "\\|\\|https://example\\.com/ttl");
        assertThat(redis.getExpire("link:" + link.shortCode())).isBetween(3500L, 3600L);
    }

    @Test
    void redirectsOfBothRoutesAreInTheHttpRequestMetricsOfTheirRoute() {
        Link link = link("https://example.com/timed");
        String byCode = "uri=\"/{code}\"";
        String byUrls = "uri=\"/urls/{code}/redirect\"";
        double codeBefore = redirectCount(byCode);
        double urlsBefore = redirectCount(byUrls);

        api.get("/" + link.shortCode()).expect(302);
        api.get("/" + link.shortCode()).expect(302);
        api.get("/urls/" + link.shortCode() + "/redirect").expect(302);

        assertThat(redirectCount(byCode) - codeBefore).isEqualTo(2);
        assertThat(redirectCount(byUrls) - urlsBefore).isEqualTo(1);
    }

    /** The count of 302s in http_server_requests_seconds for one route, 0 before the first. */
    private double redirectCount(String route) {
        String series = "http_server_requests_seconds_count{application=\"shortener\",error=\"none\","
                + "exception=\"none\",method=\"GET\",outcome=\"REDIRECTION\",status=\"302\"," + route + "} ";
        return management
                .get("/metrics")
                .expect(200)
                .body()
                .lines()
                .filter(line -> line.startsWith(series))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length())))
                .findFirst()
                .orElse(0);
    }

    @Test
    void redirectOutcomesAndCacheLevelsAreExportedAsMetrics() {
        Link link = link("https://example.com/metered");
        api.get("/" + link.shortCode()).expect(302);
        api.get("/" + link.shortCode()).expect(302);

        String metrics = management.get("/metrics").expect(200).body();

        assertThat(metrics)
                .contains("shortener_redirects_total{application=\"shortener\",outcome=\"db_hit\"}")
                .contains("shortener_redirects_total{application=\"shortener\",outcome=\"near_hit\"}")
                .contains("shortener_cache_requests_total{application=\"shortener\",level=\"near\",result=\"hit\"}")
                .contains("shortener_cache_requests_total{application=\"shortener\",level=\"redis\",result=\"miss\"}")
                .contains("shortener_redis_circuit_open{application=\"shortener\"} 0.0")
                .contains("shortener_clicks_queued_total")
                .contains("shortener_clicks_flushed_total")
                .contains("shortener_clicks_lost_total")
                .contains("shortener_clicks_batch_size_count")
                .contains("shortener_clicks_lag_seconds_count")
                .contains("shortener_clicks_queue_depth");
    }
}
