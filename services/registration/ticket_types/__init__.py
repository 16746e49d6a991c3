"""Ticket types of an event: organizers define them, registrations pick one."""
