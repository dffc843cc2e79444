-- Passkeys (WebAuthn), in the tables and columns Spring Security's JDBC repositories use
-- (JdbcPublicKeyCredentialUserEntityRepository, JdbcUserCredentialRepository). A user entity's name
-- is the account's id as text; the account owns it, so deleting the account deletes its passkeys.
-- Ids are text: a credential id may take 1,023 bytes (1,364 characters in base64url).
CREATE TABLE user_entities (
    id            text          PRIMARY KEY,
    name          varchar(100)  NOT NULL UNIQUE,
    display_name  text,
    user_id       bigint GENERATED ALWAYS AS (name::bigint) STORED NOT NULL
                  REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE user_credentials (
    credential_id                 text          PRIMARY KEY,
    user_entity_user_id           text          NOT NULL REFERENCES user_entities (id) ON DELETE CASCADE,
    public_key                    bytea         NOT NULL,
    signature_count               bigint,
    uv_initialized                boolean,
    backup_eligible               boolean       NOT NULL,
    authenticator_transports      varchar(1000),
    public_key_credential_type    varchar(100),
    backup_state                  boolean       NOT NULL,
    attestation_object            bytea,
    attestation_client_data_json  bytea,
    created                       timestamp,
    last_used                     timestamp,
    label                         varchar(1000) NOT NULL
);
CREATE INDEX user_credentials_user_entity_idx ON user_credentials (user_entity_user_id);
