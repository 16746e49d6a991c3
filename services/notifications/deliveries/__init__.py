"""Deliveries: one queued email each, queued from the events (queueing.py), kept in the
delivery log organizers read and resend from (log.py)."""
