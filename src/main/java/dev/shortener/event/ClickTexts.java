package dev.shortener.event;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The dictionary of the texts narrow click rows name by id ({@code click_texts}, ADR 0018): short
 * codes, destinations, referrers and user agents. Most of a chunk's texts were met before and come
 * from memory; the others are found or added in one autocommitted statement before the chunk's COPY,
 * so the COPY's transaction locks no dictionary row, and a text added for a COPY that fails stays
 * for the next attempt. A text the rollup's triggers add for an import (V30) is locked until the
 * import's chunk commits: a loader adding the same text meanwhile waits, at most its lock timeout.
 * Texts are long-lived and few, but a header may be 16 kB: memory is bounded by characters, and a
 * text longer than {@link #LONGEST_REMEMBERED} is looked up each time.
 */
final class ClickTexts {

    // A text another loader adds meanwhile is neither added nor seen by the statement's snapshot:
    // the next statement, with a new snapshot, finds it.
    private static final int ATTEMPTS = 2;
    static final int LONGEST_REMEMBERED = 2048;

    private static final String FIND_OR_ADD = """
            WITH wanted AS (SELECT DISTINCT text FROM unnest(?::text[]) AS w(text)),
            added AS (
                INSERT INTO click_texts (text) SELECT text FROM wanted ORDER BY md5(text)
                ON CONFLICT DO NOTHING
                RETURNING id, text)
            SELECT id, text FROM added
            UNION ALL
            -- a probe of the key per text: a join may be planned as a scan of the whole dictionary
            SELECT (SELECT c.id FROM click_texts c WHERE md5(c.text) = md5(w.text) AND c.text = w.text), w.text
            FROM wanted w""";

    private final Cache<String, Long> known;

    ClickTexts(long rememberedChars) {
        this.known = Caffeine.newBuilder()
                .maximumWeight(rememberedChars)
                .<String, Long>weigher((text, id) -> text.length() + 32)
                .build();
    }

    /**
     * The id of every text of {@code clicks}, adding the texts the dictionary does not hold yet; a
     * text it cannot take (its md5 taken by another text) has none. {@code connection} is in
     * autocommit.
     */
    Map<String, Long> ids(Connection connection, Collection<Click> clicks) throws SQLException {
        Map<String, Long> ids = new HashMap<>();
        Set<String> unknown = new HashSet<>();
        for (Click click : clicks) {
            look(click.shortCode(), ids, unknown);
            look(click.originalUrl(), ids, unknown);
            look(click.referrer(), ids, unknown);
            look(click.userAgent(), ids, unknown);
        }
        for (int attempt = 0; attempt < ATTEMPTS && !unknown.isEmpty(); attempt++) {
            findOrAdd(connection, unknown, ids);
            unknown.removeIf(ids::containsKey);
        }
        return ids;
    }

    private void look(@Nullable String text, Map<String, Long> ids, Set<String> unknown) {
        if (text == null || ids.containsKey(text) || unknown.contains(text)) {
            return;
        }
        Long id = known.getIfPresent(text);
        if (id != null) {
            ids.put(text, id);
        } else {
            unknown.add(text);
        }
    }

    private void findOrAdd(Connection connection, Set<String> texts, Map<String, Long> ids) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(FIND_OR_ADD)) {
            Array array = connection.createArrayOf("text", texts.toArray());
            statement.setArray(1, array);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    long id = row.getLong(1);
                    if (row.wasNull()) {
                        continue; // added by this statement, or by another loader after its snapshot
                    }
                    String text = row.getString(2);
                    ids.put(text, id);
                    if (text.length() <= LONGEST_REMEMBERED) {
                        known.put(text, id);
                    }
                }
            }
        }
    }
}
