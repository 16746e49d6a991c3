-- The live dashboard: every checkin process watching an event is woken when a statement
-- writes scans or registrations of it. One NOTIFY per statement (the door path inserts its
-- scans in batches), naming the event ids it touched, comma-separated; '*' when too many
-- for one payload. NOTIFY is sent at commit, and identical payloads in one transaction
-- are sent once.
CREATE FUNCTION notify_dashboard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text[];
BEGIN
    SELECT array_agg(DISTINCT event_id::text) INTO ids FROM changed WHERE event_id IS NOT NULL;
    IF ids IS NOT NULL THEN
        PERFORM pg_notify(
            'dashboard_' || TG_TABLE_SCHEMA,
            CASE WHEN cardinality(ids) > 100 THEN '*' ELSE array_to_string(ids, ',') END
        );
    END IF;
    RETURN NULL;
END
$$;

-- A trigger with a transition table has one event, hence one trigger per kind of write.
CREATE TRIGGER scans_dashboard AFTER INSERT ON scans
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_dashboard();
CREATE TRIGGER registrations_dashboard_insert AFTER INSERT ON registrations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_dashboard();
CREATE TRIGGER registrations_dashboard_update AFTER UPDATE ON registrations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_dashboard();
