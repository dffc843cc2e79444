-- The click rollup (click_counts and the links' totals queue) was upserted by a statement trigger
-- in every COPY of clicks: most of PostgreSQL's work per click once clicks are narrow (ADR 0018).
-- The service now folds stored clicks into it about every second, by id: each fold takes the
-- clicks above the folded id up to the commit horizon (ADR 0016: no id below it can still commit)
-- and moves the folded id, in one transaction. Readers use clicks_counted, the rollup and the clicks
-- above the folded id in one snapshot, so every count stays exact.
--
-- Rows written with an explicit id (imports) may lie below the horizon before they commit. So the
-- triggers still count the rows of their statement at or below the folded id they read, and leave
-- those above to the fold; each takes a shared advisory lock before it reads the folded id and the
-- fold takes it exclusively, so no fold moves past a row whose statement read the old folded id and
-- has not committed.

-- Click writers wait while the folded id is set (their clicks in the journals); API writes of events
-- fail at their 3 s lock timeout, as in V17. Waited for briefly, as in V25.
SET LOCAL lock_timeout = '2s';
LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;

-- Every id handed out so far, and every row written with an id of its own, was counted by the trigger.
CREATE TABLE click_fold (folded_id bigint NOT NULL);
INSERT INTO click_fold (folded_id)
SELECT greatest((SELECT coalesce(pg_sequence_last_value('events_id_seq'), 0)), (SELECT coalesce(max(id), 0) FROM events));

-- The key of the advisory lock the triggers share and the fold takes alone.
CREATE FUNCTION click_fold_lock() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 1869377125::bigint $$;

-- The rollup as of the reader's snapshot: folded rows and the clicks above the folded id.
CREATE VIEW clicks_counted AS
SELECT url_id, day, referrer, user_id, clicks FROM click_counts
UNION ALL
SELECT url_id, "timestamp"::date, referrer_of(details, short_code_id, referrer_id), user_id, 1::bigint
FROM events
WHERE event_type = 'click' AND id > (SELECT folded_id FROM click_fold);

-- Clicks with folded_id < id <= upto, counted into the rollup and the links' totals queue.
CREATE FUNCTION count_stored_clicks(after bigint, upto bigint) RETURNS void LANGUAGE sql AS $$
    WITH grouped AS (
        SELECT url_id, "timestamp"::date AS day,
               CASE WHEN short_code_id IS NULL OR details <> '{}' THEN coalesce(details ->> 'referrer', '') END AS referrer,
               CASE WHEN short_code_id IS NOT NULL AND details = '{}' THEN referrer_id END AS referrer_id,
               user_id, count(*) AS clicks
        FROM events
        WHERE id > after AND id <= upto AND event_type = 'click'
        GROUP BY 1, 2, 3, 4, 5
    ), counted AS (
        -- a probe of the dictionary's key per group: a join may be planned as a scan of all of it
        SELECT url_id, day,
               coalesce(referrer, CASE WHEN referrer_id IS NOT NULL
                                       THEN (SELECT text FROM click_texts WHERE id = referrer_id) END, '') AS referrer,
               user_id, sum(clicks) AS clicks
        FROM grouped
        GROUP BY 1, 2, 3, 4
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks)
        SELECT url_id, sum(clicks) FROM counted GROUP BY url_id
    )
    -- sorted, so concurrent writers lock the same rows in the same order
    INSERT INTO click_counts AS counted_before (url_id, day, referrer, user_id, clicks)
    SELECT url_id, day, referrer, user_id, clicks FROM counted
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (url_id, day, referrer, user_id) DO UPDATE SET clicks = counted_before.clicks + excluded.clicks;
$$;

-- One fold: the events above the folded id up to the horizon, at most `most` of them (ids are
-- sparse: each month has its own range), their clicks counted and the folded id moved past them.
-- Returns the folded id. The lock is taken before anything is read, so the aggregate's snapshot
-- sees every row of a statement that read an older folded id; writers of events that come
-- meanwhile queue behind a fold that waits, so it waits briefly. One statement, one round trip.
CREATE FUNCTION fold_clicks(horizon bigint, most bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
    upto bigint;
BEGIN
    PERFORM set_config('lock_timeout', '100ms', true);
    PERFORM pg_advisory_xact_lock(click_fold_lock());
    SELECT folded_id INTO folded FROM click_fold FOR UPDATE;
    SELECT id INTO upto FROM events WHERE id > folded AND id <= horizon ORDER BY id OFFSET most - 1 LIMIT 1;
    upto := coalesce(upto, horizon);
    IF upto <= folded THEN
        RETURN folded;
    END IF;
    PERFORM count_stored_clicks(folded, upto);
    UPDATE click_fold SET folded_id = upto;
    RETURN upto;
END
$$;

-- The folded id for a statement's trigger, read under the shared lock.
CREATE FUNCTION folded_click_id() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(click_fold_lock());
    RETURN (SELECT folded_id FROM click_fold);
END
$$;

-- V28's trigger, for the rows at or below the folded id only (looked up row by row: such rows are
-- rare). The click loader's COPY says that its ids come from the sequence, so above any horizon a
-- fold can reach while it runs: it has no row to count and takes no lock, and never waits for a fold.
CREATE OR REPLACE FUNCTION count_clicks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    IF current_setting('shortener.ids_from_sequence', true) = 'on' THEN
        RETURN NULL;
    END IF;
    folded := folded_click_id();
    WITH counted AS (
        SELECT url_id, "timestamp"::date AS day, referrer_of(details, short_code_id, referrer_id) AS referrer,
               user_id, count(*) AS clicks
        FROM new_events
        WHERE event_type = 'click' AND id <= folded
        GROUP BY 1, 2, 3, 4
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks)
        SELECT url_id, sum(clicks) FROM counted GROUP BY url_id
    )
    INSERT INTO click_counts AS counted_before (url_id, day, referrer, user_id, clicks)
    SELECT url_id, day, referrer, user_id, clicks FROM counted
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (url_id, day, referrer, user_id) DO UPDATE SET clicks = counted_before.clicks + excluded.clicks;
    RETURN NULL;
END
$$;

-- V21's function, the clicks of rows above the folded id left out of the rollup and the totals
-- queue (the fold counts them as they are when it runs); the tallies count every row.
DROP FUNCTION count_event_changes(bigint[], bigint[], text[], date[], text[], int[]);
CREATE FUNCTION count_event_changes(
    ids bigint[], url_ids bigint[], user_ids bigint[], event_types text[], days date[], referrers text[], changes int[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    folded bigint := folded_click_id();
BEGIN
    WITH changed AS (
        SELECT * FROM unnest(ids, url_ids, user_ids, event_types, days, referrers, changes)
            AS c(id, url_id, user_id, event_type, day, referrer, change)
    ), clicks AS (
        SELECT url_id, day, referrer, user_id, sum(change) AS clicks FROM changed
        WHERE event_type = 'click' AND id <= folded
        GROUP BY 1, 2, 3, 4 HAVING sum(change) <> 0
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks) SELECT url_id, sum(clicks) FROM clicks GROUP BY url_id
    ), tallied AS (
        INSERT INTO event_tallies (event_type, events)
        SELECT event_type, sum(change) FROM changed GROUP BY event_type HAVING sum(change) <> 0
    )
    -- sorted, as the click trigger locks them
    INSERT INTO click_counts AS counted (url_id, day, referrer, user_id, clicks)
    SELECT url_id, day, referrer, user_id, clicks FROM clicks ORDER BY 1, 2, 3, 4
    ON CONFLICT (url_id, day, referrer, user_id) DO UPDATE SET clicks = counted.clicks + excluded.clicks;

    DELETE FROM click_counts c
    USING unnest(url_ids, user_ids, event_types, days, referrers, changes)
        AS left_behind(url_id, user_id, event_type, day, referrer, change)
    WHERE left_behind.change < 0 AND left_behind.event_type = 'click' AND c.clicks = 0
      AND (c.url_id, c.day, c.referrer) = (left_behind.url_id, left_behind.day, left_behind.referrer)
      AND c.user_id IS NOT DISTINCT FROM left_behind.user_id;
END
$$;

CREATE OR REPLACE FUNCTION recount_updated_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_event_changes(array_agg(id), array_agg(url_id), array_agg(user_id), array_agg(event_type),
                                array_agg(day), array_agg(referrer), array_agg(change))
    FROM (SELECT id, url_id, user_id, event_type::text, "timestamp"::date AS day,
                 referrer_of(details, short_code_id, referrer_id) AS referrer, 1 AS change
          FROM new_events
          UNION ALL
          SELECT id, url_id, user_id, event_type, "timestamp"::date,
                 referrer_of(details, short_code_id, referrer_id), -1
          FROM old_events) c;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION recount_deleted_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_event_changes(array_agg(id), array_agg(url_id), array_agg(user_id), array_agg(event_type::text),
                                array_agg("timestamp"::date),
                                array_agg(referrer_of(details, short_code_id, referrer_id)),
                                array_agg(-1))
    FROM old_events;
    RETURN NULL;
END
$$;
