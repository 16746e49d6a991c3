-- The back office's list of registrations: who came in (a read model of checkin's
-- checkin.recorded on the main list), and one lower-cased text to search in.
ALTER TABLE registrations
    ADD COLUMN first_checked_in_at timestamptz,
    ADD COLUMN search_text text GENERATED ALWAYS AS (
        lower(name || ' ' || email || ' ' || coalesce(organization, ''))) STORED;

-- Uploaded CSV files between their preview and the organizer's confirmation.
CREATE TABLE import_drafts (
    id         uuid PRIMARY KEY,
    event_id   uuid NOT NULL REFERENCES events (id),
    staff_id   text NOT NULL,
    content    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
