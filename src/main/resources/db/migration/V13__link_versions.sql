-- Every state of a short code gets a version, so the caches can refuse a copy older than the one
-- they hold (ADR 0008). One sequence for all links: a code deleted and created again continues
-- from a higher version. Existing rows start at 0 without rewriting the table.
CREATE SEQUENCE link_versions;
ALTER TABLE urls ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE urls ALTER COLUMN version SET DEFAULT nextval('link_versions');

-- Any update of a link, from the API, an import or by hand, is a new version.
CREATE FUNCTION next_link_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('link_versions');
    RETURN NEW;
END
$$;
CREATE TRIGGER urls_next_version BEFORE UPDATE ON urls FOR EACH ROW EXECUTE FUNCTION next_link_version();
