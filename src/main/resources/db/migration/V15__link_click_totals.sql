-- The links page sorts by clicks (ADR 0006): it needs a total per link that an index can order.
-- Adding each batch's clicks to such a total inside the click trigger doubled the cost of a stored
-- click, so the trigger only appends each statement's per-link counts to an unindexed queue, and
-- the application folds the queue into link_click_totals every few seconds (ClickTotals). A queue
-- row is deleted in the transaction that adds it to its link, and a row committed late is simply
-- left for a later fold, so every click is counted once and no cursor is needed.

-- Link writers first, then click writers (a link's creation writes its event after it): every
-- writer already under way finishes and is counted below, every later one waits for this
-- migration and then runs the new triggers. Clicks wait in the instances' journals meanwhile.
LOCK TABLE urls IN SHARE MODE;
LOCK TABLE events IN SHARE MODE;

CREATE TABLE click_totals_queue (
    url_id bigint NOT NULL,
    clicks bigint NOT NULL
);

-- A row per link, with its owner, kept by the triggers on urls below. Apart from urls, so that a
-- fold rewrites two narrow index entries per clicked link: folding into a column of urls rewrote
-- each clicked link's row and all five urls indexes (a trigram one among them), which in the
-- redirect benchmark left PostgreSQL so busy that 97 % of redirects were paced instead of 15 %.
CREATE TABLE link_click_totals (
    url_id  bigint PRIMARY KEY,
    user_id bigint,
    clicks  bigint NOT NULL
);

INSERT INTO link_click_totals (url_id, user_id, clicks)
SELECT u.id, u.user_id, coalesce(counted.clicks, 0)
FROM urls u
LEFT JOIN (SELECT url_id, sum(clicks) AS clicks FROM click_counts GROUP BY url_id) counted ON counted.url_id = u.id;

CREATE INDEX link_click_totals_owner_idx ON link_click_totals (user_id, clicks DESC, url_id DESC);

CREATE FUNCTION add_link_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO link_click_totals (url_id, user_id, clicks)
    SELECT id, user_id, 0 FROM new_urls ORDER BY id
    ON CONFLICT (url_id) DO UPDATE SET user_id = excluded.user_id, clicks = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER urls_add_link_totals AFTER INSERT ON urls
    REFERENCING NEW TABLE AS new_urls
    FOR EACH STATEMENT EXECUTE FUNCTION add_link_totals();

CREATE FUNCTION drop_link_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM link_click_totals t USING old_urls o WHERE t.url_id = o.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER urls_drop_link_totals AFTER DELETE ON urls
    REFERENCING OLD TABLE AS old_urls
    FOR EACH STATEMENT EXECUTE FUNCTION drop_link_totals();

-- An import may give a link another owner.
CREATE FUNCTION move_link_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE link_click_totals SET user_id = NEW.user_id WHERE url_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER urls_move_link_totals AFTER UPDATE OF user_id ON urls
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION move_link_totals();

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
