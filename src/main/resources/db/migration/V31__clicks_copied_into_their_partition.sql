-- The click loader copies its rows into the partition of events that holds the ids the sequence
-- gives (ADR 0020), not through events: PostgreSQL then routes no row and fires none of events'
-- statement triggers, whose transition tables it would fill for the click trigger, which returns at
-- once for the loader's rows (V29), and for the tallies, which the loader now adds itself. About
-- 1.5 µs of PostgreSQL's work per click (ADR 0018).

-- Each partition of events with its ids, from_id inclusive (NULL: from the lowest) and to_id exclusive.
CREATE VIEW event_partitions AS
SELECT c.relname::text AS name,
       (regexp_match(b.bound, 'FROM \(''?(-?\d+)''?\)'))[1]::bigint AS from_id,
       (regexp_match(b.bound, 'TO \(''?(-?\d+)''?\)'))[1]::bigint AS to_id
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
WHERE i.inhparent = 'events'::regclass;

-- The id the sequence gives next, whether or not it has given one since it was set.
CREATE FUNCTION next_event_id() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM events_id_seq
$$;

-- The partition the next ids go to; events itself if none holds them (PostgreSQL then refuses the
-- rows, as it would have anyway).
CREATE FUNCTION click_partition() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT name FROM event_partitions, next_event_id() AS next
                     WHERE coalesce(from_id <= next, true) AND next < to_id), 'events')
$$;
