-- Organizer-defined questions and the answers given with each registration.
CREATE TABLE questions (
    id         uuid PRIMARY KEY,
    event_id   uuid NOT NULL REFERENCES events (id),
    key        text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    kind       text NOT NULL CHECK (kind IN ('text', 'single', 'multiple', 'checkbox')),
    label_pl   text NOT NULL,
    label_en   text NOT NULL,
    required   boolean NOT NULL DEFAULT false,
    options    jsonb NOT NULL DEFAULT '[]',
    position   integer NOT NULL,
    UNIQUE (event_id, key)
);

ALTER TABLE registrations ADD COLUMN answers jsonb NOT NULL DEFAULT '{}';
