-- The exact count of one user's events is their clicks from the click_counts rollup (V21) plus
-- their other events, counted through this index without visiting their clicks (ADR 0017), as
-- V18's index does for a link. Clicks are left out of it, so the click path does not pay for it.
-- Built concurrently, so running instances keep writing while it builds. The build waits for the
-- transactions under way (an import chunk can last a minute) within the migration's lock timeout;
-- one that failed leaves an invalid index and a failed migration: after `flyway repair`, the next
-- run drops the index first.
DROP INDEX CONCURRENTLY IF EXISTS events_user_other_type_idx;
CREATE INDEX CONCURRENTLY events_user_other_type_idx ON events (user_id, event_type)
    WHERE event_type <> 'click';
