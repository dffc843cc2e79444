-- Passkeys (WebAuthn), in the tables and columns Spring Security's JDBC repositories use
-- (JdbcPublicKeyCredentialUserEntityRepository, JdbcUserCredentialRepository). A user entity's name
-- is the account's id as text; the account owns it, so deleting the account deletes its passkeys.
CREATE TABLE user_entities (
    id            varchar(1000) PRIMARY KEY,
    name          varchar(100)  NOT NULL UNIQUE,
    display_name  varchar(200),
    user_id       bigint GENERATED ALWAYS AS (name::bigint) STORED NOT NULL
                  REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE user_credentials (
    credential_id                 varchar(1000) PRIMARY KEY,
    user_entity_user_id           varchar(1000) NOT NULL REFERENCES user_entities (id) ON DELETE CASCADE,
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
