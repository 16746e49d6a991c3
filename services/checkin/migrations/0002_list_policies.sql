-- Check-in lists with policies, windows, membership and limits; what a registration
-- entitles its holder to (ticket type, confirmed sessions).
ALTER TABLE lists DROP CONSTRAINT lists_policy_check;
ALTER TABLE lists ADD CONSTRAINT lists_policy_check
    CHECK (policy IN ('single', 'reentry', 'daily'));
ALTER TABLE lists
    ADD COLUMN origin        text NOT NULL DEFAULT 'organizer'
        CHECK (origin IN ('main', 'session', 'organizer')),
    ADD COLUMN sessions      text[] NOT NULL DEFAULT '{}',
    ADD COLUMN ticket_types  text[] NOT NULL DEFAULT '{}',
    ADD COLUMN valid_from    timestamptz,
    ADD COLUMN valid_until   timestamptz,
    ADD COLUMN entry_limit   integer CHECK (entry_limit > 0),
    ADD COLUMN enforce_limit boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT lists_window_ordered CHECK (valid_from < valid_until),
    ADD CONSTRAINT lists_enforced_limit_set CHECK (NOT enforce_limit OR entry_limit IS NOT NULL);
UPDATE lists SET origin = 'main' WHERE slug = 'main';

ALTER TABLE registrations
    ADD COLUMN ticket_type text,
    ADD COLUMN sessions    text[] NOT NULL DEFAULT '{}';

-- An accepted scan is an entry, an exit scan is recorded as 'exited': the partial unique
-- index on accepted scans then speaks of entries only.
ALTER TABLE scans ADD CONSTRAINT scans_direction_matches_result
    CHECK ((result <> 'accepted' OR direction = 'in') AND (result <> 'exited' OR direction = 'out'));
-- Who is inside: the last accepted entry or exit of each ticket on a list.
CREATE INDEX scans_by_list_ticket ON scans (list_id, ticket_id, seq)
    WHERE result IN ('accepted', 'exited');
