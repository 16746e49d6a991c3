-- Erasure and retention: an erased registration keeps its row (counts stay right) but
-- none of the person's data; events may set how long registrations are kept.
ALTER TABLE registrations ADD COLUMN erased_at timestamptz;
ALTER TABLE events ADD COLUMN retention_days integer CHECK (retention_days > 0);
CREATE INDEX registrations_not_erased ON registrations (event_id) WHERE erased_at IS NULL;
