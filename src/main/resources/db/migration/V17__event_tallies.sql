-- The contract's X-Total-Count is exact, and counting the events table on every page grows with it:
-- seconds at tens of millions of events (ADR 0017). Every insert into events adds its count per
-- event type to a tally in the same transaction, so any snapshot sees the tallies agree with the
-- rows, and the count of all events or of one type is a sum over a few rows. Each type has a row
-- per slot (the writer's backend pid modulo 16): concurrent writers of the same type, such as link
-- creations, lock different rows, and each commits without waiting for another's commit.

-- Every writer of events waits while the tallies are counted; clicks wait in the instances'
-- journals meanwhile.
LOCK TABLE events IN SHARE MODE;

CREATE TABLE event_tallies (
    event_type varchar(64) NOT NULL,
    slot       smallint    NOT NULL,
    events     bigint      NOT NULL,
    PRIMARY KEY (event_type, slot)
);

INSERT INTO event_tallies (event_type, slot, events)
SELECT event_type, 0, count(*) FROM events GROUP BY event_type;

CREATE FUNCTION tally_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- sorted, so one statement's rows are locked in the order any other statement locks them
    INSERT INTO event_tallies AS tally (event_type, slot, events)
    SELECT event_type, pg_backend_pid() % 16, count(*) FROM new_events GROUP BY event_type ORDER BY event_type
    ON CONFLICT (event_type, slot) DO UPDATE SET events = tally.events + excluded.events;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_tally
    AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION tally_events();

-- An import that finds an event again by its id may change its link, type, time or referrer: the
-- tallies, the click_counts rollup and the queue of the links' click totals (V15) move with it, so
-- that none of them counts the event as it was. Rollup rows left at zero go.
CREATE FUNCTION recount_changed_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- click_counts before event_tallies, the order in which inserts lock them
    WITH changed AS (
        SELECT url_id, "timestamp"::date AS day, coalesce(details ->> 'referrer', '') AS referrer, 1 AS change
        FROM new_events WHERE event_type = 'click'
        UNION ALL
        SELECT url_id, "timestamp"::date, coalesce(details ->> 'referrer', ''), -1
        FROM old_events WHERE event_type = 'click'
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks)
        SELECT url_id, sum(change) FROM changed GROUP BY url_id HAVING sum(change) <> 0
    )
    INSERT INTO click_counts AS counted (url_id, day, referrer, clicks)
    SELECT url_id, day, referrer, sum(change) FROM changed
    GROUP BY 1, 2, 3 HAVING sum(change) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (url_id, day, referrer) DO UPDATE SET clicks = counted.clicks + excluded.clicks;
    -- only a key that an event left can have come down to zero
    DELETE FROM click_counts c
    WHERE c.clicks = 0 AND (c.url_id, c.day, c.referrer) IN (
        SELECT url_id, "timestamp"::date, coalesce(details ->> 'referrer', '') FROM old_events WHERE event_type = 'click');

    INSERT INTO event_tallies AS tally (event_type, slot, events)
    SELECT event_type, pg_backend_pid() % 16, sum(change)
    FROM (SELECT event_type, 1 AS change FROM new_events UNION ALL SELECT event_type, -1 FROM old_events) changed
    GROUP BY event_type HAVING sum(change) <> 0 ORDER BY event_type
    ON CONFLICT (event_type, slot) DO UPDATE SET events = tally.events + excluded.events;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_recount_changed
    AFTER UPDATE ON events
    REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION recount_changed_events();

-- Events are only ever appended; an operator who empties the table empties its tallies with it.
CREATE FUNCTION empty_event_tallies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE event_tallies;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_empty_tallies
    AFTER TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION empty_event_tallies();
