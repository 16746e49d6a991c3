-- Gates mapped to a list: a scan that names no list is made on the list its gate belongs
-- to (the workshop room's door scans for that session), else on the main list.
ALTER TABLE lists ADD COLUMN gates text[] NOT NULL DEFAULT '{}';
CREATE INDEX lists_by_gate ON lists USING gin (gates) WHERE archived_at IS NULL;
