-- Domains admins blocked through the API (BLOCKLIST_FILE adds more); subdomains are blocked too.
CREATE TABLE blocked_domains (
    domain      varchar(253) PRIMARY KEY,
    reason      varchar(500),
    created_at  timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
