-- Autovacuum analyzes partitions but never a partitioned table: the statistics of events as a
-- whole, which plans that join it use, come from ANALYZE alone. A sample of rows, under a lock
-- that writers do not wait for; EventPartitions analyzes again after each attach and drop (ADR 0020).
ANALYZE events;
