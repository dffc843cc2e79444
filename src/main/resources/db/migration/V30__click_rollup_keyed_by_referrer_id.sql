-- The click rollup is keyed by the referrer's id in click_texts (V28) instead of its text: a fold
-- groups narrow clicks by the ids they hold and looks no text up, and the rollup's key is four
-- numbers wide. Folding Zipf clicks with referrers cost about a quarter less so (ADR 0018). No
-- referrer and an empty one share the key NULL, as they shared '' before; readers show both as none.
-- The rollup is counted again from the old one into a new table, which replaces it, under the locks
-- V21 took for the same and SHARE on the rollup: statistics keep reading the old rows until then,
-- folds give way at their own 100 ms lock timeout and run again a second later.
SET LOCAL lock_timeout = '2s';
LOCK TABLE urls IN SHARE MODE;
LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE click_counts IN SHARE MODE;

-- The id of a text in the dictionary, NULL for a text it does not hold (NULL, or one whose md5 a
-- different text took first: that text is rolled up as no referrer, its events keep it).
CREATE FUNCTION click_text_id(wanted text) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT id FROM click_texts WHERE md5(text) = md5(wanted) AND text = wanted
$$;

-- The texts of wide rows' referrers (imports, the API) into the dictionary, before their clicks are
-- rolled up by id: each statement that rolls wide rows up calls it first, so that it sees them. A
-- text new to the dictionary stays locked until the caller's transaction ends: another writer of the
-- same text waits for it (the loader at most its lock timeout). In md5 order, as the loader adds its
-- texts, so that two writers wait for each other in one order only.
CREATE FUNCTION add_click_texts(texts text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO click_texts (text)
    SELECT t FROM (SELECT DISTINCT t FROM unnest(texts) t WHERE t <> '' AND click_text_id(t) IS NULL) new
    ORDER BY md5(t)
    ON CONFLICT DO NOTHING
$$;

-- The referrer id a row's clicks are rolled up under, NULL for none or an empty one; looked up row
-- by row, for wide rows and the rare rows an import changes or an operator deletes.
CREATE FUNCTION rollup_referrer_id(details jsonb, short_code_id bigint, referrer_id bigint)
RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN short_code_id IS NULL OR details <> '{}' THEN click_text_id(nullif(details ->> 'referrer', ''))
                ELSE nullif(referrer_id, click_text_id('')) END
$$;

-- not through add_click_texts: one array of every referrer ever counted may pass PostgreSQL's 1 GB
INSERT INTO click_texts (text)
SELECT referrer FROM (SELECT DISTINCT referrer FROM click_counts) texts
WHERE referrer <> '' AND click_text_id(referrer) IS NULL
ORDER BY md5(referrer)
ON CONFLICT DO NOTHING;

CREATE TABLE click_counts_by_id (
    url_id      bigint NOT NULL,
    day         date   NOT NULL,
    referrer_id bigint,
    user_id     bigint,
    clicks      bigint NOT NULL
);
INSERT INTO click_counts_by_id (url_id, day, referrer_id, user_id, clicks)
SELECT url_id, day, click_text_id(nullif(referrer, '')), user_id, sum(clicks)
FROM click_counts
GROUP BY 1, 2, 3, 4;
-- indexed and analyzed before the old table goes: readers wait only for the swap
CREATE UNIQUE INDEX click_counts_by_id_key ON click_counts_by_id (url_id, day, referrer_id, user_id) NULLS NOT DISTINCT;
CREATE INDEX click_counts_by_id_user_idx ON click_counts_by_id (user_id) WHERE user_id IS NOT NULL;
ANALYZE click_counts_by_id;

DROP VIEW clicks_counted;
DROP TABLE click_counts;
ALTER TABLE click_counts_by_id RENAME TO click_counts;
ALTER INDEX click_counts_by_id_key RENAME TO click_counts_key;
ALTER INDEX click_counts_by_id_user_idx RENAME TO click_counts_user_idx;

CREATE FUNCTION click_text(id bigint) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT text FROM click_texts WHERE click_texts.id = click_text.id
$$;

-- V29's view, by referrer id: clicks not folded yet have the id their narrow row holds, and wide
-- ones their referrer's text in wide_referrer ('' for none; NULL on every other row). Statistics
-- group by both and look up the texts they show, one per referrer. referrer is each row's text, ''
-- for none, looked up row by row where a query asks for it.
CREATE VIEW clicks_counted AS
SELECT url_id, day, referrer_id, NULL::text AS wide_referrer, coalesce(click_text(referrer_id), '') AS referrer,
       user_id, clicks
FROM click_counts
UNION ALL
SELECT url_id, "timestamp"::date,
       CASE WHEN short_code_id IS NULL OR details <> '{}' THEN NULL ELSE referrer_id END,
       CASE WHEN short_code_id IS NULL OR details <> '{}' THEN coalesce(details ->> 'referrer', '') END,
       referrer_of(details, short_code_id, referrer_id), user_id, 1::bigint
FROM events
WHERE event_type = 'click' AND id > (SELECT folded_id FROM click_fold);

-- Grouped rollup rows into the rollup and the links' totals queue, sorted, so that concurrent
-- writers lock the same rows in the same order: for the triggers below, which count few rows.
CREATE FUNCTION add_click_counts(url_ids bigint[], days date[], referrer_ids bigint[], user_ids bigint[], clicks bigint[])
RETURNS void LANGUAGE sql AS $$
    WITH counted AS (
        SELECT * FROM unnest(url_ids, days, referrer_ids, user_ids, clicks) AS c(url_id, day, referrer_id, user_id, clicks)
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks)
        SELECT url_id, sum(clicks) FROM counted GROUP BY url_id
    )
    INSERT INTO click_counts AS counted_before (url_id, day, referrer_id, user_id, clicks)
    SELECT url_id, day, referrer_id, user_id, clicks FROM counted
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (url_id, day, referrer_id, user_id) DO UPDATE SET clicks = counted_before.clicks + excluded.clicks;
$$;

-- V29's fold step: narrow clicks grouped by the ids they hold (the id of the empty text looked up
-- once), wide ones by the id of their text, added first. The same upsert as add_click_counts,
-- written out: passing a fold's groups through arrays cost about 15 % of the fold (ADR 0018).
CREATE OR REPLACE FUNCTION count_stored_clicks(after bigint, upto bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM add_click_texts(array_agg(details ->> 'referrer'))
    FROM events
    WHERE id > after AND id <= upto AND event_type = 'click' AND (short_code_id IS NULL OR details <> '{}');
    WITH counted AS (
        SELECT url_id, "timestamp"::date AS day,
               CASE WHEN short_code_id IS NULL OR details <> '{}' THEN rollup_referrer_id(details, short_code_id, referrer_id)
                    ELSE nullif(referrer_id, (SELECT click_text_id(''))) END AS referrer_id,
               user_id, count(*) AS clicks
        FROM events
        WHERE id > after AND id <= upto AND event_type = 'click'
        GROUP BY 1, 2, 3, 4
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks)
        SELECT url_id, sum(clicks) FROM counted GROUP BY url_id
    )
    INSERT INTO click_counts AS counted_before (url_id, day, referrer_id, user_id, clicks)
    SELECT url_id, day, referrer_id, user_id, clicks FROM counted
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (url_id, day, referrer_id, user_id) DO UPDATE SET clicks = counted_before.clicks + excluded.clicks;
END
$$;

-- V29's trigger: rows at or below the folded id, by referrer id.
CREATE OR REPLACE FUNCTION count_clicks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    IF current_setting('shortener.ids_from_sequence', true) = 'on' THEN
        RETURN NULL;
    END IF;
    folded := folded_click_id();
    PERFORM add_click_texts(array_agg(details ->> 'referrer'))
    FROM new_events
    WHERE event_type = 'click' AND id <= folded AND (short_code_id IS NULL OR details <> '{}');
    PERFORM add_click_counts(array_agg(url_id), array_agg(day), array_agg(referrer_id), array_agg(user_id),
                             array_agg(clicks))
    FROM (SELECT url_id, "timestamp"::date AS day, rollup_referrer_id(details, short_code_id, referrer_id) AS referrer_id,
                 user_id, count(*) AS clicks
          FROM new_events
          WHERE event_type = 'click' AND id <= folded
          GROUP BY 1, 2, 3, 4) grouped;
    RETURN NULL;
END
$$;

-- V29's function, by referrer id.
DROP FUNCTION count_event_changes(bigint[], bigint[], bigint[], text[], date[], text[], int[]);
CREATE FUNCTION count_event_changes(
    ids bigint[], url_ids bigint[], user_ids bigint[], event_types text[], days date[], referrer_ids bigint[],
    changes int[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    folded bigint := folded_click_id();
BEGIN
    INSERT INTO event_tallies (event_type, events)
    SELECT event_type, sum(change) FROM unnest(event_types, changes) AS c(event_type, change)
    GROUP BY event_type HAVING sum(change) <> 0;

    PERFORM add_click_counts(array_agg(url_id), array_agg(day), array_agg(referrer_id), array_agg(user_id),
                             array_agg(clicks))
    FROM (SELECT url_id, day, referrer_id, user_id, sum(change) AS clicks
          FROM unnest(ids, url_ids, user_ids, event_types, days, referrer_ids, changes)
              AS c(id, url_id, user_id, event_type, day, referrer_id, change)
          WHERE event_type = 'click' AND id <= folded
          GROUP BY 1, 2, 3, 4 HAVING sum(change) <> 0) clicks;

    DELETE FROM click_counts c
    USING unnest(url_ids, user_ids, event_types, days, referrer_ids, changes)
        AS left_behind(url_id, user_id, event_type, day, referrer_id, change)
    WHERE left_behind.change < 0 AND left_behind.event_type = 'click' AND c.clicks = 0
      AND (c.url_id, c.day) = (left_behind.url_id, left_behind.day)
      AND c.referrer_id IS NOT DISTINCT FROM left_behind.referrer_id
      AND c.user_id IS NOT DISTINCT FROM left_behind.user_id;
END
$$;

CREATE OR REPLACE FUNCTION recount_updated_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM add_click_texts(array_agg(details ->> 'referrer'))
    FROM new_events WHERE event_type = 'click' AND (short_code_id IS NULL OR details <> '{}');
    PERFORM count_event_changes(array_agg(id), array_agg(url_id), array_agg(user_id), array_agg(event_type),
                                array_agg(day), array_agg(referrer_id), array_agg(change))
    FROM (SELECT id, url_id, user_id, event_type::text, "timestamp"::date AS day,
                 rollup_referrer_id(details, short_code_id, referrer_id) AS referrer_id, 1 AS change
          FROM new_events
          UNION ALL
          SELECT id, url_id, user_id, event_type, "timestamp"::date,
                 rollup_referrer_id(details, short_code_id, referrer_id), -1
          FROM old_events) c;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION recount_deleted_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_event_changes(array_agg(id), array_agg(url_id), array_agg(user_id), array_agg(event_type::text),
                                array_agg("timestamp"::date),
                                array_agg(rollup_referrer_id(details, short_code_id, referrer_id)),
                                array_agg(-1))
    FROM old_events;
    RETURN NULL;
END
$$;
