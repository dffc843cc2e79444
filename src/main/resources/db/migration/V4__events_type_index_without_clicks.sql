-- Clicks are nearly every row of events and arrive one per redirect, so every index on events is
-- paid for by every redirect (ADR 0002). The event_type index now leaves clicks out: a filter on a
-- rare type (created, updated, deleted, client types) still finds its rows through it, and a filter
-- on event_type = 'click' walks the primary key, where clicks are the common case.
-- Built concurrently (outside a transaction), so running instances keep writing while it builds.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_other_type_idx ON events (event_type, id) WHERE event_type <> 'click';
DROP INDEX CONCURRENTLY IF EXISTS events_event_type_idx;
