-- events becomes a table partitioned by ranges of id, one range a month, so that retention drops
-- whole months and no table grows without end (V25, ADR 0020). The rows stored so far become its
-- first partition. Month m (counted from January 2000) owns the ids from m * 2^36; this
-- constraint bounds the first partition below the next month's range (or above every id stored,
-- if an import moved the sequence further). Added NOT VALID, so that it costs one brief lock
-- here; V24 validates it while writers go on, and then V25's attach skips the scan.
-- The constraint takes events exclusively for a moment; behind a long transaction (an import
-- chunk) the migration fails within 2 s, rather than hold every reader and writer queued behind
-- it, and the instance's next start tries again.
SET LOCAL lock_timeout = '2s';
DO $$
DECLARE
    month_ids constant bigint := 68719476736;
    next_month bigint := (extract(year FROM now() AT TIME ZONE 'utc')::bigint - 2000) * 12
                         + extract(month FROM now() AT TIME ZONE 'utc')::bigint;
    highest bigint := greatest((SELECT coalesce(max(id), 0) FROM events),
                               (SELECT last_value FROM events_id_seq));
BEGIN
    EXECUTE format('ALTER TABLE events ADD CONSTRAINT events_first_bound CHECK (id < %s) NOT VALID',
                   greatest(next_month, highest / month_ids + 1) * month_ids);
END
$$;
