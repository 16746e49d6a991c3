"""Organizer tools: list, search and export an event's registrations; import attendees."""
