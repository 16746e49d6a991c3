CREATE TABLE signing_keys (
    id          integer PRIMARY KEY CHECK (id BETWEEN 1 AND 65535),
    private_key bytea NOT NULL,
    public_key  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

CREATE TABLE tickets (
    id                uuid PRIMARY KEY,
    registration_id   uuid NOT NULL UNIQUE,
    event_id          uuid NOT NULL,
    event             jsonb NOT NULL,
    code              text NOT NULL UNIQUE,
    key_id            integer NOT NULL REFERENCES signing_keys (id),
    status            text NOT NULL CHECK (status IN ('valid', 'revoked')),
    holder_name       text NOT NULL,
    holder_email      text NOT NULL,
    lang              text NOT NULL,
    manage_token_hash text NOT NULL,
    version           integer NOT NULL DEFAULT 1,
    issued_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_by_event ON tickets (event_id);
