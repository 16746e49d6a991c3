"""Messages organizers write to an event's attendees, emailed by notifications."""
