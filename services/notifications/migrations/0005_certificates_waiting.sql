-- A certificate that reached notifications before its attendee's registration event (the
-- streams are not ordered with each other) waits here for the address, and is queued
-- when the attendee is recorded.
CREATE TABLE certificates_waiting (
    certificate_id  uuid PRIMARY KEY,
    registration_id uuid NOT NULL,
    certificate     jsonb NOT NULL,  -- shared.events.CertificateIssued
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificates_waiting_registration ON certificates_waiting (registration_id);
