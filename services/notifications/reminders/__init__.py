"""Reminders before events, queued by a periodic scheduler from the events read model."""
