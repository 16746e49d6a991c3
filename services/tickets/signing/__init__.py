"""Ticket signing keys: the first key, rotation, retirement, and new codes for the tickets
of a retired key."""
