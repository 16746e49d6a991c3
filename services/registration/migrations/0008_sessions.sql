-- Sessions: workshops and talks inside an event, each with its own room, time and
-- capacity. taken counts confirmed and offered places, like events.taken.
CREATE TABLE sessions (
    id         uuid PRIMARY KEY,
    event_id   uuid NOT NULL REFERENCES events (id),
    slug       text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name_pl    text NOT NULL,
    name_en    text NOT NULL,
    room       text,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    capacity   integer NOT NULL CHECK (capacity > 0),
    taken      integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, slug),
    CONSTRAINT sessions_ends_after_start CHECK (ends_at > starts_at),
    CONSTRAINT sessions_not_oversold CHECK (taken >= 0 AND taken <= capacity)
);

-- A registration's place in each session it chose. 'pending' places wait for the
-- registration's own event seat and hold nothing; 'waitlisted' ones queue by queued_at;
-- 'offered' and 'confirmed' ones hold a seat (counted in sessions.taken); 'cancelled'
-- ones went with their registration.
CREATE TABLE registration_sessions (
    registration_id  uuid NOT NULL REFERENCES registrations (id),
    session_id       uuid NOT NULL REFERENCES sessions (id),
    status           text NOT NULL
        CHECK (status IN ('pending', 'waitlisted', 'offered', 'confirmed', 'cancelled')),
    queued_at        timestamptz NOT NULL,
    offer_expires_at timestamptz,
    PRIMARY KEY (registration_id, session_id),
    CONSTRAINT registration_sessions_offer_has_expiry
        CHECK ((status = 'offered') = (offer_expires_at IS NOT NULL))
);
CREATE INDEX registration_sessions_line ON registration_sessions (session_id, queued_at, registration_id)
    WHERE status = 'waitlisted';
CREATE INDEX registration_sessions_open_offers ON registration_sessions (offer_expires_at)
    WHERE status = 'offered';

-- The manage token sealed for notifications (shared/sealing.py): registration cannot
-- open it; it rides along in every registration.* event for the emails' manage link.
ALTER TABLE registrations ADD COLUMN manage_token_sealed text;
