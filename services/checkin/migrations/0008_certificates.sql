-- Certificates of attendance: their signing keys, what they need of events and sessions,
-- and the certificates issued.

-- Ed25519 keys; the newest not retired signs, every one verifies what it signed (a
-- certificate stays genuine after its key is retired). Created by the first instance to
-- start, under an advisory lock.
CREATE TABLE certificate_keys (
    id          integer PRIMARY KEY CHECK (id BETWEEN 1 AND 65535),
    private_key bytea NOT NULL,
    public_key  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

-- The event as the last event told it (EventInfo JSON, with the room), and its sessions
-- (SessionInfo JSON list) from event.created/updated. NULL on events announced before
-- this migration: the certificate then takes the columns above and no room.
ALTER TABLE events
    ADD COLUMN info     jsonb,
    ADD COLUMN sessions jsonb;

-- One certificate per registration and scope ('event', or 'session:<slug>'). claims are
-- the exact signed bytes (jsonb would reorder them). Erasure withdraws a certificate:
-- the row stays (its id still answers "withdrawn") without the name or the claims.
-- announced_at: when its checkin.certificate_issued went to the outbox (emailed once).
CREATE TABLE certificates (
    id              uuid PRIMARY KEY,
    registration_id uuid NOT NULL,
    event_id        uuid NOT NULL,
    scope           text NOT NULL,  -- 'event' or 'session:<slug>'
    holder_name     text,
    lang            text NOT NULL CHECK (lang IN ('pl', 'en')),
    issued_at       timestamptz NOT NULL,
    claims          bytea,
    signature       bytea,
    key_id          integer NOT NULL REFERENCES certificate_keys (id),
    announced_at    timestamptz,
    withdrawn_at    timestamptz,
    UNIQUE (registration_id, scope),
    CONSTRAINT certificates_signed_or_withdrawn CHECK (
        withdrawn_at IS NOT NULL
        OR (holder_name IS NOT NULL AND claims IS NOT NULL AND signature IS NOT NULL))
);
CREATE INDEX certificates_by_event ON certificates (event_id, scope);
CREATE INDEX tickets_by_registration ON tickets (registration_id);
