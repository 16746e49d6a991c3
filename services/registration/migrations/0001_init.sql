CREATE TABLE events (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name_pl     text NOT NULL,
    name_en     text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('conference', 'fair', 'workshop', 'seminar', 'course')),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    venue       text NOT NULL,
    capacity    integer NOT NULL CHECK (capacity > 0),
    taken       integer NOT NULL DEFAULT 0,
    status      text NOT NULL CHECK (status IN ('draft', 'published', 'cancelled')),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_ends_after_start CHECK (ends_at > starts_at),
    CONSTRAINT events_not_oversold CHECK (taken >= 0 AND taken <= capacity)
);

CREATE TABLE registrations (
    id                uuid PRIMARY KEY,
    event_id          uuid NOT NULL REFERENCES events (id),
    name              text NOT NULL,
    email             text NOT NULL,
    email_key         text NOT NULL,
    lang              text NOT NULL CHECK (lang IN ('pl', 'en')),
    status            text NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    manage_token_hash text NOT NULL,
    consent_version   text NOT NULL,
    consent_at        timestamptz NOT NULL,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX registrations_one_per_email
    ON registrations (event_id, email_key) WHERE status <> 'cancelled';
CREATE INDEX registrations_by_event ON registrations (event_id, created_at);
