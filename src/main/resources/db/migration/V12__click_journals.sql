-- How far each instance's click journal has been loaded into events (ADR 0002). The position is
-- moved in the same transaction as the COPY of the clicks before it, so a batch whose COMMIT
-- answer was lost, or a journal replayed after a crash, is stored once.
CREATE TABLE click_journals (
    id          uuid        PRIMARY KEY,
    segment     bigint      NOT NULL,
    byte_offset bigint      NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now()
);
