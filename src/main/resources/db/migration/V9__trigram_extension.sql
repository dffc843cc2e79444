-- Trigram matching for the links page's search (pg_trgm ships with PostgreSQL and is a trusted
-- extension: the database's owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
