CREATE TABLE deliveries (
    id              uuid PRIMARY KEY,
    -- One email per purpose and subject, e.g. 'ticket:<ticket id>': a redelivered event
    -- or a second instance can never queue the same email twice.
    dedupe_key      text NOT NULL UNIQUE,
    template        text NOT NULL,
    registration_id uuid NOT NULL,
    recipient       text NOT NULL,
    lang            text NOT NULL CHECK (lang IN ('pl', 'en')),
    payload         jsonb NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    message_id      text NOT NULL,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_registration ON deliveries (registration_id, created_at);
