package dev.shortener.platform;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private static final Logger log = LoggerFactory.getLogger(IdSequences.class);

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
        return move(table, Long.toString(id));
    }

    /**
     * Runs {@code insert}, an {@code INSERT ... ON CONFLICT DO NOTHING} into {@code table} that takes
     * its id from the sequence. When it inserts nothing and {@code otherKeyTaken} says that no other
     * unique key of the row was taken, the id the sequence gave was: the sequence moves past the
     * largest id stored and the insert runs once more. Empty when the insert met a conflict again.
     */
    public static <T> Optional<T> insertPastTakenIds(
            JdbcClient db, String table, Supplier<Optional<T>> insert, BooleanSupplier otherKeyTaken) {
        Optional<T> inserted = insert.get();
        if (inserted.isEmpty() && !otherKeyTaken.getAsBoolean()) {
            movePastLargest(db, table);
            inserted = insert.get();
        }
        return inserted;
    }

    /** {@link #movePastLargest(String)} in the caller's transaction, and logged: rows went around the sequence. */
    private static void movePastLargest(JdbcClient db, String table) {
        db.sql(movePastLargest(table)).update();
        log.warn(
                "An insert into {} met a row holding the id its sequence gave; the sequence is moved past"
                        + " the largest id stored",
                table);
    }

    /**
     * The statement that moves the sequence of {@code table} past the largest id stored: an insert
     * met a row holding the id the sequence gave it, written without the sequence (a restore by hand,
     * or an import naming ids above it while the service took writes), and would meet the next ones.
     * Only ids of the month range the sequence is in count (ADR 0020): a row written by hand in a
     * later month's range must not move new events there. Other tables' ids lie far below the first
     * range's end.
     */
    public static String movePastLargest(String table) {
        return move(
                table,
                "(SELECT coalesce(max(id), 0) FROM %s WHERE id < ((last >> %d) + 1) << %d)"
                        .formatted(table, MonthIds.MONTH_BITS, MonthIds.MONTH_BITS));
    }

    private static String move(String table, String target) {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        return """
                DO $$
                DECLARE
                  seq regclass := pg_get_serial_sequence('%1$s', 'id');
                  target bigint;
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
                  target := %2$s;
                  IF target - last > %3$d THEN
                    PERFORM setval(seq, target);
                  ELSIF target > last THEN
                    PERFORM nextval(seq) FROM generate_series(1, target - last);
                  END IF;
                  PERFORM pg_advisory_unlock(hashtext('id sequence of %1$s'));
                EXCEPTION WHEN OTHERS OR query_canceled THEN
                  IF locked THEN
                    PERFORM pg_advisory_unlock(hashtext('id sequence of %1$s'));
                  END IF;
                  RAISE;
                END $$""".formatted(table, target, LONGEST_WALK);
    }
}
