-- Timestamps are UTC wall-clock values with second precision, as the API writes them.

CREATE TABLE users (
    id          bigserial PRIMARY KEY,
    username    varchar(64)  NOT NULL,
    email       varchar(254) NOT NULL,
    created_at  timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
-- Real data repeats usernames; only the e-mail address is unique, ignoring case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE urls (
    id            bigserial PRIMARY KEY,
    user_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    short_code    varchar(32)   NOT NULL,
    original_url  varchar(2048) NOT NULL,
    title         varchar(255),
    is_active     boolean       NOT NULL DEFAULT true,
    created_at    timestamp(0)  NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at    timestamp(0)  NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE UNIQUE INDEX urls_short_code_key ON urls (short_code);
CREATE INDEX urls_user_id_idx ON urls (user_id, id);
CREATE INDEX urls_is_active_idx ON urls (is_active, id);

-- An append-only log. No foreign keys: history outlives the link and the user it speaks of.
CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    url_id      bigint       NOT NULL,
    user_id     bigint,
    event_type  varchar(64)  NOT NULL,
    "timestamp" timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    details     jsonb        NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX events_url_id_idx ON events (url_id, id);
CREATE INDEX events_user_id_idx ON events (user_id, id);
CREATE INDEX events_event_type_idx ON events (event_type, id);
