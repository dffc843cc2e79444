-- The index on (user_id, id) took every click, a btree entry per stored click: the largest single
-- share of PostgreSQL's work per click left once clicks are narrow and folded (ADR 0018, open
-- problem 6). A user's clicks are now found link by link, through the links the click rollup holds
-- for the user (its user index) and the clicks not folded yet, and each link's clicks through
-- (url_id, id); a user's other events through events_user_other_type_idx, which leaves clicks out
-- (V22). Counts by user come from the rollup already (ADR 0017).

-- Dropping a partitioned index locks events; its writers are waited for briefly, as in V25 and V29.
SET LOCAL lock_timeout = '2s';
DROP INDEX events_user_id_idx;
