-- The relay deletes a row once JetStream has acknowledged it (shared/outbox.py), where it
-- used to set published_at, a second copy of the whole row with three more index entries.
-- Half of each page is left free so that the claim's update of claimed_until finds room
-- on the row's own page: a heap-only update, without new index entries. published_at
-- stays for the rows earlier versions marked (housekeeping deletes them after a day).
ALTER TABLE outbox SET (fillfactor = 50);
