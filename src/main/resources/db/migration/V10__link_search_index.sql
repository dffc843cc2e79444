-- The links page searches a person's links by code, title or target anywhere in the text. Without
-- an index that is a scan of all their links (about 100 ms for 100,000 links); with this one a
-- search for a rare term takes a few milliseconds. It costs link writes: a bulk insert of urls takes
-- several times longer (redirects and click writes are untouched). Built concurrently, so running
-- instances keep writing while it builds; LinkListing uses the same expression.
CREATE INDEX CONCURRENTLY IF NOT EXISTS urls_search_trgm_idx ON urls
    USING gin ((short_code || ' ' || coalesce(title, '') || ' ' || original_url) gin_trgm_ops);
