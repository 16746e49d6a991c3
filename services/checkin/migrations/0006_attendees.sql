-- Who registered, as the dashboard, the attendance lists, the statistics and the
-- certificates need it. Erasure keeps the row (counts stay right) but drops the name and
-- the organization; country, role and ticket type stay for the statistics.
ALTER TABLE registrations
    ADD COLUMN holder_name       text,
    ADD COLUMN lang              text,
    ADD COLUMN organization      text,
    ADD COLUMN country           text,
    ADD COLUMN role              text,
    ADD COLUMN manage_token_hash text,
    ADD COLUMN confirmed_at      timestamptz,
    ADD COLUMN erased            boolean NOT NULL DEFAULT false;

-- The event's seat count and status, for the dashboard.
ALTER TABLE events
    ADD COLUMN capacity integer,
    ADD COLUMN status   text;
