-- GET /events?user_id= counted the user's events with count(*) through events_user_id_idx, which
-- costs what that user holds: a user with millions of clicks paid for them on every page. The
-- click rollup now keeps each click's user_id apart (the user the event row names: the link's
-- owner when the click was recorded), so that count is the user's rollup rows plus their other
-- events through the partial index of V22, as a link's is (ADR 0017). NULLS NOT DISTINCT: the
-- clicks of a link without an owner share one row per day and referrer, as before.

-- The rollup is counted again from the events into a new table, which replaces the old one at
-- the end: statistics keep reading the old rows until then. Click writers wait meanwhile (their
-- clicks in the journals), and so do link writers, whose trigger reads the rollup (V20): taken
-- first, as in V15 and V20, so that no link creation holds the rollup while it waits for events.
-- The request path's writes fail at their 3 s lock timeout, as in V17.
LOCK TABLE urls IN SHARE MODE;
LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE click_counts_per_user (
    url_id    bigint NOT NULL,
    day       date   NOT NULL,
    referrer  text   NOT NULL,
    user_id   bigint,
    clicks    bigint NOT NULL
);
INSERT INTO click_counts_per_user (url_id, day, referrer, user_id, clicks)
SELECT url_id, "timestamp"::date, coalesce(details ->> 'referrer', ''), user_id, count(*)
FROM events
WHERE event_type = 'click'
GROUP BY 1, 2, 3, 4;
CREATE UNIQUE INDEX click_counts_key ON click_counts_per_user (url_id, day, referrer, user_id) NULLS NOT DISTINCT;
CREATE INDEX click_counts_user_idx ON click_counts_per_user (user_id) WHERE user_id IS NOT NULL;
-- the functions below name the table, and find the new one at their next call
DROP TABLE click_counts;
ALTER TABLE click_counts_per_user RENAME TO click_counts;
ANALYZE click_counts;

CREATE OR REPLACE FUNCTION count_clicks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH counted AS (
        SELECT url_id, "timestamp"::date AS day, coalesce(details ->> 'referrer', '') AS referrer, user_id,
               count(*) AS clicks
        FROM new_events
        WHERE event_type = 'click'
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
    RETURN NULL;
END
$$;

-- V17's function, with the user of each row: an import may give a stored click another user.
DROP FUNCTION count_event_changes(bigint[], text[], date[], text[], int[]);
CREATE FUNCTION count_event_changes(
    url_ids bigint[], user_ids bigint[], event_types text[], days date[], referrers text[], changes int[])
RETURNS void LANGUAGE sql AS $$
    WITH changed AS (
        SELECT * FROM unnest(url_ids, user_ids, event_types, days, referrers, changes)
            AS c(url_id, user_id, event_type, day, referrer, change)
    ), clicks AS (
        SELECT url_id, day, referrer, user_id, sum(change) AS clicks FROM changed WHERE event_type = 'click'
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
$$;

CREATE OR REPLACE FUNCTION recount_updated_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_event_changes(array_agg(url_id), array_agg(user_id), array_agg(event_type), array_agg(day),
                                array_agg(referrer), array_agg(change))
    FROM (SELECT url_id, user_id, event_type::text, "timestamp"::date AS day,
                 coalesce(details ->> 'referrer', '') AS referrer, 1 AS change
          FROM new_events
          UNION ALL
          SELECT url_id, user_id, event_type, "timestamp"::date, coalesce(details ->> 'referrer', ''), -1
          FROM old_events) c;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION recount_deleted_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_event_changes(array_agg(url_id), array_agg(user_id), array_agg(event_type::text),
                                array_agg("timestamp"::date), array_agg(coalesce(details ->> 'referrer', '')),
                                array_agg(-1))
    FROM old_events;
    RETURN NULL;
END
$$;
