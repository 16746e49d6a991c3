-- The event's ticket type slugs as event.created/updated last told them; NULL while no
-- message has said (events announced before the field existed): lists are then not checked.
ALTER TABLE events ADD COLUMN ticket_types text[];

-- Lists edited and removed by organizers. A removed list keeps its row (its scans point
-- at it) but gives its slug up, so that a new list or a session can take it; the slug it
-- had is kept in archived_slug. pinned names what an organizer changed on a session list
-- ('name', 'window'), which event.updated then leaves alone.
ALTER TABLE lists
    ADD COLUMN archived_at   timestamptz,
    ADD COLUMN archived_slug text,
    ADD COLUMN pinned        text[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT lists_archived_slug_kept
        CHECK ((archived_at IS NULL) = (archived_slug IS NULL)),
    ADD CONSTRAINT lists_archived_by_organizer CHECK (archived_at IS NULL OR origin = 'organizer');
