"""iCalendar (.ics) entries for events, for emails and the confirmation page."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar


def calendar_entry(
    uid: str,
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    description: str = "",
) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//CNK Events//cnk-events//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", uid)
    entry.add("dtstamp", datetime.now(UTC))
    entry.add("dtstart", starts_at.astimezone(UTC))
    entry.add("dtend", ends_at.astimezone(UTC))
    entry.add("summary", summary)
    entry.add("location", location)
    if description:
        entry.add("description", description)
    cal.add_component(entry)
    return bytes(cal.to_ical())
