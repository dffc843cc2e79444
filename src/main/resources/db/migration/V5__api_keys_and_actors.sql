-- API keys: only a SHA-256 hash of the secret is kept, with a short visible prefix that
-- identifies a key in lists and narrows the lookup. A user's keys go with the user.
CREATE TABLE api_keys (
    id            bigserial PRIMARY KEY,
    user_id       bigint REFERENCES users (id) ON DELETE CASCADE,
    name          varchar(100) NOT NULL,
    prefix        varchar(16)  NOT NULL,
    secret_hash   bytea        NOT NULL,
    scopes        text[]       NOT NULL,
    created_at    timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    last_used_at  timestamp(0),
    expires_at    timestamp(0),
    revoked_at    timestamp(0)
);
CREATE UNIQUE INDEX api_keys_secret_hash_key ON api_keys (secret_hash);
CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);
CREATE INDEX api_keys_user_id_idx ON api_keys (user_id, id);

-- Who changed a link: "key:<id>", "user:<id>" (a browser session) or "anonymous" (open mode).
-- Nullable without a default, so adding it rewrites no row of a large events table.
ALTER TABLE events ADD COLUMN actor varchar(64);
