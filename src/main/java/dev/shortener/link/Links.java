package dev.shortener.link;

import dev.shortener.identity.Caller;
import dev.shortener.platform.IdList;
import dev.shortener.platform.IdSequences;
import dev.shortener.platform.Listings;
import dev.shortener.platform.Refused;
import dev.shortener.user.UserDeleted;
import dev.shortener.user.Users;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.SimplePropertyRowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The urls table. Every write runs in one transaction with the lifecycle events it publishes
 * ({@link LinkCreated}, {@link LinkUpdated}, {@link LinkDeleted}), so listeners that record them
 * commit or roll back together with the row.
 */
@Repository
public class Links {

    private static final String COLUMNS =
            "id, user_id, short_code, original_url, title, is_active, created_at, updated_at, version";
    private static final String NOW = "now() AT TIME ZONE 'utc'";
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final JdbcClient db;
    private final ApplicationEventPublisher events;
    private final Users users;
    private final LinkSettings settings;
    private final IdList<Link> list;

    Links(JdbcClient db, ApplicationEventPublisher events, Users users, LinkSettings settings, Listings listings) {
        this.db = db;
        this.events = events;
        this.users = users;
        this.settings = settings;
        this.list = listings.of("urls", COLUMNS, new SimplePropertyRowMapper<>(Link.class), Link::id);
    }

    public Optional<Link> find(long id) {
        return db.sql("SELECT " + COLUMNS + " FROM urls WHERE id = ?")
                .param(id)
                .query(Link.class)
                .optional();
    }

    /** The link with this exact (case-sensitive) short code, active or not. */
    public Optional<Link> findByCode(String code) {
        return db.sql("SELECT " + COLUMNS + " FROM urls WHERE short_code = ?")
                .param(code)
                .query(Link.class)
                .optional();
    }

    /** The link, when {@code caller} owns it or is an admin; others are told nothing of it. */
    public Optional<Link> findFor(long id, Caller caller) {
        return find(id).filter(link -> caller.owns(link.userId()));
    }

    /**
     * Gives a link the next version without changing its row, for state kept beside it that decides
     * whether it redirects (a takedown): the caches learn of it as of any change (the trigger of V13).
     */
    public long newVersion(long id) {
        return db.sql("UPDATE urls SET version = version WHERE id = ? RETURNING version")
                .param(id)
                .query(Long.class)
                .single();
    }

    public boolean exists(long id) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM urls WHERE id = ?)")
                .param(id)
                .query(Boolean.class)
                .single();
    }

    /** The links that {@code filter} lets through, in id order. */
    IdList<Link> list(LinkFilter filter) {
        return list.where(filter.sql());
    }

    /**
     * Creates a link under {@code customCode}, or under a fresh random code when it is null. A taken
     * custom code is a 409 and an unknown user a 404.
     */
    @Transactional
    Link create(NewLink link, String actor) {
        Long userId = link.userId();
        ShortCode customCode = link.shortCode();
        Optional<Link> created;
        try {
            created = customCode != null
                    ? insert(link, customCode.code())
                    : ShortCode.claimFirstFree(
                            () -> ShortCode.random(settings.codeLength()),
                            settings.codeAttempts(),
                            code -> insert(link, code));
        } catch (DataIntegrityViolationException e) {
            // the user is found by the foreign key, which costs no round trip of its own
            if (userId == null
                    || !(e.getMostSpecificCause() instanceof SQLException sql)
                    || !FOREIGN_KEY_VIOLATION.equals(sql.getSQLState())) {
                throw e;
            }
            throw unknownUser(userId);
        }
        if (created.isEmpty() && userId != null && !users.exists(userId)) {
            // a taken code inserts nothing, so the foreign key did not look for the user
            throw unknownUser(userId);
        }
        Link saved = created.orElseThrow(() -> customCode != null
                ? Refused.taken("The short code " + customCode + " is already taken")
                : Refused.unavailable("No free short code was found; try again"));
        events.publishEvent(new LinkCreated(saved, actor));
        return saved;
    }

    /** Empty when the code is taken; when the id the sequence gave is, the sequence moves on first. */
    private Optional<Link> insert(NewLink link, String code) {
        return IdSequences.insertPastTakenIds(
                db, "urls", () -> tryInsert(link, code), () -> findByCode(code).isPresent());
    }

    private Optional<Link> tryInsert(NewLink link, String code) {
        return db.sql("INSERT INTO urls (user_id, short_code, original_url, title, is_active) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT DO NOTHING RETURNING " + COLUMNS)
                .params(link.userId(), code, link.originalUrl().url(), link.title(), link.isActive())
                .query(Link.class)
                .optional();
    }

    /**
     * Applies {@code change} to the link, refreshes {@code updated_at} and publishes one {@link
     * LinkUpdated} per field whose value changed; empty when there is no such link.
     */
    @Transactional
    Optional<Link> update(long id, UnaryOperator<Link> change, String actor) {
        return update(id, link -> true, change, actor);
    }

    /**
     * As {@link #update(long, UnaryOperator, String)} for a link {@code caller} owns, and empty for
     * any other: the ownership is checked on the locked row, with no read of its own before.
     */
    @Transactional
    Optional<Link> updateFor(long id, Caller caller, UnaryOperator<Link> change) {
        return update(id, link -> caller.owns(link.userId()), change, caller.actor());
    }

    private Optional<Link> update(long id, Predicate<Link> allowed, UnaryOperator<Link> change, String actor) {
        Optional<Link> current = db.sql("SELECT " + COLUMNS + " FROM urls WHERE id = ? FOR UPDATE")
                .param(id)
                .query(Link.class)
                .optional()
                .filter(allowed);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Link wanted = change.apply(current.get());
        Link updated = db.sql("UPDATE urls SET original_url = ?, title = ?, is_active = ?, updated_at = " + NOW
                        + " WHERE id = ? RETURNING " + COLUMNS)
                .params(wanted.originalUrl(), wanted.title(), wanted.isActive(), id)
                .query(Link.class)
                .single();
        changedFields(current.get(), updated)
                .forEach((field, value) -> events.publishEvent(new LinkUpdated(updated, field, value, actor)));
        return Optional.of(updated);
    }

    /** The API fields that differ between two states of a link, with their new values, in API order. */
    static Map<String, @Nullable Object> changedFields(Link before, Link after) {
        Map<String, @Nullable Object> changed = new LinkedHashMap<>();
        if (!before.originalUrl().equals(after.originalUrl())) {
            changed.put("original_url", after.originalUrl());
        }
        if (!Objects.equals(before.title(), after.title())) {
            changed.put("title", after.title());
        }
        if (before.isActive() != after.isActive()) {
            changed.put("is_active", after.isActive());
        }
        return changed;
    }

    /** Whether an admin took the link down (the abuse module's {@code link_blocks}). */
    boolean takenDown(long id) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM link_blocks WHERE url_id = ?)")
                .param(id)
                .query(Boolean.class)
                .single();
    }

    /**
     * Deletes a link at its user's request; false if there is no such link, or it was taken down
     * and {@code evenTakenDown} (an admin's) is false. One statement, so that a takedown cannot
     * come between the check and the delete.
     */
    @Transactional
    boolean delete(long id, String actor, boolean evenTakenDown) {
        Optional<Link> deleted = db.sql("DELETE FROM urls WHERE id = ? AND (? OR NOT EXISTS"
                        + " (SELECT 1 FROM link_blocks b WHERE b.url_id = urls.id)) RETURNING " + COLUMNS)
                .params(id, evenTakenDown)
                .query(Link.class)
                .optional();
        deleted.ifPresent(link -> events.publishEvent(new LinkDeleted(link, LinkDeleted.USER_REQUESTED, actor)));
        return deleted.isPresent();
    }

    /** A deleted user's links go with the user, in the same transaction, each recording its deletion. */
    @EventListener
    @Transactional
    void deleteLinksOf(UserDeleted user) {
        db
                .sql("DELETE FROM urls WHERE user_id = ? RETURNING " + COLUMNS)
                .param(user.userId())
                .query(Link.class)
                .list()
                .stream()
                .sorted(Comparator.comparingLong(Link::id))
                .forEach(link -> events.publishEvent(new LinkDeleted(link, LinkDeleted.USER_REQUESTED, user.actor())));
    }

    private static Refused unknownUser(long userId) {
        return Refused.notFound("User " + userId + " does not exist");
    }
}
