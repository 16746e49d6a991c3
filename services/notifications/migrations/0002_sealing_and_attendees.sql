-- X25519 keys that open the manage tokens registration seals for the emails
-- (shared/sealing.py). Old keys stay: tokens sealed with them still open.
CREATE TABLE sealing_keys (
    id          serial PRIMARY KEY,
    private_key bytea NOT NULL CHECK (length(private_key) = 32),
    public_key  bytea NOT NULL CHECK (length(public_key) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Who is registered for which event, kept from the registration.* events, so that a
-- change to an event reaches everyone still coming or waiting.
CREATE TABLE attendees (
    registration_id     uuid PRIMARY KEY,
    event_id            uuid NOT NULL,
    name                text NOT NULL,
    email               text NOT NULL,
    lang                text NOT NULL CHECK (lang IN ('pl', 'en')),
    status              text NOT NULL
        CHECK (status IN ('confirmed', 'waitlisted', 'offered', 'cancelled', 'erased')),
    manage_token_sealed text,
    -- The registration's event sequence last applied.
    version             integer NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attendees_active_by_event ON attendees (event_id)
    WHERE status IN ('confirmed', 'waitlisted', 'offered');
