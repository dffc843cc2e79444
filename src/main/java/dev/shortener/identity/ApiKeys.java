package dev.shortener.identity;

import java.security.MessageDigest;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The api_keys table: hashes of secrets, never the secrets. */
@Repository
public class ApiKeys {

    private static final String COLUMNS = "id, user_id, name, prefix, scopes, created_at, last_used_at, expires_at";
    private static final String NOW = "(now() AT TIME ZONE 'utc')";
    private static final String ACTIVE = "revoked_at IS NULL";

    /** What a request's credential resolves to. */
    record Credential(Caller caller, @Nullable Instant expiresAt) {

        boolean expired(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }
    }

    private final JdbcClient db;
    private final RowMapper<ApiKey> rows = ApiKeys::key;

    ApiKeys(JdbcClient db) {
        this.db = db;
    }

    ApiKey create(
            @Nullable Long userId,
            String name,
            ApiKeySecret secret,
            Set<Scope> scopes,
            @Nullable LocalDateTime expiresAt) {
        return db.sql("INSERT INTO api_keys (user_id, name, prefix, secret_hash, scopes, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS)
                .params(userId, name, secret.prefix(), secret.hash(), texts(scopes), expiresAt)
                .query(rows)
                .single();
    }

    /** A new key with a fresh secret, which the answer holds this once. */
    ApiKey.Issued issue(@Nullable Long userId, String name, Set<Scope> scopes, @Nullable LocalDateTime expiresAt) {
        ApiKeySecret secret = ApiKeySecret.generate();
        return new ApiKey.Issued(create(userId, name, secret, scopes, expiresAt), secret);
    }

    /** A person's own key, within the scopes the person holds (the web application's settings page). */
    public ApiKey.Issued issueOwn(Caller person, String name, Set<Scope> scopes) {
        if (person.userId() == null || !person.scopes().containsAll(scopes)) {
            throw new IllegalArgumentException("A key cannot grant scopes its creator lacks: " + person.scopes());
        }
        return issue(person.userId(), name, scopes, null);
    }

    /** A user's unrevoked keys, oldest first. */
    public List<ApiKey> of(long userId) {
        return page(userId, 0, 1000);
    }

    /**
     * Stores the operator's key from the environment once; a key that was revoked stays revoked
     * (set a new {@code ADMIN_API_KEY} to replace it).
     */
    void bootstrap(ApiKeySecret secret) {
        db.sql("INSERT INTO api_keys (user_id, name, prefix, secret_hash, scopes) VALUES (NULL, ?, ?, ?, ?)"
                        + " ON CONFLICT (secret_hash) DO NOTHING")
                .params("ADMIN_API_KEY", secret.prefix(), secret.hash(), texts(EnumSet.of(Scope.ADMIN)))
                .update();
    }

    /**
     * The unrevoked key whose secret this is. Candidates are found by the visible prefix and the
     * hashes compared in constant time, so response times tell nothing of how close a guess was.
     */
    Optional<Credential> credential(ApiKeySecret secret) {
        byte[] hash = secret.hash();
        return db
                .sql("SELECT id, user_id, scopes, expires_at, secret_hash FROM api_keys WHERE prefix = ? AND " + ACTIVE)
                .param(secret.prefix())
                .query((rs, row) -> MessageDigest.isEqual(hash, rs.getBytes("secret_hash"))
                        ? new Credential(
                                Caller.ofKey(
                                        rs.getLong("id"),
                                        rs.getObject("user_id", Long.class),
                                        scopes(rs.getArray("scopes"))),
                                instant(rs.getObject("expires_at", LocalDateTime.class)))
                        : null)
                .list()
                .stream()
                .filter(Objects::nonNull)
                .findFirst();
    }

    /** When a key expires; null when it never does (or is gone). */
    @Nullable
    LocalDateTime expiry(long id) {
        return db.sql("SELECT expires_at FROM api_keys WHERE id = ?")
                .param(id)
                .query((rs, row) -> rs.getObject(1, LocalDateTime.class))
                .optional()
                .orElse(null);
    }

    /** Whether the key is neither revoked nor expired (a browser session lives only as long). */
    boolean active(long id) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = ? AND " + ACTIVE
                        + " AND (expires_at IS NULL OR expires_at > " + NOW + "))")
                .param(id)
                .query(Boolean.class)
                .single();
    }

    /** Unrevoked keys by id, of one user or (null) of everyone. */
    List<ApiKey> page(@Nullable Long userId, long offset, int limit) {
        return db.sql("SELECT " + COLUMNS + " FROM api_keys WHERE " + ACTIVE + ownerCondition(userId)
                        + " ORDER BY id LIMIT ? OFFSET ?")
                .params(ownerParams(userId, limit, offset))
                .query(rows)
                .list();
    }

    long count(@Nullable Long userId) {
        return db.sql("SELECT count(*) FROM api_keys WHERE " + ACTIVE + ownerCondition(userId))
                .params(ownerParams(userId))
                .query(Long.class)
                .single();
    }

    /** Revokes a key of {@code userId} (of anyone when null); false when there is no such key. */
    public boolean revoke(long id, @Nullable Long userId) {
        return db.sql("UPDATE api_keys SET revoked_at = " + NOW + " WHERE id = ? AND " + ACTIVE
                                + ownerCondition(userId))
                        .params(userId == null ? List.of(id) : List.of(id, userId))
                        .update()
                == 1;
    }

    /** Revokes every active key of the user; how many it revoked. */
    public int revokeAllOf(long userId) {
        return db.sql("UPDATE api_keys SET revoked_at = " + NOW + " WHERE user_id = ? AND " + ACTIVE)
                .param(userId)
                .update();
    }

    /** Writes the last use of each key, in one statement per key (a handful every flush). */
    void recordUse(Map<Long, Instant> lastUse) {
        lastUse.forEach((id, at) -> db.sql(
                        "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")
                .params(LocalDateTime.ofInstant(at, ZoneOffset.UTC), id, LocalDateTime.ofInstant(at, ZoneOffset.UTC))
                .update());
    }

    private static String ownerCondition(@Nullable Long userId) {
        return userId == null ? "" : " AND user_id = ?";
    }

    private static List<Object> ownerParams(@Nullable Long userId, Object... extra) {
        List<Object> params = new ArrayList<>();
        if (userId != null) {
            params.add(userId);
        }
        params.addAll(Arrays.asList(extra));
        return params;
    }

    private static String[] texts(Set<Scope> scopes) {
        return scopes.stream().sorted().map(Scope::text).toArray(String[]::new);
    }

    private static Set<Scope> scopes(Array array) throws SQLException {
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (Object text : (Object[]) array.getArray()) {
            Scope scope = Scope.of((String) text);
            if (scope != null) {
                scopes.add(scope);
            }
        }
        return scopes;
    }

    private static @Nullable Instant instant(@Nullable LocalDateTime utc) {
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
    }

    private static ApiKey key(ResultSet rs, int row) throws SQLException {
        return new ApiKey(
                rs.getLong("id"),
                rs.getObject("user_id", Long.class),
                rs.getString("name"),
                rs.getString("prefix"),
                scopes(rs.getArray("scopes")).stream().sorted().toList(),
                rs.getObject("created_at", LocalDateTime.class),
                rs.getObject("last_used_at", LocalDateTime.class),
                rs.getObject("expires_at", LocalDateTime.class));
    }
}
