"""An organizer offers a seat now to a chosen person on the waitlist, out of line (freed
seats go to the first in line by themselves: cancellations and the sweeper offer them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from services.registration import messages
from services.registration.audited import ByStaff
from services.registration.events import db as events_db
from services.registration.records import Registration
from services.registration.refusals import NO_FREE_SEAT, NOT_WAITLISTED, REGISTRATION_CLOSED
from services.registration.registrations import db
from services.registration.registrations.seats import make_offer
from services.registration.ticket_types import db as ticket_types_db


async def offer_seat_now(
    pool: asyncpg.Pool,
    registration: Registration,
    offer_hours: float,
    by: ByStaff,
    add_seat: bool = False,
) -> Registration:
    """Offer ``registration`` (waitlisted) a free seat for ``offer_hours``. Seats are never
    taken beyond the capacity: when none is free, ``add_seat`` raises the capacity by one
    for this person (announced as any capacity change), else it is refused; a ticket
    type's quota is never exceeded."""
    async with pool.acquire() as conn, conn.transaction():
        event = await events_db.select_event_for_update(conn, registration.event_id)
        current = await db.select_registration_for_update(conn, registration.id)
        if current.status != "waitlisted":
            raise NOT_WAITLISTED(status=current.status)
        if event.status != "published":
            raise REGISTRATION_CLOSED()
        kind = None
        if current.ticket_type_id is not None:
            types = {t.id: t for t in await ticket_types_db.select_ticket_types(conn, event.id)}
            kind = types[current.ticket_type_id]
            if kind.quota is not None and kind.taken >= kind.quota:
                raise NO_FREE_SEAT(of=f" in the ticket type {kind.slug!r}")
        before = {"status": current.status, "capacity": event.capacity}
        if event.taken >= event.capacity:
            if not add_seat:
                raise NO_FREE_SEAT(of="")
            event = await events_db.update_event_fields(
                conn, event.id, {"capacity": event.capacity + 1}
            )
            await messages.enqueue_event_updated(conn, event, ["capacity"])
        if kind is not None:
            await ticket_types_db.update_ticket_type_seats(conn, kind.id, 1)
        expires_at = datetime.now(UTC) + timedelta(hours=offer_hours)
        offered = await make_offer(conn, event, current, expires_at)
        await events_db.update_event_seats(conn, event.id, 1)
        await by.record(
            conn,
            "registration.offered",
            registration_id=offered.id,
            before=before,
            after={
                "status": offered.status,
                "capacity": event.capacity,
                "offer_expires_at": expires_at,
            },
        )
        return offered
