"""An organizer offers a free seat now to a chosen person on the waitlist, out of line
(the sweeper and cancellations offer freed seats to the first in line by themselves)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from services.registration.audited import ByStaff
from services.registration.events import db as events_db
from services.registration.records import Registration
from services.registration.refusals import NO_FREE_SEAT, NOT_WAITLISTED, REGISTRATION_CLOSED
from services.registration.registrations import db
from services.registration.registrations.seats import make_offer
from services.registration.ticket_types import db as ticket_types_db


async def offer_seat_now(
    pool: asyncpg.Pool, registration: Registration, offer_hours: float, by: ByStaff
) -> Registration:
    """Offer ``registration`` (waitlisted) a free seat for ``offer_hours``; refused when
    no seat is free at the event, or in its ticket type's quota: capacity is never
    exceeded, to free a seat the organizer raises the capacity (which offers it to the
    first in line)."""
    async with pool.acquire() as conn, conn.transaction():
        event = await events_db.select_event_for_update(conn, registration.event_id)
        current = await db.select_registration_for_update(conn, registration.id)
        if current.status != "waitlisted":
            raise NOT_WAITLISTED(status=current.status)
        if event.status != "published":
            raise REGISTRATION_CLOSED()
        if event.taken >= event.capacity:
            raise NO_FREE_SEAT(of="")
        if current.ticket_type_id is not None:
            types = {t.id: t for t in await ticket_types_db.select_ticket_types(conn, event.id)}
            kind = types[current.ticket_type_id]
            if kind.quota is not None and kind.taken >= kind.quota:
                raise NO_FREE_SEAT(of=f" for the ticket type {kind.slug!r}")
            await ticket_types_db.update_ticket_type_seats(conn, kind.id, 1)
        expires_at = datetime.now(UTC) + timedelta(hours=offer_hours)
        offered = await make_offer(conn, event, current, expires_at)
        await events_db.update_event_seats(conn, event.id, 1)
        await by.record(
            conn,
            "registration.offered",
            registration_id=offered.id,
            before={"status": current.status},
            after={"status": offered.status, "offer_expires_at": expires_at},
        )
        return offered
