-- The fold read its range of events twice (V30): once to add the referrers of wide clicks to the
-- dictionary, once to count. The service's clicks are narrow and hold their texts' ids already, so it
-- now counts in one read, and reads the range again only for wide clicks whose referrer has no id
-- yet (an import, POST /events, a journal's legacy records), after adding those texts (ADR 0018).

-- Room on each page for the next version of a row the fold updates, so that most updates stay on
-- their page and add no index entry (HOT). New pages only: existing ones fill as they are rewritten.
ALTER TABLE click_counts SET (fillfactor = 70);

CREATE OR REPLACE FUNCTION count_stored_clicks(after bigint, upto bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    texts_to_add text[];
BEGIN
    WITH counted AS (
        SELECT url_id, day,
               CASE WHEN wide THEN wide_referrer_id ELSE nullif(referrer_id, (SELECT click_text_id(''))) END AS referrer_id,
               -- a wide click's referrer that the dictionary does not hold yet: counted below
               CASE WHEN wide AND wide_referrer_id IS NULL THEN wide_referrer END AS unknown_referrer,
               user_id, count(*) AS clicks
        -- OFFSET 0 keeps the subquery apart, so that each row's shape is tested, and a wide row's
        -- referrer looked up (as rollup_referrer_id does), once
        FROM (SELECT url_id, day, user_id, referrer_id, wide, wide_referrer,
                     CASE WHEN wide THEN click_text_id(wide_referrer) END AS wide_referrer_id
              FROM (SELECT url_id, "timestamp"::date AS day, user_id, referrer_id,
                           short_code_id IS NULL OR details <> '{}' AS wide,
                           -- null for a narrow row: its details are {}
                           nullif(details ->> 'referrer', '') AS wide_referrer
                    FROM events
                    WHERE id > after AND id <= upto AND event_type = 'click'
                    OFFSET 0) shaped
              OFFSET 0) clicks
        GROUP BY 1, 2, 3, 4, 5
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks)
        SELECT url_id, sum(clicks) FROM counted WHERE unknown_referrer IS NULL GROUP BY url_id
    ), upserted AS (
        INSERT INTO click_counts AS counted_before (url_id, day, referrer_id, user_id, clicks)
        SELECT url_id, day, referrer_id, user_id, clicks FROM counted
        WHERE unknown_referrer IS NULL
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (url_id, day, referrer_id, user_id) DO UPDATE SET clicks = counted_before.clicks + excluded.clicks
    )
    SELECT array_agg(DISTINCT unknown_referrer) INTO texts_to_add FROM counted WHERE unknown_referrer IS NOT NULL;
    IF texts_to_add IS NULL THEN
        RETURN;
    END IF;
    -- statements of their own, so that the count sees the texts added here and by others meanwhile;
    -- a text whose md5 another holds stays without an id and is rolled up as no referrer, as in V30.
    -- Into the rollup and the totals queue as the triggers' few rows go (V30).
    PERFORM add_click_texts(texts_to_add);
    PERFORM add_click_counts(array_agg(url_id), array_agg(day), array_agg(referrer_id), array_agg(user_id),
                             array_agg(clicks))
    FROM (SELECT url_id, "timestamp"::date AS day, rollup_referrer_id(details, short_code_id, referrer_id) AS referrer_id,
                 user_id, count(*) AS clicks
          FROM events
          WHERE id > after AND id <= upto AND event_type = 'click' AND (short_code_id IS NULL OR details <> '{}')
            -- a set, not an array: a generic plan compares each row with every element of an array
            AND nullif(details ->> 'referrer', '') IN (SELECT unnest(texts_to_add))
          GROUP BY 1, 2, 3, 4) new_texts;
END
$$;

-- A span of ids no larger than the most a fold may take holds no more events than that: the scan
-- that finds where to stop (V29) is needed only past it.
CREATE OR REPLACE FUNCTION fold_clicks(horizon bigint, most bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
    upto bigint;
BEGIN
    PERFORM set_config('lock_timeout', '100ms', true);
    PERFORM pg_advisory_xact_lock(click_fold_lock());
    SELECT folded_id INTO folded FROM click_fold FOR UPDATE;
    IF horizon - folded > most THEN
        SELECT id INTO upto FROM events WHERE id > folded AND id <= horizon ORDER BY id OFFSET most - 1 LIMIT 1;
    END IF;
    upto := coalesce(upto, horizon);
    IF upto <= folded THEN
        RETURN folded;
    END IF;
    PERFORM count_stored_clicks(folded, upto);
    UPDATE click_fold SET folded_id = upto;
    RETURN upto;
END
$$;
