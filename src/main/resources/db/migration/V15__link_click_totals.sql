-- The links page sorts by clicks (ADR 0006): it needs a total per link that an index can order.
-- Adding each batch's clicks to such a total inside the click trigger doubled the cost of a stored
-- click, so the trigger only appends each statement's per-link counts to an unindexed queue, and
-- the application folds the queue into urls.clicks every few seconds (ClickTotals). A queue row is
-- deleted in the transaction that adds it to its link, and a row committed late is simply left for
-- a later fold, so every click is counted once and no cursor is needed.

-- No writer may store clicks while the totals are seeded below, or they would be counted twice.
LOCK TABLE click_counts IN SHARE MODE;

CREATE TABLE click_totals_queue (
    url_id bigint NOT NULL,
    clicks bigint NOT NULL
);

ALTER TABLE urls ADD COLUMN clicks bigint NOT NULL DEFAULT 0;

-- A fold changes only the total, which is not part of what a link redirects to: it takes no new
-- version (ADR 0008), so caches keep their copies.
DROP TRIGGER urls_next_version ON urls;
CREATE TRIGGER urls_next_version BEFORE UPDATE ON urls FOR EACH ROW
    WHEN (OLD.clicks IS NOT DISTINCT FROM NEW.clicks)
    EXECUTE FUNCTION next_link_version();

CREATE OR REPLACE FUNCTION count_clicks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH counted AS (
        SELECT url_id, "timestamp"::date AS day, coalesce(details ->> 'referrer', '') AS referrer,
               count(*) AS clicks
        FROM new_events
        WHERE event_type = 'click'
        GROUP BY 1, 2, 3
    ), queued AS (
        INSERT INTO click_totals_queue (url_id, clicks)
        SELECT url_id, sum(clicks) FROM counted GROUP BY url_id
    )
    -- sorted, so concurrent writers lock the same rows in the same order
    INSERT INTO click_counts AS counted_before (url_id, day, referrer, clicks)
    SELECT url_id, day, referrer, clicks FROM counted
    ORDER BY 1, 2, 3
    ON CONFLICT (url_id, day, referrer) DO UPDATE SET clicks = counted_before.clicks + excluded.clicks;
    RETURN NULL;
END
$$;

-- Existing clicks reach the totals through the queue too, folded in batches once the
-- application runs, instead of rewriting every link inside this migration.
INSERT INTO click_totals_queue (url_id, clicks)
SELECT url_id, sum(clicks) FROM click_counts GROUP BY url_id;
