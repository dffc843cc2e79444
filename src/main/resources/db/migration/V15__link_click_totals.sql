-- The links page sorts by clicks (ADR 0006): it needs a total per link that an index can order.
-- Adding each batch's clicks to such a total inside the click trigger doubled the cost of a stored
-- click, so the trigger only appends each statement's per-link counts to an unindexed queue, and
-- the application folds the queue into link_click_totals every few seconds (ClickTotals). A queue
-- row is deleted in the transaction that adds it to its link, and a row committed late is simply
-- left for a later fold, so every click is counted once and no cursor is needed.

-- No writer may store clicks while the totals are seeded below, or they would be counted twice.
LOCK TABLE click_counts IN SHARE MODE;

CREATE TABLE click_totals_queue (
    url_id bigint NOT NULL,
    clicks bigint NOT NULL
);

-- A row per clicked link, with its owner as of the last fold. Apart from urls, so that a fold
-- writes two narrow index entries per link: folding into a column of urls rewrote each clicked
-- link's row and all five urls indexes (a trigram one among them), which in the redirect
-- benchmark left PostgreSQL so busy that 97 % of redirects were paced instead of 15 %.
CREATE TABLE link_click_totals (
    url_id  bigint PRIMARY KEY,
    user_id bigint,
    clicks  bigint NOT NULL
);
CREATE INDEX link_click_totals_owner_idx ON link_click_totals (user_id, clicks DESC, url_id DESC);

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

-- Existing clicks reach the totals through the queue too, folded in batches once the application
-- runs, instead of inside this migration.
INSERT INTO click_totals_queue (url_id, clicks)
SELECT url_id, sum(clicks) FROM click_counts GROUP BY url_id;
