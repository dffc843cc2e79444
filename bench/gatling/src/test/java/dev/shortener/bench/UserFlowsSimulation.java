package dev.shortener.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.forAll;
import static io.gatling.javaapi.core.CoreDsl.doIfOrElse;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The shortener as its users use it, the Java counterpart of a locustfile. Users arrive at a
 * fixed rate (open model). Each one signs up, shortens a link, then performs {@code actions}
 * actions chosen by weight:
 *
 * <pre>
 *   60  redirect: GET /{code}, {@code redirects} times in a row (302 to the target); once
 *       deactivated, one GET that must answer 404
 *   12  list the link's events: GET /events?url_id=...
 *   10  shorten another link: POST /urls (later actions use the new one)
 *   10  update the title: PUT /urls/{id}
 *    5  deactivate: PUT /urls/{id} {"is_active": false}
 *    3  statistics: GET /urls/{id}/stats
 * </pre>
 *
 * and finally checks that the events API counts exactly the clicks of the 302s it received for
 * its current link (read-your-writes on one instance). Settings are system properties: {@code
 * base} (URL), {@code rate} (users/s), {@code ramp} and {@code duration} (s), {@code actions},
 * {@code redirects}, {@code thinkMs} (mean pause between actions), and the assertions, each
 * for every request type: {@code p95Ms}, {@code p99Ms}, {@code redirectP99Ms} (redirects alone),
 * {@code maxFailedPercent}.
 */
public class UserFlowsSimulation extends Simulation {

    private static final String BASE = System.getProperty("base", "http://127.0.0.1:18472");
    private static final double RATE = Double.parseDouble(System.getProperty("rate", "5"));
    private static final int RAMP = Integer.getInteger("ramp", 10);
    private static final int DURATION = Integer.getInteger("duration", 60);
    private static final int ACTIONS = Integer.getInteger("actions", 30);
    private static final int REDIRECTS = Integer.getInteger("redirects", 5);
    private static final long THINK_MS = Long.getLong("thinkMs", 100);
    private static final int P95_MS = Integer.getInteger("p95Ms", 50);
    private static final int P99_MS = Integer.getInteger("p99Ms", 200);
    private static final int REDIRECT_P99_MS = Integer.getInteger("redirectP99Ms", 30);
    private static final double MAX_FAILED_PERCENT = Double.parseDouble(System.getProperty("maxFailedPercent", "0"));

    private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private static final Iterator<Map<String, Object>> NEW_USERS = Stream.generate(() -> {
                long n = SEQUENCE.incrementAndGet();
                return Map.<String, Object>of(
                        "username", "gatling-" + RUN + "-" + n, "email", "gatling-" + RUN + "-" + n + "@example.com");
            })
            .iterator();

    private final HttpProtocolBuilder protocol = http.baseUrl(BASE)
            .acceptHeader("application/json")
            .contentTypeHeader("application/json")
            .userAgentHeader("shortener-gatling")
            .disableFollowRedirect()
            .shareConnections();

    private static final ChainBuilder SIGN_UP = exec(http("create user")
                    .post("/users")
                    .body(StringBody("{\"username\":\"#{username}\",\"email\":\"#{email}\"}"))
                    .check(status().is(201), jmesPath("id").saveAs("userId")))
            .exitHereIfFailed();

    private static final ChainBuilder SHORTEN = exec(session -> session.set("path", UUID.randomUUID()))
            .exec(http("shorten")
                    .post("/urls")
                    .body(StringBody("{\"user_id\":#{userId},\"original_url\":\"https://example.com/#{userId}/#{path}\","
                            + "\"title\":\"Link of #{username}\"}"))
                    .check(
                            status().is(201),
                            jmesPath("id").saveAs("urlId"),
                            jmesPath("short_code").saveAs("code"),
                            jmesPath("original_url").saveAs("target")))
            .exitHereIfFailed()
            .exec(session -> session.set("active", true).set("clicks", 0));

    /**
     * A 302 to the target while the link is active, a 404 after. Every 302 the service answers is a
     * click it records, expected or not, so the count to expect follows the answers, not the checks.
     */
    private static final ChainBuilder REDIRECT = doIfOrElse(session -> session.getBoolean("active"))
            .then(repeat(REDIRECTS)
                    .on(exec(http("redirect")
                                    .get("/#{code}")
                                    .check(
                                            status().saveAs("status"),
                                            status().is(302),
                                            header("Location").isEL("#{target}")))
                            .exec(UserFlowsSimulation::clicked)))
            .orElse(exec(http("redirect to inactive link")
                            .get("/#{code}")
                            .check(status().saveAs("status"), status().is(404)))
                    .exec(UserFlowsSimulation::clicked));

    private static final ChainBuilder LIST_EVENTS = exec(http("list events")
            .get("/events?url_id=#{urlId}&per_page=20")
            .check(status().is(200), header("X-Total-Count").exists()));

    private static final ChainBuilder UPDATE = exec(http("update title")
            .put("/urls/#{urlId}")
            .body(StringBody("{\"title\":\"Renamed #{path}\"}"))
            .check(status().is(200), jmesPath("title").isEL("Renamed #{path}")));

    /** The link counts as inactive only once the service acknowledged it (a 503 leaves it active). */
    private static final ChainBuilder DEACTIVATE = exec(http("deactivate")
                    .put("/urls/#{urlId}")
                    .body(StringBody("{\"is_active\":false}"))
                    .check(status().saveAs("status"), status().is(200), jmesPath("is_active").is("false")))
            .exec(session -> {
                boolean acknowledged = answered(session) == 200;
                return session.remove("status").set("active", !acknowledged && session.getBoolean("active"));
            });

    private static final ChainBuilder STATS =
            exec(http("link statistics").get("/urls/#{urlId}/stats").check(status().is(200)));

    /** Every 302 this user received for its current link is one click event, visible at once. */
    private static final ChainBuilder CLICKS_RECORDED = exec(http("clicks recorded")
            .get("/events?url_id=#{urlId}&event_type=click&per_page=1")
            .check(status().is(200), header("X-Total-Count").is(session -> String.valueOf(session.getInt("clicks")))));

    private final ScenarioBuilder users = scenario("user flows")
            .feed(NEW_USERS)
            .exec(SIGN_UP, SHORTEN)
            .repeat(ACTIONS)
            .on(randomSwitch()
                    .on(
                            percent(60.0).then(REDIRECT),
                            percent(12.0).then(LIST_EVENTS),
                            percent(10.0).then(SHORTEN),
                            percent(10.0).then(UPDATE),
                            percent(5.0).then(DEACTIVATE),
                            percent(3.0).then(STATS))
                    .pause(Duration.ZERO, Duration.ofMillis(2 * THINK_MS)))
            .exec(CLICKS_RECORDED);

    private static Session clicked(Session session) {
        boolean redirected = answered(session) == 302;
        Session next = session.remove("status");
        return redirected ? next.set("clicks", next.getInt("clicks") + 1) : next;
    }

    /** The status of the latest answer (removed after each use), 0 when there was none: a connection failure. */
    private static int answered(Session session) {
        return session.contains("status") ? session.getInt("status") : 0;
    }

    {
        setUp(users.injectOpen(
                        rampUsersPerSec(1).to(RATE).during(Duration.ofSeconds(RAMP)),
                        constantUsersPerSec(RATE).during(Duration.ofSeconds(DURATION))))
                .protocols(protocol)
                .assertions(
                        global().failedRequests().percent().lte(MAX_FAILED_PERCENT),
                        forAll().responseTime().percentile(95.0).lte(P95_MS),
                        forAll().responseTime().percentile(99.0).lte(P99_MS),
                        details("redirect").responseTime().percentile(99.0).lte(REDIRECT_P99_MS));
    }
}
