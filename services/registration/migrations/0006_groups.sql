-- Group registration: one person registers several attendees at once; the group takes
-- its seats all together or waits all together.
ALTER TABLE registrations ADD COLUMN group_id uuid;
CREATE INDEX registrations_by_group ON registrations (group_id) WHERE group_id IS NOT NULL;
ALTER TABLE events ADD COLUMN group_limit integer NOT NULL DEFAULT 30
    CHECK (group_limit BETWEEN 1 AND 500);
