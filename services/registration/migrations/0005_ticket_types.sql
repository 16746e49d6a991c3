-- Ticket types (participant, exhibitor, speaker, press, staff...), each with its own quota
-- and optionally an access code for invited groups. taken counts confirmed registrations
-- and open offers of the type, like events.taken.
CREATE TABLE ticket_types (
    id               uuid PRIMARY KEY,
    event_id         uuid NOT NULL REFERENCES events (id),
    slug             text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name_pl          text NOT NULL,
    name_en          text NOT NULL,
    quota            integer CHECK (quota > 0),
    taken            integer NOT NULL DEFAULT 0,
    access_code_hash text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, slug),
    CONSTRAINT ticket_types_within_quota CHECK (taken >= 0 AND (quota IS NULL OR taken <= quota))
);

ALTER TABLE registrations ADD COLUMN ticket_type_id uuid REFERENCES ticket_types (id);
