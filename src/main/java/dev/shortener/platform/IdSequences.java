package dev.shortener.platform;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Moves a table's id sequence past ids written without it (an import, a new month's range), never
 * backwards: a sequence set below a value already handed out gives that id twice.
 *
 * <p>{@code setval} after reading the last value is not atomic: a concurrent move to a higher value,
 * or the {@code nextval} of an insert, can land between the two and be undone. So moves take a
 * lock among themselves, held for the statement alone (a session lock, released on any error or
 * cancel, as the caller's transaction may last minutes); a move that is not needed writes nothing;
 * a short distance is walked with {@code nextval}, which never goes back; a longer one is set, which
 * goes back only if inserts draw more ids than that distance between the read and the set.
 *
 * <p>What no move prevents: an insert that drew an id in the imported range before the move (or
 * during it) and an import chunk naming that id meet, and the chunk's upsert replaces the row. Files
 * with ids above the sequence are for loading, not for a service taking writes (docs/imports.md).
 */
public final class IdSequences {

    /**
     * Distances up to this are walked. Short, as rows inserted while it runs take ids the import is
     * about to write: the longer the walk, the likelier that an import overwrites such a row.
     */
    static final int LONGEST_WALK = 32;

    private IdSequences() {}

    /**
     * Moves the sequence of {@code table}'s id column to at least {@code id}, so that inserts
     * starting after this draw ids above it. In the caller's transaction, which is not held up.
     */
    public static void movePast(JdbcClient db, String table, long id) {
        db.sql(movePast(table, id)).update();
    }

    /** The statement of {@link #movePast}, for a caller on a plain connection. */
    public static String movePast(String table, long id) {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        return """
                DO $$
                DECLARE
                  seq regclass := pg_get_serial_sequence('%1$s', 'id');
                  last bigint;
                  called boolean;
                  locked boolean := false;
                BEGIN
                  -- the caller's transaction holds its xid before any id it may draw (ADR 0016)
                  PERFORM pg_current_xact_id();
                  -- the lock and its release in a block that traps a cancel too (OTHERS does not):
                  -- a session lock left behind would stay on a pooled connection
                  PERFORM pg_advisory_lock(hashtext('id sequence of %1$s'));
                  locked := true;
                  EXECUTE 'SELECT last_value, is_called FROM ' || seq INTO last, called;
                  IF NOT called THEN
                    last := last - 1;
                  END IF;
                  IF %2$d - last > %3$d THEN
                    PERFORM setval(seq, %2$d);
                  ELSIF %2$d > last THEN
                    PERFORM nextval(seq) FROM generate_series(1, %2$d - last);
                  END IF;
                  PERFORM pg_advisory_unlock(hashtext('id sequence of %1$s'));
                EXCEPTION WHEN OTHERS OR query_canceled THEN
                  IF locked THEN
                    PERFORM pg_advisory_unlock(hashtext('id sequence of %1$s'));
                  END IF;
                  RAISE;
                END $$""".formatted(table, id, LONGEST_WALK);
    }
}
