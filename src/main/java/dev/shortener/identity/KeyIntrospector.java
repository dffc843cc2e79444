package dev.shortener.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;
import org.springframework.stereotype.Component;

/**
 * Resolves a bearer secret to its {@link Caller}. What it read of a key is trusted for {@code
 * AUTH_KEY_CACHE_TTL} (a second at most), so a revocation on any instance holds everywhere within
 * that time without a message between instances. Last use is noted in memory and written in the
 * background, never by the request.
 */
@Component
public class KeyIntrospector implements OpaqueTokenIntrospector, SmartInitializingSingleton, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(KeyIntrospector.class);
    private static final String REFUSED = "The API key is unknown, revoked or expired";

    private final ApiKeys keys;
    private final AuthSettings settings;
    private final Clock clock;
    private final Cache<String, Optional<ApiKeys.Credential>> bySecret;
    private final Cache<Long, Boolean> activeById;
    private final Map<Long, Instant> lastUse = new ConcurrentHashMap<>();

    KeyIntrospector(ApiKeys keys, AuthSettings settings) {
        this.keys = keys;
        this.settings = settings;
        this.clock = Clock.systemUTC();
        this.bySecret = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(settings.keyCacheTtl())
                .build();
        this.activeById = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(settings.keyCacheTtl())
                .build();
    }

    /** Stores {@code ADMIN_API_KEY} before the server takes requests. */
    @Override
    public void afterSingletonsInstantiated() {
        String admin = settings.adminApiKey();
        if (admin != null) {
            ApiKeySecret secret = new ApiKeySecret(admin);
            keys.bootstrap(secret);
            log.info("ADMIN_API_KEY is an admin key");
        }
    }

    @Override
    public Caller introspect(String token) {
        ApiKeySecret secret = new ApiKeySecret(token);
        ApiKeys.Credential credential;
        try {
            credential = bySecret.get(HexFormat.of().formatHex(secret.hash()), hash -> keys.credential(secret))
                    .orElseThrow(() -> new BadOpaqueTokenException(REFUSED));
        } catch (DataAccessException e) {
            throw new AuthenticationServiceException("The key store is unavailable", e);
        }
        Instant now = clock.instant();
        if (credential.expired(now)) {
            throw new BadOpaqueTokenException(REFUSED);
        }
        Long id = credential.caller().keyId();
        if (id != null) {
            lastUse.put(id, now);
        }
        return credential.caller();
    }

    /** Whether a key that signed a session in still holds (neither revoked nor expired). */
    boolean active(long keyId) {
        return activeById.get(keyId, keys::active);
    }

    /** Forgets what this instance read of keys, at once (other instances follow within the TTL). */
    public void forget() {
        bySecret.invalidateAll();
        activeById.invalidateAll();
    }

    @Scheduled(fixedDelayString = "${shortener.auth.last-used-flush:30s}")
    void writeLastUse() {
        if (lastUse.isEmpty()) {
            return;
        }
        Map<Long, Instant> batch = new HashMap<>();
        lastUse.keySet().forEach(id -> {
            Instant at = lastUse.remove(id);
            if (at != null) {
                batch.put(id, at);
            }
        });
        try {
            keys.recordUse(batch);
        } catch (DataAccessException e) {
            log.warn("Could not write the last use of {} API keys: {}", batch.size(), e.getMessage());
            batch.forEach(lastUse::putIfAbsent);
        }
    }

    @Override
    public void destroy() {
        writeLastUse();
    }
}
