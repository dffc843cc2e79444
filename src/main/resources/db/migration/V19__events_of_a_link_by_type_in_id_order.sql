-- A link's events of one type other than click, in id order (GET /events?url_id=..&event_type=created):
-- V18's index found them but not in id order, so the planner walked the link's events by id and
-- read every click of a busy link to find them (364 ms for a link with 211,000 clicks, 0.05 ms
-- with this index; bench/RESULTS.md; the query names event_type <> 'click' as a literal so that a
-- generic plan can use it). The same index still counts them (ADR 0017) and still leaves clicks out. Built concurrently; a failed build left an invalid index behind, which a second run
-- drops first.
DROP INDEX CONCURRENTLY IF EXISTS events_url_other_type_id_idx;
CREATE INDEX CONCURRENTLY events_url_other_type_id_idx ON events (url_id, event_type, id)
    WHERE event_type <> 'click';
DROP INDEX CONCURRENTLY IF EXISTS events_url_other_type_idx;
