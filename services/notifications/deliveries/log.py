"""The delivery log for organizers: a registration's emails, and sending one again."""

from __future__ import annotations

import uuid

import asyncpg

from services.notifications.deliveries import attendees_db, db
from services.notifications.texts import (
    DELIVERY_NOT_FOUND,
    DELIVERY_PENDING,
    DELIVERY_WITHDRAWN,
    RECIPIENT_ERASED,
)
from shared.auth import ALL_EVENTS, StaffClaims
from shared.refusals import EVENT_NOT_COVERED


async def _require_event_of(
    pool: asyncpg.Pool, claims: StaffClaims, registration_id: uuid.UUID
) -> None:
    """The organizer's token covers the registration's event (an unknown one: all events)."""
    if ALL_EVENTS in claims.events:
        return
    slug = await attendees_db.select_event_slug(pool, registration_id)
    if slug is None or not claims.covers(slug):
        raise EVENT_NOT_COVERED(slug=slug or "(unknown)")


async def deliveries_of(
    pool: asyncpg.Pool, claims: StaffClaims, registration_id: uuid.UUID
) -> list[db.Delivery]:
    await _require_event_of(pool, claims, registration_id)
    return await db.select_deliveries(pool, registration_id)


async def resend(pool: asyncpg.Pool, claims: StaffClaims, original_id: uuid.UUID) -> db.Delivery:
    """Send a delivery again (a lost email, a fixed mailbox): a new delivery, so the log
    keeps both and the recipient's server sees a new Message-ID."""
    original = await db.select_delivery(pool, original_id)
    # A staff member's sign-in link is not for resending: they ask for a new one.
    if original is None or original.registration_id is None:
        raise DELIVERY_NOT_FOUND()
    await _require_event_of(pool, claims, original.registration_id)
    async with pool.acquire() as conn, conn.transaction():
        copy = await db.insert_resend(conn, original_id, uuid.uuid4())
        if copy is None:
            original = await db.select_delivery(conn, original_id)
            if original is None:
                raise DELIVERY_NOT_FOUND()
            if original.status == "pending":
                raise DELIVERY_PENDING()
            if original.status == "withdrawn":
                raise DELIVERY_WITHDRAWN()
            raise RECIPIENT_ERASED()
        await db.notify_sender(conn)
    return copy
