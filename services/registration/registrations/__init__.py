"""Registrations: registering (alone, as a group, batched), seats, the waitlist, offers."""
