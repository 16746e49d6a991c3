-- Messages organizers write to an event's attendees (services/registration/mailings/): what
-- was written, to whom (the audience as chosen), by whom, and how many it went to. Each
-- recipient's email leaves through the outbox as registration.message_requested.
CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    event_id        uuid NOT NULL REFERENCES events (id),
    audience        text NOT NULL
        CHECK (audience IN ('confirmed', 'waitlisted', 'session', 'checked_in', 'not_checked_in')),
    session_id      uuid REFERENCES sessions (id),
    subject_pl      text NOT NULL,
    subject_en      text NOT NULL,
    body_pl         text NOT NULL,
    body_en         text NOT NULL,
    sent_by_id      text NOT NULL,
    sent_by_name    text NOT NULL,
    sent_at         timestamptz NOT NULL DEFAULT now(),
    recipients      integer NOT NULL CHECK (recipients >= 0),
    CONSTRAINT messages_session_audience CHECK ((audience = 'session') = (session_id IS NOT NULL))
);
CREATE INDEX messages_by_event ON messages (event_id, sent_at DESC);
