"""What checkin knows of events, registrations and tickets (written by consumers.py)."""
