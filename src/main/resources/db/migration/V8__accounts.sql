-- People sign in to the web application with a password: only an Argon2id hash is kept. Users
-- created through the API or an import have none until they follow an invitation or reset link.
-- Constant defaults and nullable columns: adding them rewrites no row.
ALTER TABLE users ADD COLUMN password_hash varchar(255);
ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false;

-- One-time links that let a person set a password: an invitation (new account) or a reset.
-- Only a SHA-256 hash of the token is kept, as for API keys.
CREATE TABLE account_links (
    id          bigserial PRIMARY KEY,
    user_id     bigint       NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     varchar(16)  NOT NULL,
    token_hash  bytea        NOT NULL,
    created_by  varchar(64)  NOT NULL,
    created_at  timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    expires_at  timestamp(0) NOT NULL,
    used_at     timestamp(0)
);
CREATE UNIQUE INDEX account_links_token_hash_key ON account_links (token_hash);
CREATE INDEX account_links_user_id_idx ON account_links (user_id);
