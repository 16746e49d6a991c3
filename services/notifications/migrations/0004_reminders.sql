-- The events attendees are reminded of, kept from event.created and event.updated (and,
-- for events older than this table, from the event data of registration.* events).
CREATE TABLE events (
    id         uuid PRIMARY KEY,
    info       jsonb NOT NULL,  -- shared.events.EventInfo
    status     text NOT NULL CHECK (status IN ('draft', 'published', 'cancelled')),
    starts_at  timestamptz NOT NULL,
    sessions   jsonb NOT NULL DEFAULT '[]',  -- [shared.events.SessionInfo]
    -- The event's sequence last applied; 0 for a row known only from a registration.
    version    bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_upcoming ON events (starts_at) WHERE status = 'published';

-- What a reminder needs of an attendee: their sessions (NULL: not known yet) and when
-- their seat was confirmed (NULL: before this column, or not confirmed).
ALTER TABLE attendees ADD COLUMN sessions jsonb;
ALTER TABLE attendees ADD COLUMN confirmed_at timestamptz;
