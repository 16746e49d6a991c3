"""An attendee (or an organizer for them) replaces a registration's sessions."""

from __future__ import annotations

import asyncpg

from services.registration.records import Registration
from services.registration.sessions import db
from services.registration.sessions.seats import change, resolve


async def choose_sessions(
    pool: asyncpg.Pool,
    registration: Registration,
    slugs: list[str],
    waitlist: bool,
    offer_hours: float,
) -> Registration:
    """Replace the sessions with those of ``slugs``; a full one refuses the whole change
    unless ``waitlist`` (see seats.change)."""
    known = await db.select_sessions(pool, registration.event_id)
    chosen = resolve(known, slugs)
    async with pool.acquire() as conn, conn.transaction():
        return await change(conn, registration, chosen, waitlist, offer_hours)
