-- Link statistics read only click events of one link: partial indexes keep them small and let the
-- count and the per-day histogram run as index-only scans, the referrer ranking as an index scan.
CREATE INDEX events_clicks_by_url_time_idx ON events (url_id, "timestamp") WHERE event_type = 'click';
CREATE INDEX events_clicks_by_url_referrer_idx ON events (url_id, (details ->> 'referrer')) WHERE event_type = 'click';
