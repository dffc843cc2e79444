package dev.shortener.importing.load;

import java.time.LocalDateTime;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The SQL that loads a chunk of one table, as text. Staged rows carry their position in the chunk
 * ({@code ord}); each upsert takes the first and last position of a range, so that a failing range
 * can be split and applied again. Rows with an id are upserted by id, users without one by e-mail
 * address (ignoring case), urls by short code; events without an id are appended. Within a range
 * the last row per key wins. An upsert is an UPDATE that skips rows that would not change (a
 * re-import writes nothing) and keeps stored values where the file leaves a column empty, then an
 * INSERT of the rest: {@code ON CONFLICT DO UPDATE} alone cannot keep a stored value.
 *
 * @param createStaging the connection's staging table, emptied at every commit
 * @param stage COPY of {@code ord, line, id} and the columns into the staging table
 * @param copyNewWithIds COPY straight into the table when every row of a chunk is new
 * @param copyNewWithoutIds the same for rows without ids
 * @param newRowDefaults the values new rows take for the columns a file leaves empty, in staged order (id first)
 * @param refusals statements that delete the staged rows a constraint would refuse for a reason known in
 *     advance, so that a file full of them costs no bisection; each returns the ord and the offending value
 * @param previousCacheKeys the cache keys that staged rows take from stored rows, or null
 * @param upserts the statements applying a range of staged rows
 */
public record LoadSql(
        String createStaging,
        String stage,
        String copyNewWithIds,
        String copyNewWithoutIds,
        Function<LocalDateTime, @Nullable Object[]> newRowDefaults,
        List<Refusal> refusals,
        @Nullable String previousCacheKeys,
        List<String> upserts) {

    /** A statement removing staged rows that would break {@code constraint}. */
    record Refusal(String constraint, String sql) {}

    /**
     * The upserts of a chunk, with its lowest and highest id written in where they name them. As
     * literals they let PostgreSQL plan an UPDATE of the partitioned events, and lock, only the
     * months that can hold the chunk's ids: otherwise it locks every month, and an import waits
     * behind a retention drop's lock on an old one (ADR 0020). A chunk without ids leaves those
     * statements out: they would change nothing and still lock the first month.
     */
    List<String> upserts(LongSummaryStatistics ids) {
        return upserts.stream()
                .filter(sql -> ids.getCount() > 0 || !sql.contains("{lowest_id}"))
                .map(sql -> sql.replace("{lowest_id}", Long.toString(ids.getMin()))
                        .replace("{highest_id}", Long.toString(ids.getMax())))
                .toList();
    }

    private static final String NOW = "(now() AT TIME ZONE 'utc')";

    static final LoadSql USERS = new LoadSql(
            """
            CREATE TEMP TABLE IF NOT EXISTS staging_users (ord int NOT NULL, line bigint NOT NULL, id bigint,
              username text, email text, created_at timestamp) ON COMMIT DELETE ROWS""",
            "COPY staging_users (ord, line, id, username, email, created_at) FROM STDIN (FORMAT csv)",
            "COPY users (id, username, email, created_at) FROM STDIN (FORMAT csv)",
            "COPY users (username, email, created_at) FROM STDIN (FORMAT csv)",
            now -> new Object[] {null, null, null, now},
            List.of(new Refusal("users_email_key", """
                    DELETE FROM staging_users s WHERE s.id IS NOT NULL
                      AND EXISTS (SELECT 1 FROM users t WHERE lower(t.email) = lower(s.email) AND t.id <> s.id)
                    RETURNING s.ord, s.email""")),
            null,
            List.of("""
                    UPDATE users t SET username = s.username, email = s.email,
                      created_at = coalesce(s.created_at, t.created_at)
                    FROM (SELECT DISTINCT ON (s.id) * FROM staging_users s
                          WHERE s.id IS NOT NULL AND s.ord BETWEEN ? AND ? ORDER BY s.id, s.ord DESC) s
                    WHERE t.id = s.id AND (t.username, t.email, t.created_at)
                      IS DISTINCT FROM (s.username, s.email, coalesce(s.created_at, t.created_at))""", """
                    INSERT INTO users (id, username, email, created_at)
                    SELECT s.id, s.username, s.email, coalesce(s.created_at, %1$s)
                    FROM (SELECT DISTINCT ON (s.id) * FROM staging_users s
                          WHERE s.id IS NOT NULL AND s.ord BETWEEN ? AND ? ORDER BY s.id, s.ord DESC) s
                    WHERE NOT EXISTS (SELECT 1 FROM users t WHERE t.id = s.id) ORDER BY s.ord
                    ON CONFLICT (id) DO UPDATE SET username = excluded.username, email = excluded.email,
                      created_at = excluded.created_at""".formatted(NOW), """
                    UPDATE users t SET username = s.username, email = s.email,
                      created_at = coalesce(s.created_at, t.created_at)
                    FROM (SELECT DISTINCT ON (lower(s.email)) * FROM staging_users s
                          WHERE s.id IS NULL AND s.ord BETWEEN ? AND ? ORDER BY lower(s.email), s.ord DESC) s
                    WHERE lower(t.email) = lower(s.email) AND (t.username, t.email, t.created_at)
                      IS DISTINCT FROM (s.username, s.email, coalesce(s.created_at, t.created_at))""", """
                    INSERT INTO users (username, email, created_at)
                    SELECT s.username, s.email, coalesce(s.created_at, %1$s)
                    FROM (SELECT DISTINCT ON (lower(s.email)) * FROM staging_users s
                          WHERE s.id IS NULL AND s.ord BETWEEN ? AND ? ORDER BY lower(s.email), s.ord DESC) s
                    WHERE NOT EXISTS (SELECT 1 FROM users t WHERE lower(t.email) = lower(s.email)) ORDER BY s.ord
                    ON CONFLICT ((lower(email))) DO UPDATE SET username = excluded.username, email = excluded.email,
                      created_at = excluded.created_at""".formatted(NOW)));

    /** What a url row sets; updated_at changes only when something else does. */
    private static final String URL_UPDATE = """
            UPDATE urls t SET user_id = s.user_id, short_code = s.short_code, original_url = s.original_url,
              title = s.title, is_active = coalesce(s.is_active, t.is_active),
              created_at = coalesce(s.created_at, t.created_at),
              updated_at = coalesce(s.updated_at, CASE
                WHEN (t.user_id, t.short_code, t.original_url, t.title, t.is_active, t.created_at)
                  IS DISTINCT FROM (s.user_id, s.short_code, s.original_url, s.title,
                    coalesce(s.is_active, t.is_active), coalesce(s.created_at, t.created_at))
                THEN %1$s ELSE t.updated_at END)
            FROM (SELECT DISTINCT ON (%2$s) * FROM staging_urls s
                  WHERE %3$s AND s.ord BETWEEN ? AND ? ORDER BY %2$s, s.ord DESC) s
            WHERE t.%2$s = s.%2$s
              AND (t.user_id, t.short_code, t.original_url, t.title, t.is_active, t.created_at, t.updated_at)
              IS DISTINCT FROM (s.user_id, s.short_code, s.original_url, s.title, coalesce(s.is_active, t.is_active),
                coalesce(s.created_at, t.created_at), coalesce(s.updated_at, t.updated_at))""";

    private static final String URL_INSERT = """
            INSERT INTO urls (%4$suser_id, short_code, original_url, title, is_active, created_at, updated_at)
            SELECT %5$ss.user_id, s.short_code, s.original_url, s.title, coalesce(s.is_active, true),
              coalesce(s.created_at, %1$s), coalesce(s.updated_at, %1$s)
            FROM (SELECT DISTINCT ON (%2$s) * FROM staging_urls s
                  WHERE %3$s AND s.ord BETWEEN ? AND ? ORDER BY %2$s, s.ord DESC) s
            WHERE NOT EXISTS (SELECT 1 FROM urls t WHERE t.%2$s = s.%2$s) ORDER BY s.ord
            ON CONFLICT (%2$s) DO UPDATE SET user_id = excluded.user_id, short_code = excluded.short_code,
              original_url = excluded.original_url, title = excluded.title, is_active = excluded.is_active,
              created_at = excluded.created_at, updated_at = excluded.updated_at""";

    static final LoadSql URLS = new LoadSql(
            """
            CREATE TEMP TABLE IF NOT EXISTS staging_urls (ord int NOT NULL, line bigint NOT NULL, id bigint,
              user_id bigint, short_code text, original_url text, title text, is_active boolean,
              created_at timestamp, updated_at timestamp) ON COMMIT DELETE ROWS""",
            "COPY staging_urls (ord, line, id, user_id, short_code, original_url, title, is_active, created_at,"
                    + " updated_at) FROM STDIN (FORMAT csv)",
            "COPY urls (id, user_id, short_code, original_url, title, is_active, created_at, updated_at)"
                    + " FROM STDIN (FORMAT csv)",
            "COPY urls (user_id, short_code, original_url, title, is_active, created_at, updated_at)"
                    + " FROM STDIN (FORMAT csv)",
            now -> new Object[] {null, null, null, null, null, Boolean.TRUE, now, now},
            List.of(new Refusal("urls_user_id_fkey", """
                            DELETE FROM staging_urls s WHERE s.user_id IS NOT NULL
                              AND NOT EXISTS (SELECT 1 FROM users t WHERE t.id = s.user_id)
                            RETURNING s.ord, s.user_id::text"""), new Refusal("urls_short_code_key", """
                            DELETE FROM staging_urls s WHERE s.id IS NOT NULL
                              AND EXISTS (SELECT 1 FROM urls t WHERE t.short_code = s.short_code AND t.id <> s.id)
                            RETURNING s.ord, s.short_code""")),
            "SELECT t.short_code FROM urls t JOIN staging_urls s ON t.id = s.id WHERE t.short_code <> s.short_code",
            List.of(
                    URL_UPDATE.formatted(NOW, "id", "s.id IS NOT NULL"),
                    URL_INSERT.formatted(NOW, "id", "s.id IS NOT NULL", "id, ", "s.id, "),
                    URL_UPDATE.formatted(NOW, "short_code", "s.id IS NULL"),
                    URL_INSERT.formatted(NOW, "short_code", "s.id IS NULL", "", "")));

    static final LoadSql EVENTS = new LoadSql(
            """
            CREATE TEMP TABLE IF NOT EXISTS staging_events (ord int NOT NULL, line bigint NOT NULL, id bigint,
              url_id bigint, user_id bigint, event_type text, "timestamp" timestamp, details text)
              ON COMMIT DELETE ROWS""",
            "COPY staging_events (ord, line, id, url_id, user_id, event_type, \"timestamp\", details)"
                    + " FROM STDIN (FORMAT csv)",
            "COPY events (id, url_id, user_id, event_type, \"timestamp\", details) FROM STDIN (FORMAT csv)",
            "COPY events (url_id, user_id, event_type, \"timestamp\", details) FROM STDIN (FORMAT csv)",
            now -> new Object[] {null, null, null, null, now, null},
            List.of(),
            null,
            List.of("""
                    UPDATE events t SET url_id = s.url_id, user_id = s.user_id, event_type = s.event_type,
                      "timestamp" = coalesce(s."timestamp", t."timestamp"), details = s.details::jsonb,
                      short_code_id = NULL, original_url_id = NULL, referrer_id = NULL, user_agent_id = NULL
                    FROM (SELECT DISTINCT ON (s.id) * FROM staging_events s
                          WHERE s.id IS NOT NULL AND s.ord BETWEEN ? AND ? ORDER BY s.id, s.ord DESC) s
                    WHERE t.id = s.id AND t.id BETWEEN {lowest_id} AND {highest_id} AND (t.url_id, t.user_id, t.event_type, t."timestamp",
                      event_details(t))
                      IS DISTINCT FROM (s.url_id, s.user_id, s.event_type, coalesce(s."timestamp", t."timestamp"),
                        s.details::jsonb)""", """
                    INSERT INTO events (id, url_id, user_id, event_type, "timestamp", details)
                    SELECT s.id, s.url_id, s.user_id, s.event_type, coalesce(s."timestamp", %1$s), s.details::jsonb
                    FROM (SELECT DISTINCT ON (s.id) * FROM staging_events s
                          WHERE s.id IS NOT NULL AND s.ord BETWEEN ? AND ? ORDER BY s.id, s.ord DESC) s
                    WHERE NOT EXISTS (SELECT 1 FROM events t WHERE t.id = s.id) ORDER BY s.ord
                    ON CONFLICT (id) DO UPDATE SET url_id = excluded.url_id, user_id = excluded.user_id,
                      event_type = excluded.event_type, "timestamp" = excluded."timestamp", details = excluded.details,
                      short_code_id = NULL, original_url_id = NULL, referrer_id = NULL, user_agent_id = NULL""".formatted(NOW), """
                    INSERT INTO events (url_id, user_id, event_type, "timestamp", details)
                    SELECT s.url_id, s.user_id, s.event_type, coalesce(s."timestamp", %1$s), s.details::jsonb
                    FROM staging_events s WHERE s.id IS NULL AND s.ord BETWEEN ? AND ? ORDER BY s.ord""".formatted(NOW)));
}
