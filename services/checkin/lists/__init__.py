"""Check-in lists: who may enter which room, when, and who is inside."""
