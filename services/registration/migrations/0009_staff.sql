-- The back office's people (services/registration/staff/): accounts, their roles event by
-- event, one-time sign-in links, sessions and recovery codes; and the audit log of every
-- staff action, kept from the audit.recorded events of every service.
CREATE TABLE staff (
    id              uuid PRIMARY KEY,
    email           text NOT NULL CHECK (email = btrim(email) AND email LIKE '%_@_%'),
    name            text NOT NULL,
    language        text NOT NULL DEFAULT 'pl' CHECK (language IN ('pl', 'en')),
    -- base32 TOTP secret, set when the person starts turning the second factor on;
    -- it is on once totp_enabled_at is set. totp_last_step: the last time step a code
    -- was accepted for, so one code cannot be used twice.
    totp_secret     text,
    totp_enabled_at timestamptz,
    totp_last_step  bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    removed_at      timestamptz,
    CONSTRAINT staff_totp_needs_secret CHECK (totp_enabled_at IS NULL OR totp_secret IS NOT NULL)
);
CREATE UNIQUE INDEX staff_email_unique ON staff (lower(email));

-- A role for all events (event_slug NULL) or for one event; one role per person and event.
CREATE TABLE staff_roles (
    id         uuid PRIMARY KEY,
    staff_id   uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('admin', 'organizer', 'door', 'viewer')),
    event_slug text CHECK (event_slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_roles_one_per_event ON staff_roles (staff_id, coalesce(event_slug, '*'));

-- One-time sign-in links: only the SHA-256 of the link's secret is kept. Once redeemed
-- (used_at), a person with a second factor gets a challenge (its secret's hash, in a
-- 5-minute cookie) for the code step.
CREATE TABLE sign_in_links (
    id                     uuid PRIMARY KEY,
    staff_id               uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    secret_hash            text NOT NULL UNIQUE,
    next_path              text NOT NULL DEFAULT '/office/',
    created_at             timestamptz NOT NULL DEFAULT now(),
    expires_at             timestamptz NOT NULL DEFAULT now() + interval '15 minutes',
    used_at                timestamptz,
    challenge_hash         text UNIQUE,
    challenge_expires_at   timestamptz,
    challenge_attempts     integer NOT NULL DEFAULT 0,
    challenge_used_at      timestamptz
);
CREATE INDEX sign_in_links_by_staff ON sign_in_links (staff_id, created_at);

-- A session's id is its token's jti; signing out (or everywhere) sets signed_out_at and
-- revokes the jti through the staff-revocations bucket.
CREATE TABLE staff_sessions (
    id            uuid PRIMARY KEY,
    staff_id      uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    signed_out_at timestamptz,
    user_agent    text NOT NULL DEFAULT ''
);
CREATE INDEX staff_sessions_open ON staff_sessions (staff_id) WHERE signed_out_at IS NULL;

-- Recovery codes of the second factor: SHA-256 hashes, each good once.
CREATE TABLE staff_recovery_codes (
    staff_id  uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash text NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (staff_id, code_hash)
);

-- Every staff action of every service (shared/audit.py): who, when, what, before, after.
CREATE TABLE audit_log (
    id              uuid PRIMARY KEY,
    at              timestamptz NOT NULL,
    service         text NOT NULL,
    actor_id        text NOT NULL,
    actor_name      text NOT NULL,
    action          text NOT NULL,
    event_slug      text,
    registration_id uuid,
    before          jsonb,
    after           jsonb
);
CREATE INDEX audit_log_by_event ON audit_log (event_slug, at DESC, id) WHERE event_slug IS NOT NULL;
CREATE INDEX audit_log_by_registration ON audit_log (registration_id, at DESC)
    WHERE registration_id IS NOT NULL;
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, at DESC);
