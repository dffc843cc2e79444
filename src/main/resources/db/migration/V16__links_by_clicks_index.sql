-- The links page's "most clicked" order (one owner's links by total, then newest), paged by keyset.
-- Built without blocking writes, as V10 does; it runs outside a transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS urls_user_clicks_idx ON urls (user_id, clicks DESC, id DESC);
