-- Read models fed by events, then the check-in lists and the scan history.
CREATE TABLE events (
    id        uuid PRIMARY KEY,
    slug      text NOT NULL UNIQUE,
    name      jsonb NOT NULL,
    kind      text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL,
    venue     text NOT NULL
);

CREATE TABLE registrations (
    id       uuid PRIMARY KEY,
    event_id uuid NOT NULL,
    status   text NOT NULL
);
CREATE INDEX registrations_by_event ON registrations (event_id, status);

-- A ticket row can exist before its ticket.issued event arrives: a validly signed code
-- scanned first creates it (known = false) so the scan can lock it.
CREATE TABLE tickets (
    id              uuid PRIMARY KEY,
    event_id        uuid NOT NULL,
    registration_id uuid,
    holder_name     text,
    status          text NOT NULL CHECK (status IN ('valid', 'revoked')),
    known           boolean NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_by_event ON tickets (event_id);

CREATE TABLE lists (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id   uuid NOT NULL,
    slug       text NOT NULL,
    name       text NOT NULL,
    policy     text NOT NULL CHECK (policy IN ('single')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, slug)
);

CREATE TABLE scans (
    seq         bigserial PRIMARY KEY,
    scan_id     uuid NOT NULL UNIQUE,
    result      text NOT NULL,
    ticket_id   uuid,
    event_id    uuid,
    list_id     uuid REFERENCES lists (id),
    gate        text NOT NULL,
    device_id   text,
    direction   text NOT NULL CHECK (direction IN ('in', 'out')),
    -- '' for single-entry lists; room for per-day or per-entry keys under other policies.
    entry_key   text NOT NULL DEFAULT '',
    token_id    text,
    scanned_at  timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    response    jsonb NOT NULL
);
-- The last word on "a ticket is valid once per list": even a bug above cannot check a
-- ticket in twice.
CREATE UNIQUE INDEX scans_one_accepted_entry
    ON scans (list_id, ticket_id, entry_key) WHERE result = 'accepted';
CREATE INDEX scans_by_event ON scans (event_id, scanned_at);
