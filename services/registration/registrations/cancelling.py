"""An attendee or an organizer cancels a registration, or the attendee accepts the seat
(or session seats) offered to them; each in a transaction of its own."""

from __future__ import annotations

import asyncpg

from services.registration.audited import ByStaff
from services.registration.records import Registration
from services.registration.registrations.seats import CancelReason, accept_offer, cancel


async def cancel_registration(
    pool: asyncpg.Pool,
    registration: Registration,
    reason: CancelReason,
    offer_hours: float,
    by: ByStaff | None = None,
) -> Registration:
    """Cancel it; a seat it held goes to the first in line as an offer. ``by``: the
    person in the back office, logged when it was not cancelled already."""
    async with pool.acquire() as conn, conn.transaction():
        cancelled = await cancel(conn, registration, reason, offer_hours)
        if by is not None and cancelled.version != registration.version:
            await by.record(
                conn,
                "registration.cancelled",
                registration_id=cancelled.id,
                before={"status": registration.status},
                after={"status": cancelled.status, "reason": reason},
            )
        return cancelled


async def accept_offered(pool: asyncpg.Pool, registration: Registration) -> Registration:
    """Accept what the registration is offered (see seats.accept_offer)."""
    async with pool.acquire() as conn, conn.transaction():
        return await accept_offer(conn, registration)
