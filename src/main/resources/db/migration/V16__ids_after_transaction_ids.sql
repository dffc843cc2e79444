-- Pages by cursor stop at a horizon below which no running transaction holds an id (ADR 0016).
-- It is sound only if a transaction has its transaction id before it takes an id: PostgreSQL
-- assigns one at the first row written, after the column defaults, so these defaults ask for it
-- first (pg_current_xact_id() is never null; the CASE orders the two calls). And a sequence must
-- hand out its values in the order they are taken: no values cached per session.
ALTER TABLE users ALTER COLUMN id
    SET DEFAULT CASE WHEN pg_current_xact_id() IS NOT NULL THEN nextval('users_id_seq'::regclass) END;
ALTER TABLE urls ALTER COLUMN id
    SET DEFAULT CASE WHEN pg_current_xact_id() IS NOT NULL THEN nextval('urls_id_seq'::regclass) END;
ALTER TABLE events ALTER COLUMN id
    SET DEFAULT CASE WHEN pg_current_xact_id() IS NOT NULL THEN nextval('events_id_seq'::regclass) END;
ALTER SEQUENCE users_id_seq CACHE 1;
ALTER SEQUENCE urls_id_seq CACHE 1;
ALTER SEQUENCE events_id_seq CACHE 1;
