package dev.shortener.user;

import dev.shortener.platform.IdList;
import dev.shortener.platform.IdSequences;
import dev.shortener.platform.Listings;
import dev.shortener.platform.Refused;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.SimplePropertyRowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The users table. */
@Repository
public class Users {

    private static final String COLUMNS = "id, username, email, created_at";

    private final JdbcClient db;
    private final ApplicationEventPublisher events;
    private final IdList<User> list;

    Users(JdbcClient db, ApplicationEventPublisher events, Listings listings) {
        this.db = db;
        this.events = events;
        this.list = listings.of("users", COLUMNS, new SimplePropertyRowMapper<>(User.class), User::id);
    }

    public boolean exists(long id) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)")
                .param(id)
                .query(Boolean.class)
                .single();
    }

    public Optional<User> find(long id) {
        return db.sql("SELECT " + COLUMNS + " FROM users WHERE id = ?")
                .param(id)
                .query(User.class)
                .optional();
    }

    /** All users, in id order. */
    IdList<User> list() {
        return list;
    }

    /** Inserts a user; a taken e-mail address is reported as {@link EmailTaken}. */
    User create(String username, Email email) {
        Optional<User> created =
                IdSequences.insertPastTakenIds(db, "users", () -> insert(username, email), () -> emailTaken(email));
        return created.orElseThrow(() -> emailTaken(email)
                ? new EmailTaken(email.address())
                : Refused.unavailable("The user's id was taken again; try again"));
    }

    private Optional<User> insert(String username, Email email) {
        return db.sql("INSERT INTO users (username, email) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING " + COLUMNS)
                .params(username, email.address())
                .query(User.class)
                .optional();
    }

    private boolean emailTaken(Email email) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(?))")
                .param(email.address())
                .query(Boolean.class)
                .single();
    }

    /** Changes the given fields; a null one keeps its value. */
    Optional<User> update(long id, @Nullable String username, @Nullable Email email) {
        try {
            return db.sql("UPDATE users SET username = coalesce(?, username), email = coalesce(?, email) WHERE id = ?"
                            + " RETURNING " + COLUMNS)
                    .params(username, email == null ? null : email.address(), id)
                    .query(User.class)
                    .optional();
        } catch (DuplicateKeyException e) {
            throw new EmailTaken(String.valueOf(email));
        }
    }

    /** Deletes a user after the features that hold the user's data removed it; false if unknown. */
    @Transactional
    boolean delete(long id, String actor) {
        if (db.sql("SELECT id FROM users WHERE id = ? FOR UPDATE")
                .param(id)
                .query(Long.class)
                .optional()
                .isEmpty()) {
            return false;
        }
        events.publishEvent(new UserDeleted(id, actor));
        return db.sql("DELETE FROM users WHERE id = ?").param(id).update() == 1;
    }

    /** E-mail addresses are unique, ignoring case. */
    public static final class EmailTaken extends Refused {

        private static final long serialVersionUID = 1L;

        EmailTaken(String email) {
            super(Reason.TAKEN, "The e-mail address " + email + " is already taken");
        }
    }
}
