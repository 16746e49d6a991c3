"""An attendee (or an organizer for them) replaces a registration's sessions."""

from __future__ import annotations

import asyncpg

from services.registration.audited import ByStaff
from services.registration.records import Registration, SessionPlace
from services.registration.sessions import db
from services.registration.sessions.seats import change, resolve


async def choose_sessions(
    pool: asyncpg.Pool,
    registration: Registration,
    slugs: list[str],
    waitlist: bool,
    offer_hours: float,
    by: ByStaff | None = None,
) -> Registration:
    """Replace the sessions with those of ``slugs``; a full one refuses the whole change
    unless ``waitlist`` (see seats.change). ``by``: the person in the back office."""
    known = await db.select_sessions(pool, registration.event_id)
    chosen = resolve(known, slugs)
    async with pool.acquire() as conn, conn.transaction():
        if by is None:
            return await change(conn, registration, chosen, waitlist, offer_hours)
        before = await db.select_places(conn, [registration.id])
        changed = await change(conn, registration, chosen, waitlist, offer_hours)
        if changed.version != registration.version:
            await by.record(
                conn,
                "registration.sessions_changed",
                registration_id=changed.id,
                before={"sessions": _summary(before)},
                after={"sessions": _summary(await db.select_places(conn, [changed.id]))},
            )
        return changed


def _summary(places: list[SessionPlace]) -> dict[str, str]:
    return {p.session.slug: p.status for p in places}
