package dev.shortener.platform;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Liveness (no dependency touched) and readiness (PostgreSQL and Redis answer in time). */
@RestController
@Tag(name = "health")
@Metered(Metered.Budget.NONE)
class HealthController {

    @ConfigurationProperties("shortener.health")
    record Settings(Duration databaseTimeout, Duration redisTimeout) {
        Settings {
            databaseTimeout = databaseTimeout == null ? Duration.ofSeconds(1) : databaseTimeout;
            redisTimeout = redisTimeout == null ? Duration.ofMillis(500) : redisTimeout;
        }
    }

    private final JdbcClient db;
    private final RedisConnectionFactory redis;
    private final Settings settings;
    private final ExecutorService checks = Executors.newVirtualThreadPerTaskExecutor();

    HealthController(JdbcClient db, RedisConnectionFactory redis, Settings settings) {
        this.db = db;
        this.redis = redis;
        this.settings = settings;
    }

    /** Opens the Redis connection at startup, so the first readiness probe does not pay for it. */
    @EventListener(ApplicationReadyEvent.class)
    void connectEarly() {
        CompletableFuture.runAsync(
                () -> {
                    try (var connection = redis.getConnection()) {
                        connection.ping();
                    } catch (RuntimeException e) {
                        // readiness reports it
                    }
                },
                checks);
    }

    @GetMapping("/health")
    @Operation(summary = "Liveness: the process answers; no dependency is called")
    Map<String, String> health() {
        return Map.of("status", "ok");
    }

    @GetMapping("/health/ready")
    @Operation(summary = "Readiness: PostgreSQL and Redis answer within their timeouts")
    @ApiResponse(responseCode = "503", description = "A dependency failed; the problem names it")
    Map<String, Object> ready() {
        var database = CompletableFuture.supplyAsync(
                () -> db.sql("SELECT 1").query(Integer.class).single(), checks);
        var cache = CompletableFuture.supplyAsync(
                () -> {
                    try (var connection = redis.getConnection()) {
                        return connection.ping();
                    }
                },
                checks);
        Map<String, Object> result = new LinkedHashMap<>();
        String failing = null;
        if (!answers(database, settings.databaseTimeout())) {
            failing = "postgresql";
        }
        if (!answers(cache, settings.redisTimeout())) {
            failing = failing == null ? "redis" : failing + " and redis";
        }
        if (failing != null) {
            throw Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "Not ready: " + failing + " did not answer in time");
        }
        result.put("status", "ok");
        result.put("postgresql", "up");
        result.put("redis", "up");
        return result;
    }

    private static boolean answers(CompletableFuture<?> check, Duration timeout) {
        try {
            check.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            check.cancel(true);
            return false;
        }
    }
}
