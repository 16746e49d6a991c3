-- Revoked staff tokens, door devices, offline pack deltas, uploaded scans and their conflicts.

-- Every checkin process keeps the revoked jtis in memory, told of new ones by NOTIFY.
CREATE TABLE revoked_tokens (
    jti        text PRIMARY KEY,
    revoked_at timestamptz NOT NULL DEFAULT now(),
    revoked_by text NOT NULL,
    reason     text
);

-- Which device, under which token, took an event's offline pack (holder names) or uploaded
-- its scans: what to revoke when a phone is lost.
CREATE TABLE devices (
    token_id       text NOT NULL,
    device_id      text NOT NULL,
    event_id       uuid NOT NULL,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    last_pack_at   timestamptz,
    last_upload_at timestamptz,
    PRIMARY KEY (event_id, token_id, device_id)
);

-- Offline pack deltas. changed_xid is the (64-bit, never wrapping) id of the transaction
-- that last wrote the row; a pack's cursor is the snapshot it was read under, and the delta
-- since it is every row written by a transaction that snapshot did not see. A timestamp or
-- a sequence number is drawn before commit, so a transaction that draws early and commits
-- late would be missed; snapshot visibility cannot miss it.
ALTER TABLE tickets ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE registrations ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE scans ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();

CREATE FUNCTION touch_changed_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_xid := pg_current_xact_id();
    RETURN NEW;
END
$$;
-- Inserts take the column default; the read models' upserts and erasures update.
CREATE TRIGGER tickets_changed BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION touch_changed_xid();
CREATE TRIGGER registrations_changed BEFORE UPDATE ON registrations
    FOR EACH ROW EXECUTE FUNCTION touch_changed_xid();

-- Scans that came in through an offline upload: only those may be superseded by an
-- earlier scan of the same entry uploaded later.
CREATE TABLE uploaded_scans (
    scan_id      uuid PRIMARY KEY,
    local_result text,
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);

-- A scan the door let in locally while the ticket had already entered elsewhere.
CREATE TABLE scan_conflicts (
    scan_id       uuid PRIMARY KEY,
    event_id      uuid NOT NULL,
    ticket_id     uuid NOT NULL,
    list_id       uuid NOT NULL,
    other_scan_id uuid,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scan_conflicts_by_event ON scan_conflicts (event_id, recorded_at);
