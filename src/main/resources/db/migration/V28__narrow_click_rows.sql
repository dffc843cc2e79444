-- A click the service stores becomes a narrow row of events (ADR 0018): details left at its default
-- {}, its short code, destination, referrer and user agent as ids of click_texts, a dictionary the
-- click loader fills before its COPY. Stored wide, a click's jsonb was most of the row and of
-- PostgreSQL's work per click. event_details rebuilds it as the same jsonb, so its text is what the
-- wide row gave; a release before this one reads {} there, and works on. Existing rows stay as they
-- are: nothing moves, and both kinds are read alike.

-- Catalog changes only, but under the strongest lock, which every reader and writer of events
-- queues behind: waited for briefly, as in V25 (the instance does not start, and tries again).
SET LOCAL lock_timeout = '2s';
LOCK TABLE events IN ACCESS EXCLUSIVE MODE;

CREATE TABLE click_texts (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text text NOT NULL
);
-- by hash: a referrer may be longer than a btree entry holds (about 2.7 kB)
CREATE UNIQUE INDEX click_texts_key ON click_texts (md5(text));

ALTER TABLE events
    ADD COLUMN short_code_id bigint,
    ADD COLUMN original_url_id bigint,
    ADD COLUMN referrer_id bigint,
    ADD COLUMN user_agent_id bigint;

-- A narrow click's details, as the wide row held them: jsonb orders the keys itself, and a missing
-- referrer or user agent is JSON null, apart from an empty one.
CREATE FUNCTION click_details(short_code_id bigint, original_url_id bigint, referrer_id bigint, user_agent_id bigint)
RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object(
        'short_code', (SELECT text FROM click_texts WHERE id = short_code_id),
        'original_url', (SELECT text FROM click_texts WHERE id = original_url_id),
        'referrer', (SELECT text FROM click_texts WHERE id = referrer_id),
        'user_agent', (SELECT text FROM click_texts WHERE id = user_agent_id))
$$;

-- Any row's details, as the API shows them: event_details(events), or of an alias. A narrow row
-- that an earlier release's import gave details keeps them.
CREATE FUNCTION event_details(e events) RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN e.short_code_id IS NULL OR e.details <> '{}' THEN e.details
                ELSE click_details(e.short_code_id, e.original_url_id, e.referrer_id, e.user_agent_id) END
$$;

-- The referrer a row's clicks are rolled up under, '' for none: what event_details shows. Looked up
-- row by row, for the rare rows an import changes or an operator deletes.
CREATE FUNCTION referrer_of(details jsonb, short_code_id bigint, referrer_id bigint)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN short_code_id IS NULL OR details <> '{}' THEN coalesce(details ->> 'referrer', '')
                ELSE coalesce((SELECT text FROM click_texts WHERE id = referrer_id), '') END
$$;

-- V21's trigger, the referrer of a narrow click looked up once per group, not once per click
CREATE OR REPLACE FUNCTION count_clicks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH grouped AS (
        SELECT url_id, "timestamp"::date AS day,
               CASE WHEN short_code_id IS NULL OR details <> '{}' THEN coalesce(details ->> 'referrer', '') END AS referrer,
               CASE WHEN short_code_id IS NOT NULL AND details = '{}' THEN referrer_id END AS referrer_id,
               user_id, count(*) AS clicks
        FROM new_events
        WHERE event_type = 'click'
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
    RETURN NULL;
END
$$;

-- V21's, for rows an import changes or an operator deletes
CREATE OR REPLACE FUNCTION recount_updated_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_event_changes(array_agg(url_id), array_agg(user_id), array_agg(event_type), array_agg(day),
                                array_agg(referrer), array_agg(change))
    FROM (SELECT url_id, user_id, event_type::text, "timestamp"::date AS day,
                 referrer_of(details, short_code_id, referrer_id) AS referrer, 1 AS change
          FROM new_events
          UNION ALL
          SELECT url_id, user_id, event_type, "timestamp"::date,
                 referrer_of(details, short_code_id, referrer_id), -1
          FROM old_events) c;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION recount_deleted_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_event_changes(array_agg(url_id), array_agg(user_id), array_agg(event_type::text),
                                array_agg("timestamp"::date),
                                array_agg(referrer_of(details, short_code_id, referrer_id)),
                                array_agg(-1))
    FROM old_events;
    RETURN NULL;
END
$$;
