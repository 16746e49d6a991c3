-- An email still queued when what it says stopped holding (its registration was cancelled,
-- or confirmed, while the SMTP server was down, say) is withdrawn instead of sent late: a
-- ticket that no longer opens the door, an offer of a seat already taken.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'withdrawn'));
