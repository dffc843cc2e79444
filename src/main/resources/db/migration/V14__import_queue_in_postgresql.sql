-- Import chunks are queued in PostgreSQL alone (the Redis stream that carried their ids is gone):
-- a worker leases the oldest pending chunk of its queue that nobody holds, renews the lease while
-- it works, and a chunk whose lease ran out (its worker died) is taken by the next worker that
-- looks. Chunks of synchronous jobs are run by the uploading request and leased by nobody; workers
-- take them only once the job's heartbeat stops.
ALTER TABLE import_jobs ADD COLUMN queue varchar(64) NOT NULL DEFAULT 'import';
ALTER TABLE import_chunks ADD COLUMN leased_until timestamp(3);
