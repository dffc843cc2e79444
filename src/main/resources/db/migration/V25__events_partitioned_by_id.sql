-- events as a table partitioned by ranges of id (ADR 0020). The application attaches each month's
-- partition ahead of time and moves the id sequence to it when the month begins; retention
-- (EVENTS_RETENTION) detaches and drops whole partitions. The table stored so far becomes the
-- first partition, as it is: V24 validated its bound, so the attach below skips its scan, and its
-- indexes become the partitioned ones'. Nothing is copied: the lock is held for catalog changes.

-- Every reader and writer of events queues behind this lock while it waits, so it waits briefly:
-- behind a long transaction (an import chunk) the migration fails, the instance does not start,
-- and its next start tries again. Taken first, before anything else is locked.
SET LOCAL lock_timeout = '2s';
LOCK TABLE events IN ACCESS EXCLUSIVE MODE;

ALTER TABLE events RENAME TO events_first;
ALTER TABLE events_first RENAME CONSTRAINT events_pkey TO events_first_pkey;
ALTER INDEX events_url_id_idx RENAME TO events_first_url_id_idx;
ALTER INDEX events_user_id_idx RENAME TO events_first_user_id_idx;
ALTER INDEX events_other_type_idx RENAME TO events_first_other_type_idx;
ALTER INDEX events_url_other_type_id_idx RENAME TO events_first_url_other_type_id_idx;
ALTER INDEX events_user_other_type_idx RENAME TO events_first_user_other_type_idx;
-- V1's events_event_type_idx was dropped by V4; V18's events_url_other_type_idx by V19
DROP TRIGGER events_count_clicks ON events_first;
DROP TRIGGER events_tally ON events_first;
DROP TRIGGER events_recount_updated ON events_first;
DROP TRIGGER events_recount_deleted ON events_first;
DROP TRIGGER events_empty_counts ON events_first;

-- the id's default (V16) and the column types come along; the first partition's bound does not
CREATE TABLE events (LIKE events_first INCLUDING DEFAULTS) PARTITION BY RANGE (id);
ALTER SEQUENCE events_id_seq OWNED BY events.id;
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id);
CREATE INDEX events_url_id_idx ON events (url_id, id);
CREATE INDEX events_user_id_idx ON events (user_id, id);
CREATE INDEX events_other_type_idx ON events (event_type, id) WHERE event_type <> 'click';
CREATE INDEX events_url_other_type_id_idx ON events (url_id, event_type, id) WHERE event_type <> 'click';
CREATE INDEX events_user_other_type_idx ON events (user_id, event_type) WHERE event_type <> 'click';

-- the statement triggers of V2 and V17 (their functions as V21 left them), now on the parent:
-- a statement through events fires them for the rows of every partition it touches
CREATE TRIGGER events_count_clicks AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION count_clicks();
CREATE TRIGGER events_tally AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION tally_events();
CREATE TRIGGER events_recount_updated AFTER UPDATE ON events
    REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION recount_updated_events();
CREATE TRIGGER events_recount_deleted AFTER DELETE ON events
    REFERENCING OLD TABLE AS old_events FOR EACH STATEMENT EXECUTE FUNCTION recount_deleted_events();
CREATE TRIGGER events_empty_counts AFTER TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION empty_event_counts();

DO $$
BEGIN
    EXECUTE format('ALTER TABLE events ATTACH PARTITION events_first FOR VALUES FROM (MINVALUE) TO (%s)',
                   (SELECT (regexp_match(pg_get_constraintdef(oid), '(\d+)'))[1]
                    FROM pg_constraint WHERE conname = 'events_first_bound'));
END
$$;
ALTER TABLE events_first DROP CONSTRAINT events_first_bound;

-- The clicks of dropped partitions stay in the click rollup, which statistics read; the exact
-- counts of a link's or a user's events subtract them (ADR 0017, 0020).
CREATE TABLE dropped_clicks (
    url_id   bigint NOT NULL,
    user_id  bigint,
    clicks   bigint NOT NULL
);
CREATE UNIQUE INDEX dropped_clicks_key ON dropped_clicks (url_id, user_id) NULLS NOT DISTINCT;
CREATE INDEX dropped_clicks_user_idx ON dropped_clicks (user_id) WHERE user_id IS NOT NULL;

CREATE OR REPLACE FUNCTION empty_event_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM event_tallies;
    DELETE FROM click_counts;
    DELETE FROM dropped_clicks;
    DELETE FROM click_totals_queue;
    UPDATE link_click_totals SET clicks = 0 WHERE clicks <> 0;
    RETURN NULL;
END
$$;
