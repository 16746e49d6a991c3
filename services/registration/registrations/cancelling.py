"""An attendee or an organizer cancels a registration, or the attendee accepts the seat
(or session seats) offered to them; each in a transaction of its own."""

from __future__ import annotations

import asyncpg

from services.registration.records import Registration
from services.registration.registrations.seats import CancelReason, accept_offer, cancel


async def cancel_registration(
    pool: asyncpg.Pool, registration: Registration, reason: CancelReason, offer_hours: float
) -> Registration:
    """Cancel it; a seat it held goes to the first in line as an offer."""
    async with pool.acquire() as conn, conn.transaction():
        return await cancel(conn, registration, reason, offer_hours)


async def accept_offered(pool: asyncpg.Pool, registration: Registration) -> Registration:
    """Accept what the registration is offered (see seats.accept_offer)."""
    async with pool.acquire() as conn, conn.transaction():
        return await accept_offer(conn, registration)
