-- An email queued but not yet sent when its registration was cancelled (the SMTP server
-- was down, say) is withdrawn instead of sent late: a ticket that no longer opens the
-- door, a waitlist offer that no longer stands.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'withdrawn'));
