-- The exact count of one link's events is its clicks from the click_counts rollup plus its other
-- events (created, updated, deleted, client types), counted through this index without visiting
-- its clicks (ADR 0017). Clicks are left out of it, so the click path does not pay for it. Built
-- concurrently, so running instances keep writing while it builds; a build that failed left an
-- invalid index behind, which a second run drops first.
DROP INDEX CONCURRENTLY IF EXISTS events_url_other_type_idx;
CREATE INDEX CONCURRENTLY events_url_other_type_idx ON events (url_id, event_type)
    WHERE event_type <> 'click';
