-- Tables every service has in its own schema: the transactional outbox, the inbox of
-- applied event ids, and the last applied sequence per aggregate.
CREATE TABLE outbox (
    seq           bigserial PRIMARY KEY,
    id            uuid NOT NULL UNIQUE,
    subject       text NOT NULL,
    payload       bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz,
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;

CREATE TABLE inbox (
    event_id    uuid PRIMARY KEY,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE aggregate_versions (
    aggregate_id uuid PRIMARY KEY,
    sequence     bigint NOT NULL
);
