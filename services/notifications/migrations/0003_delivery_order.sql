-- A batch of events is applied in one transaction, so now() gave its deliveries one
-- shared time and the log's order was arbitrary; clock_timestamp() keeps queue order.
ALTER TABLE deliveries ALTER COLUMN created_at SET DEFAULT clock_timestamp();
