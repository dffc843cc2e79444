-- Import jobs. An upload is stored here, split into chunks of CSV records, before it is accepted;
-- Redis only carries the chunk ids to the workers, so a lost stream is rebuilt from this table.

CREATE TABLE import_jobs (
    id             bigserial PRIMARY KEY,
    entity         varchar(16)  NOT NULL CHECK (entity IN ('users', 'urls', 'events')),
    -- sync: the uploader waits and its request runs the chunks; async: workers run them
    mode           varchar(8)   NOT NULL CHECK (mode IN ('sync', 'async')),
    state          varchar(16)  NOT NULL DEFAULT 'receiving'
                   CHECK (state IN ('receiving', 'queued', 'running', 'completed', 'failed')),
    file_name      varchar(255),
    file_size      bigint,
    -- the header record (column names, normalized), CSV-encoded
    header         text         NOT NULL,
    rows_total     bigint       NOT NULL DEFAULT 0,
    rows_imported  bigint       NOT NULL DEFAULT 0,
    rows_failed    bigint       NOT NULL DEFAULT 0,
    -- grows with every change of the row; the id of the job's progress events
    version        bigint       NOT NULL DEFAULT 1,
    error          text,
    created_at     timestamp(3) NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'utc'),
    received_at    timestamp(3),
    started_at     timestamp(3),
    finished_at    timestamp(3),
    -- moved by every stored or processed chunk; a job whose heartbeat stops is recovered
    heartbeat_at   timestamp(3) NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'utc')
);
CREATE INDEX import_jobs_unfinished_idx ON import_jobs (heartbeat_at)
    WHERE state IN ('receiving', 'queued', 'running');

-- The unit of work. A chunk is done (its rows applied and its failures recorded in the same
-- transaction), or split into two halves after too many failed attempts; a delivery of a chunk
-- that is no longer pending changes nothing, so redelivered chunks never apply rows twice.
CREATE TABLE import_chunks (
    id          bigserial PRIMARY KEY,
    job_id      bigint       NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    parent_id   bigint,
    first_line  bigint       NOT NULL,
    rows        int          NOT NULL,
    -- CSV records, each prefixed by the physical line of the file it starts on
    content     bytea        NOT NULL,
    state       varchar(8)   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'split')),
    attempts    int          NOT NULL DEFAULT 0,
    last_error  text,
    imported    int,
    failed      int,
    finished_at timestamp(3)
);
-- Chunks are written once and read once or twice: compressing them costs more than it saves.
ALTER TABLE import_chunks ALTER COLUMN content SET STORAGE EXTERNAL;
CREATE INDEX import_chunks_pending_idx ON import_chunks (job_id, id) WHERE state = 'pending';

-- Every row of a job that was not imported. Dead letters are the ones nobody was told about yet
-- (rows of asynchronous jobs); rows refused in a synchronous answer are kept for the record only.
CREATE TABLE import_failures (
    id          bigserial PRIMARY KEY,
    job_id      bigint       NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    line        bigint       NOT NULL,
    -- the record as CSV (without line break at the end); null when the file stopped being CSV there
    raw_row     text,
    reason      text         NOT NULL,
    dead        boolean      NOT NULL,
    replays     int          NOT NULL DEFAULT 0,
    created_at  timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    replayed_at timestamp(0)
);
CREATE INDEX import_failures_job_idx ON import_failures (job_id, line);
CREATE INDEX import_failures_dead_idx ON import_failures (id) WHERE dead;
