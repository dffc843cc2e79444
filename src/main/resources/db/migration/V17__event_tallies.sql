-- The contract's X-Total-Count is exact, and counting the events table on every page grows with it:
-- seconds at tens of millions of events (ADR 0017). Every statement that inserts, changes or
-- deletes events appends its count per event type to event_tallies in the same transaction, so any
-- snapshot sees the tallies agree with the rows, and the count of all events or of one type is a
-- sum over a few rows. Appending takes no row lock: writers never wait for one another here.
-- EventTallies compacts the rows every few seconds (one transaction deletes rows and inserts
-- their sum, so no snapshot sees both or neither).

-- Every writer of events waits while the table is counted, and the request path's writes fail at
-- its 3 s lock timeout; clicks wait in the instances' journals. Taken at once in the strongest mode
-- the triggers need, so that the lock is never upgraded.
LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE event_tallies (
    event_type varchar(64) NOT NULL,
    events     bigint      NOT NULL
);

INSERT INTO event_tallies (event_type, events)
SELECT event_type, count(*) FROM events GROUP BY event_type;

-- Imports before this migration could change stored events without the click rollup following
-- (the trigger below did not exist): it is counted again, and the links' totals with it.
-- Deleted, not truncated: statistics keep reading the old rows until this commits.
DELETE FROM click_counts;
DELETE FROM click_totals_queue;
INSERT INTO click_counts (url_id, day, referrer, clicks)
SELECT url_id, "timestamp"::date, coalesce(details ->> 'referrer', ''), count(*)
FROM events
WHERE event_type = 'click'
GROUP BY 1, 2, 3;
UPDATE link_click_totals t SET clicks = counted.clicks
FROM (SELECT l.url_id, coalesce(sum(c.clicks), 0) AS clicks
      FROM link_click_totals l LEFT JOIN click_counts c USING (url_id)
      GROUP BY l.url_id) counted
WHERE counted.url_id = t.url_id AND t.clicks <> counted.clicks;

CREATE FUNCTION tally_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_tallies (event_type, events)
    SELECT event_type, count(*) FROM new_events GROUP BY event_type;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_tally
    AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION tally_events();

-- A change to stored events, +1 for each row as it is now and -1 as it was, in every count kept
-- beside them: the tallies, the click rollup (rows left at zero go) and the queue of the links'
-- click totals (V15). An import that finds an event again by its id may change its link, type,
-- time or referrer; an operator may delete events.
CREATE FUNCTION count_event_changes(
    url_ids bigint[], event_types text[], days date[], referrers text[], changes int[]) RETURNS void
LANGUAGE sql AS $$
    WITH changed AS (
        SELECT * FROM unnest(url_ids, event_types, days, referrers, changes) AS c(url_id, event_type, day, referrer, change)
    ), clicks AS (
        SELECT url_id, day, referrer, sum(change) AS clicks FROM changed WHERE event_type = 'click'
        GROUP BY 1, 2, 3 HAVING sum(change) <> 0
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks) SELECT url_id, sum(clicks) FROM clicks GROUP BY url_id
    ), tallied AS (
        INSERT INTO event_tallies (event_type, events)
        SELECT event_type, sum(change) FROM changed GROUP BY event_type HAVING sum(change) <> 0
    )
    -- sorted, as the click trigger locks them
    INSERT INTO click_counts AS counted (url_id, day, referrer, clicks)
    SELECT url_id, day, referrer, clicks FROM clicks ORDER BY 1, 2, 3
    ON CONFLICT (url_id, day, referrer) DO UPDATE SET clicks = counted.clicks + excluded.clicks;

    DELETE FROM click_counts c
    USING unnest(url_ids, event_types, days, referrers, changes) AS left_behind(url_id, event_type, day, referrer, change)
    WHERE left_behind.change < 0 AND left_behind.event_type = 'click' AND c.clicks = 0
      AND (c.url_id, c.day, c.referrer) = (left_behind.url_id, left_behind.day, left_behind.referrer);
$$;

CREATE FUNCTION recount_updated_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_event_changes(array_agg(url_id), array_agg(event_type), array_agg(day), array_agg(referrer),
                                array_agg(change))
    FROM (SELECT url_id, event_type::text, "timestamp"::date AS day, coalesce(details ->> 'referrer', '') AS referrer,
                 1 AS change
          FROM new_events
          UNION ALL
          SELECT url_id, event_type, "timestamp"::date, coalesce(details ->> 'referrer', ''), -1 FROM old_events) c;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_recount_updated
    AFTER UPDATE ON events
    REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION recount_updated_events();

CREATE FUNCTION recount_deleted_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_event_changes(array_agg(url_id), array_agg(event_type::text), array_agg("timestamp"::date),
                                array_agg(coalesce(details ->> 'referrer', '')), array_agg(-1))
    FROM old_events;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_recount_deleted
    AFTER DELETE ON events
    REFERENCING OLD TABLE AS old_events
    FOR EACH STATEMENT EXECUTE FUNCTION recount_deleted_events();

-- Emptying the table empties every count kept beside it. Deleted, as a TRUNCATE that names one of
-- them too (TRUNCATE events, click_counts) could not truncate it again.
CREATE FUNCTION empty_event_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM event_tallies;
    DELETE FROM click_counts;
    DELETE FROM click_totals_queue;
    UPDATE link_click_totals SET clicks = 0 WHERE clicks <> 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_empty_counts
    AFTER TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION empty_event_counts();
