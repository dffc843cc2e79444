package dev.shortener.event;

import dev.shortener.platform.IdList;
import dev.shortener.platform.IdSequences;
import dev.shortener.platform.Listings;
import dev.shortener.platform.Refused;
import dev.shortener.platform.SqlFilter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/** The events table: an append-only log, read by id order. */
@Repository
class Events {

    private static final String CLICK = "click";

    /** The links of the owner given as the one parameter. */
    private static final String OWNED_LINKS = "SELECT id FROM urls WHERE user_id = ?";

    /**
     * The links that hold clicks of the user given as the one parameter: those the rollup counts and
     * those of the clicks not folded yet (V29), found through the rollup's user index.
     */
    private static final String CLICKED_LINKS = "SELECT DISTINCT url_id FROM clicks_counted WHERE user_id = ?";

    private static final String COLUMNS =
            // a narrow click's details rebuilt from its texts' ids (V28): the same jsonb a wide row holds
            "id, url_id, user_id, event_type, \"timestamp\", event_details(events)::text AS details, actor";

    private final JdbcClient db;
    private final EventTallies tallies;
    private final ObjectMapper json;
    private final RowMapper<Event> rows = this::event;
    private final IdList<Event> list;

    Events(JdbcClient db, ObjectMapper json, Listings listings, EventTallies tallies) {
        this.db = db;
        this.tallies = tallies;
        this.json = json;
        this.list = listings.of("events", COLUMNS, rows, Event::id);
    }

    /** Optional equality filters of the list; null means "any". */
    record Filter(
            @Nullable Long urlId,
            @Nullable Long userId,
            @Nullable String eventType,
            @Nullable Long linkOwner) {

        SqlFilter sql() {
            return new SqlFilter()
                    .equal("url_id", urlId)
                    .equal("user_id", userId)
                    // the literal lets a generic plan (a statement prepared on the server) use the
                    // partial indexes that leave clicks out, which a parameter alone cannot match
                    .where(
                            CLICK.equals(eventType) ? "event_type = ?" : "event_type = ? AND event_type <> 'click'",
                            eventType)
                    .where("url_id IN (" + OWNED_LINKS + ")", linkOwner);
        }
    }

    Optional<Event> find(long id) {
        return db.sql("SELECT " + COLUMNS + " FROM events WHERE id = ?")
                .param(id)
                .query(rows)
                .optional();
    }

    /** The events that {@code filter} lets through, in id order. */
    IdList<Event> list(Filter filter) {
        IdList<Event> filtered = list.where(filter.sql()).countedBy(tally(filter));
        Long owner = filter.linkOwner();
        Long user = filter.userId();
        String type = filter.eventType();
        if (filter.urlId() != null && type != null && !type.equals(CLICK)) {
            // One link's events of a rare type: their ids from the index that leaves clicks out, then
            // the rows. Asked for whole rows, the planner sized a hot link's rows of the type by the
            // link's share of all events and walked the primary key past every click of the
            // partition for them (ADR 0018).
            return filtered.fannedOut("url_id", "SELECT ?::bigint", filter.urlId());
        }
        if (filter.urlId() != null || type != null && !type.equals(CLICK)) {
            // one link or a rare type: an index of theirs serves the walk
            return filtered;
        }
        if (user != null) {
            // No index holds clicks by user (V32, ADR 0018): a user's clicks are read link by link (of
            // the caller's links only, for a caller who is not an admin), and their other events in
            // one walk of the index that leaves clicks out
            IdList<Event> clicks = owner == null
                    ? filtered.fannedOut("url_id", CLICKED_LINKS, user)
                    : filtered.fannedOut("url_id", CLICKED_LINKS + " AND url_id IN (" + OWNED_LINKS + ")", user, owner);
            return type == null ? clicks.besides("event_type = 'click'", "event_type <> 'click'") : clicks;
        }
        if (owner != null) {
            // A caller's own events, link by link: one walk reads every event of the caller's links
            // and sorts them (ADR 0017)
            return filtered.fannedOut("url_id", OWNED_LINKS, owner);
        }
        return filtered;
    }

    /**
     * An exact count of the filter's events that reads a few rows, not the events (migrations V17,
     * V18, V21, V22, V25, ADR 0017, 0020): all events or those of one type from the tallies; those of a link,
     * a user or a caller's links from their click rollup and their other events.
     */
    private LongSupplier tally(Filter filter) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (filter.urlId() != null) {
            where.add("url_id = :link");
            params.put("link", filter.urlId());
        }
        if (filter.userId() != null) {
            where.add("user_id = :user");
            params.put("user", filter.userId());
        }
        if (filter.linkOwner() != null) {
            // an array, not a semi-join, which the planner answers with a scan of the whole rollup
            where.add("url_id = ANY (ARRAY(SELECT id FROM urls WHERE user_id = :owner))");
            params.put("owner", filter.linkOwner());
        }
        String type = filter.eventType();
        if (where.isEmpty()) {
            return type == null ? tallies::count : () -> tallies.count(type);
        }
        return () -> rolledUp(String.join(" AND ", where), params, type);
    }

    /**
     * The events that {@code where} selects by {@code url_id} and {@code user_id}: their clicks from
     * the rollup, which holds a row per link, day, referrer and user, and their other events through
     * the partial indexes that leave clicks out.
     */
    private long rolledUp(String where, Map<String, Object> params, @Nullable String type) {
        // the clicks of partitions that retention dropped stay in the rollup for the statistics
        String clicks = type == null || type.equals(CLICK)
                ? "(SELECT coalesce(sum(clicks), 0) FROM clicks_counted WHERE " + where + ")"
                        + " - (SELECT coalesce(sum(clicks), 0) FROM dropped_clicks WHERE " + where + ")"
                : "0";
        String others = CLICK.equals(type)
                ? "0"
                : "(SELECT count(*) FROM events WHERE " + where + " AND event_type <> 'click'"
                        + (type == null ? "" : " AND event_type = :type") + ")";
        Map<String, Object> all = new HashMap<>(params);
        if (type != null) {
            all.put("type", type);
        }
        return db.sql("SELECT " + clicks + " + " + others)
                .params(all)
                .query(Long.class)
                .single();
    }

    /** Appends an event stamped now (UTC, whole seconds), in the caller's transaction if any. */
    Event append(long urlId, @Nullable Long userId, String eventType, ObjectNode details, String actor) {
        String text = json.writeValueAsString(details);
        // the id the sequence gave is the one key an event can find taken
        Optional<Event> appended = IdSequences.insertPastTakenIds(
                db, "events", () -> tryAppend(urlId, userId, eventType, text, actor), () -> false);
        return appended.orElseThrow(() -> Refused.unavailable("The event's id was taken again; try again"));
    }

    private Optional<Event> tryAppend(
            long urlId, @Nullable Long userId, String eventType, String details, String actor) {
        return db.sql("INSERT INTO events (url_id, user_id, event_type, details, actor) VALUES (?, ?, ?, ?::jsonb, ?)"
                        + " ON CONFLICT DO NOTHING RETURNING " + COLUMNS)
                .params(urlId, userId, eventType, details, actor)
                .query(rows)
                .optional();
    }

    private Event event(ResultSet rs, int row) throws SQLException {
        return new Event(
                rs.getLong("id"),
                rs.getLong("url_id"),
                rs.getObject("user_id", Long.class),
                rs.getString("event_type"),
                rs.getObject("timestamp", LocalDateTime.class),
                json.readTree(rs.getString("details")),
                rs.getString("actor"));
    }
}
