"""Finding the event a request names."""

from __future__ import annotations

import asyncpg

from services.checkin.attendees import db
from services.checkin.attendees.db import EventRow
from shared.refusals import EVENT_NOT_FOUND
from shared.slugs import is_slug


async def find_event(pool: asyncpg.Pool, slug: str) -> EventRow:
    """The event ``slug`` names, or the refusal event_not_found."""
    event = await db.select_event_by_slug(pool, slug) if is_slug(slug) else None
    if event is None:
        raise EVENT_NOT_FOUND(slug=slug)
    return event
