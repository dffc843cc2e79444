-- A link can arrive after its clicks: an events file imported before its urls file, or a link
-- imported again under the id of a deleted one. Its statistics count those clicks (click_counts is
-- kept by link id), but V15's trigger started its total at 0 and the fold had dropped their queue
-- rows, so the links page showed and sorted it by fewer clicks. A new link now starts from the
-- rollup, and takes its queue rows off the queue in the same statement (one snapshot: a click is
-- in both or in neither), so that the fold does not add them again.

-- Counted again below with the queue emptied: click writers wait (their clicks in the journals),
-- link writers too, as in V15.
LOCK TABLE urls IN SHARE MODE;
LOCK TABLE events IN SHARE MODE;

-- The import turns hash joins off for its statements (ChunkLoader); the one here joins the small
-- unindexed queue, which a nested loop would read once per new link.
CREATE OR REPLACE FUNCTION add_link_totals() RETURNS trigger LANGUAGE plpgsql SET enable_hashjoin = on AS $$
DECLARE
    lowest bigint;
    highest bigint;
    clicked boolean;
BEGIN
    SELECT min(id), max(id) INTO lowest, highest FROM new_urls;
    -- A link created by the API, or imported before its clicks, has no rollup rows: one index probe,
    -- and the queue is not read.
    clicked := EXISTS (SELECT 1 FROM click_counts WHERE url_id BETWEEN lowest AND highest);
    WITH dequeued AS (
        DELETE FROM click_totals_queue q USING new_urls n WHERE clicked AND q.url_id = n.id
    )
    INSERT INTO link_click_totals (url_id, user_id, clicks)
    SELECT n.id, n.user_id,
           CASE WHEN clicked THEN coalesce((SELECT sum(c.clicks) FROM click_counts c WHERE c.url_id = n.id), 0)
                ELSE 0 END
    FROM new_urls n ORDER BY n.id
    ON CONFLICT (url_id) DO UPDATE SET user_id = excluded.user_id, clicks = excluded.clicks;
    RETURN NULL;
END
$$;

-- Totals that the old trigger started at 0.
DELETE FROM click_totals_queue;
UPDATE link_click_totals t SET clicks = counted.clicks
FROM (SELECT l.url_id, coalesce(sum(c.clicks), 0) AS clicks
      FROM link_click_totals l LEFT JOIN click_counts c USING (url_id)
      GROUP BY l.url_id) counted
WHERE counted.url_id = t.url_id AND t.clicks <> counted.clicks;
