package dev.shortener.platform;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Moves a table's id sequence past ids written without it (an import, a new month's range), never
 * backwards: a sequence set below a value already handed out gives that id twice.
 *
 * <p>{@code setval} after reading the last value is not atomic: a concurrent move to a higher value,
 * or the {@code nextval} of an insert, can land between the two and be undone. So moves take a
 * lock among themselves, held for the statement alone (a session lock, released on error too, as
 * the caller's transaction may last minutes), and a short distance is walked with {@code nextval},
 * which never goes back; only a long one is set, which the inserts' {@code nextval}s cannot cover
 * in the microseconds between the read and the set.
 */
public final class IdSequences {

    /** Distances up to this are walked; the walk costs about a microsecond an id. */
    static final int LONGEST_WALK = 1_000;

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
                  distance bigint;
                BEGIN
                  PERFORM pg_advisory_lock(hashtext('id sequence of %1$s'));
                  BEGIN
                    distance := %2$d - coalesce(pg_sequence_last_value(seq), 0);
                    IF distance > %3$d THEN
                      PERFORM setval(seq, %2$d);
                    ELSIF distance > 0 THEN
                      PERFORM nextval(seq) FROM generate_series(1, distance);
                    END IF;
                  EXCEPTION WHEN OTHERS THEN
                    PERFORM pg_advisory_unlock(hashtext('id sequence of %1$s'));
                    RAISE;
                  END;
                  PERFORM pg_advisory_unlock(hashtext('id sequence of %1$s'));
                END $$""".formatted(table, id, LONGEST_WALK);
    }
}
