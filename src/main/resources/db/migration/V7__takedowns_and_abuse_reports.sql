-- Links an admin took down: they answer 410 until unblocked, whatever their owner does.
CREATE TABLE link_blocks (
    url_id      bigint PRIMARY KEY REFERENCES urls (id) ON DELETE CASCADE,
    reason      varchar(500) NOT NULL,
    actor       varchar(64)  NOT NULL,
    blocked_at  timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

-- Reports of abuse from anyone; admins resolve them. They outlive the link they name.
CREATE TABLE abuse_reports (
    id           bigserial PRIMARY KEY,
    short_code   varchar(32)   NOT NULL,
    url_id       bigint,
    reason       varchar(1000) NOT NULL,
    contact      varchar(254),
    reporter     varchar(64)   NOT NULL,
    created_at   timestamp(0)  NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    resolved_at  timestamp(0),
    resolution   varchar(500),
    resolved_by  varchar(64)
);
CREATE INDEX abuse_reports_open_idx ON abuse_reports (id) WHERE resolved_at IS NULL;
