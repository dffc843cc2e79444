-- Link changes Redis did not take while it could not be reached (ADR 0008). An instance kept them
-- in memory only, so when it stopped before Redis answered again, Redis's copy from before the
-- change went on serving other instances until its TTL (REDIRECT_REDIS_TTL, an hour). Kept here
-- too, any instance delivers them once Redis answers it. One row per code: its newest change.
CREATE TABLE undelivered_link_changes (
    code       text   PRIMARY KEY,
    version    bigint NOT NULL,
    rank       int    NOT NULL,
    changed_at bigint NOT NULL
);
