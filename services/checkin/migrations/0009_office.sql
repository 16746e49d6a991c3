-- What the back office adds: the door devices it issued tokens to, and the reasons given
-- for check-ins made by hand.

-- A door token issued from the back office (signed with checkin's own key), so the device
-- is listed before it first syncs; what it did since is in devices and scans (token_id).
CREATE TABLE issued_devices (
    jti            text PRIMARY KEY,
    event_id       uuid NOT NULL,
    name           text NOT NULL,
    gate           text NOT NULL,
    issued_by      text NOT NULL,
    issued_by_name text NOT NULL,
    issued_at      timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX issued_devices_by_event ON issued_devices (event_id, issued_at);

-- A check-in recorded by a person in the back office rather than by a door's scan: the
-- scan row (with its verdict) is in scans, its reason and author here.
CREATE TABLE manual_scans (
    scan_id         uuid PRIMARY KEY REFERENCES scans (scan_id),
    registration_id uuid NOT NULL,
    reason          text NOT NULL,
    recorded_by     text NOT NULL,
    recorded_by_name text NOT NULL
);
CREATE INDEX manual_scans_by_registration ON manual_scans (registration_id);
