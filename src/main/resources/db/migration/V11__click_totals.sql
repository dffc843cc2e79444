-- The links page sorts a person's links by clicks. Summing the click_counts rollup of each of an
-- account's 100,000 links on every page view cannot meet its 50 ms budget, so each link has a running
-- total next to its owner, and a page in that order is a range of one index. Every link gets its row
-- when it is created; the events trigger adds clicks; the owner follows the link (an owner's deletion
-- sets it to null). Clicks of an unknown link id get a row without owner, as click_counts keeps them.
CREATE TABLE click_totals (
    url_id   bigint PRIMARY KEY,
    user_id  bigint,
    clicks   bigint NOT NULL DEFAULT 0
);
CREATE INDEX click_totals_owner_clicks_idx ON click_totals (user_id, clicks, url_id);

-- No click or link may be written between the backfill and the new triggers; this blocks writers of
-- both tables (not readers, not redirects) while it runs, about a second per million links.
LOCK TABLE urls, events IN SHARE ROW EXCLUSIVE MODE;

CREATE OR REPLACE FUNCTION count_clicks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- sorted, so concurrent writers lock the same rows in the same order
    INSERT INTO click_counts AS counted (url_id, day, referrer, clicks)
    SELECT url_id, "timestamp"::date, coalesce(details ->> 'referrer', ''), count(*)
    FROM new_events
    WHERE event_type = 'click'
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (url_id, day, referrer) DO UPDATE SET clicks = counted.clicks + excluded.clicks;
    INSERT INTO click_totals AS total (url_id, clicks)
    SELECT url_id, count(*)
    FROM new_events
    WHERE event_type = 'click'
    GROUP BY 1
    ORDER BY 1
    ON CONFLICT (url_id) DO UPDATE SET clicks = total.clicks + excluded.clicks;
    RETURN NULL;
END
$$;

CREATE FUNCTION total_new_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO click_totals AS total (url_id, user_id)
    SELECT id, user_id FROM new_urls ORDER BY id
    ON CONFLICT (url_id) DO UPDATE SET user_id = excluded.user_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER urls_total_new_links
    AFTER INSERT ON urls
    REFERENCING NEW TABLE AS new_urls
    FOR EACH STATEMENT EXECUTE FUNCTION total_new_links();

CREATE FUNCTION total_owner_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE click_totals SET user_id = NEW.user_id WHERE url_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER urls_total_owner_change
    AFTER UPDATE OF user_id ON urls
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION total_owner_change();

CREATE FUNCTION total_deleted_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM click_totals WHERE url_id IN (SELECT id FROM old_urls);
    RETURN NULL;
END
$$;

CREATE TRIGGER urls_total_deleted_links
    AFTER DELETE ON urls
    REFERENCING OLD TABLE AS old_urls
    FOR EACH STATEMENT EXECUTE FUNCTION total_deleted_links();

INSERT INTO click_totals (url_id, user_id, clicks)
SELECT coalesce(u.id, c.url_id), u.user_id, coalesce(c.clicks, 0)
FROM urls u
FULL JOIN (SELECT url_id, sum(clicks) AS clicks FROM click_counts GROUP BY url_id) c ON c.url_id = u.id;
