"""Seats and the waitlist: cancelling frees a seat, a freed seat becomes an offer to the
first in line, an accepted offer confirms, an expired one passes to the next.

Every function runs inside the caller's transaction and locks the event row first, then
registration rows, always in that order, so concurrent changes to one event serialise
without deadlocks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import asyncpg
import msgspec

from services.registration import messages
from services.registration.events import db as events_db
from services.registration.messages import confirmed_event, event_info, holder
from services.registration.records import Event, Registration
from services.registration.refusals import NO_OPEN_OFFER, OFFER_EXPIRED
from services.registration.registrations import db
from services.registration.sessions import db as sessions_db
from services.registration.sessions import seats as session_seats
from services.registration.ticket_types import db as ticket_types_db
from shared import events, outbox

CancelReason = Literal["attendee", "organizer", "offer_expired", "event_cancelled", "erased"]
HOLDS_SEAT = ("confirmed", "offered")


async def promote(conn: asyncpg.Connection, event: Event, offer_hours: float) -> int:
    """Offer every free seat of ``event`` (locked by the caller) to the first in line."""
    free = event.capacity - event.taken
    if free <= 0:
        return 0
    # Every change to an event's seats holds its row lock, so these counts stay true here.
    room = {
        t.id: (t.quota - t.taken if t.quota is not None else free)
        for t in await ticket_types_db.select_ticket_types(conn, event.id)
    }
    waiting: list[Registration] = []
    for candidate in await db.select_first_waitlisted_for_update(conn, event.id, None):
        if len(waiting) == free:
            break
        type_id = candidate.ticket_type_id
        if type_id is not None:
            if room.get(type_id, 0) <= 0:
                continue  # their ticket type is sold out; the next in line may fit
            room[type_id] -= 1
            await ticket_types_db.update_ticket_type_seats(conn, type_id, 1)
        waiting.append(candidate)
    expires_at = datetime.now(UTC) + timedelta(hours=offer_hours)
    for registration in waiting:
        await make_offer(conn, event, registration, expires_at)
    if waiting:
        await events_db.update_event_seats(conn, event.id, len(waiting))
    return len(waiting)


async def make_offer(
    conn: asyncpg.Connection, event: Event, registration: Registration, expires_at: datetime
) -> Registration:
    """Hold a seat for the waitlisted ``registration`` until ``expires_at`` and tell it;
    the caller has locked both rows and counts the seat (event and ticket type)."""
    offered = await db.update_registration_status(
        conn, registration.id, "offered", offer_expires_at=expires_at
    )
    await outbox.enqueue(
        conn,
        events.RegistrationOffered(
            registration_id=offered.id,
            event=event_info(event),
            holder=holder(offered),
            manage_token_hash=offered.manage_token_hash,
            expires_at=expires_at,
            sessions=messages.choices(await sessions_db.select_places(conn, [offered.id])),
            manage_token_sealed=offered.manage_token_sealed,
        ),
        offered.id,
        offered.version,
    )
    return offered


async def cancel(
    conn: asyncpg.Connection,
    registration: Registration,
    reason: CancelReason,
    offer_hours: float,
) -> Registration:
    event = await events_db.select_event_for_update(conn, registration.event_id)
    current = await db.select_registration_for_update(conn, registration.id)
    if current.status == "cancelled":
        return current
    if reason == "offer_expired" and not _offer_expired(current):
        return current  # accepted or cancelled while the sweeper was looking
    cancelled = await db.update_registration_status(
        conn, current.id, "cancelled", cancel_reason=reason
    )
    assert cancelled.cancelled_at is not None
    await outbox.enqueue(
        conn,
        events.RegistrationCancelled(
            registration_id=cancelled.id,
            event=event_info(event),
            holder=holder(cancelled),
            reason=reason,
            previous_status=current.status,
            cancelled_at=cancelled.cancelled_at,
            manage_token_sealed=cancelled.manage_token_sealed,
        ),
        cancelled.id,
        cancelled.version,
    )
    await session_seats.release(conn, event, cancelled.id, offer_hours)
    if current.status in HOLDS_SEAT:
        await events_db.update_event_seats(conn, event.id, -1)
        if current.ticket_type_id is not None:
            await ticket_types_db.update_ticket_type_seats(conn, current.ticket_type_id, -1)
        if event.status == "published":
            await promote(conn, msgspec.structs.replace(event, taken=event.taken - 1), offer_hours)
    return cancelled


async def accept_offer(conn: asyncpg.Connection, registration: Registration) -> Registration:
    """Accept what the registration is offered: its event seat (its sessions are then
    placed) and any seats in sessions it was waiting for."""
    event = await events_db.select_event_for_update(conn, registration.event_id)
    current = await db.select_registration_for_update(conn, registration.id)
    sessions = await session_seats.accept_offers(conn, event, current)
    if current.status == "offered":
        assert current.offer_expires_at is not None
        if current.offer_expires_at <= datetime.now(UTC):
            raise OFFER_EXPIRED()
        confirmed = await db.update_registration_status(conn, current.id, "confirmed")
        await session_seats.place_pending(conn, confirmed.id)
        type_slug = None
        if confirmed.ticket_type_id is not None:
            types = await ticket_types_db.select_ticket_types(conn, event.id)
            type_slug = next(t.slug for t in types if t.id == confirmed.ticket_type_id)
        places = await sessions_db.select_places(conn, [confirmed.id])
        await outbox.enqueue(
            conn,
            confirmed_event(event, confirmed, type_slug, places),
            confirmed.id,
            confirmed.version,
        )
        return confirmed
    if sessions:
        return await messages.enqueue_sessions_changed(conn, event, current, [])
    if current.status == "confirmed":
        return current
    raise NO_OPEN_OFFER(status=current.status)


async def expire_offers(pool: asyncpg.Pool, offer_hours: float, batch: int = 100) -> int:
    """Cancel offers past their expiry, each passing its seat to the next in line."""
    expired = await db.select_expired_offers(pool, batch)
    return await _cancel_each(pool, expired, "offer_expired", offer_hours)


async def cancel_late_registrations(pool: asyncpg.Pool, batch: int = 100) -> int:
    """Cancel registrations that reached a cancelled event after its cancel had cancelled
    the others (a registration's statement can begin before the cancel commits and end
    after the cancel has looked; it cannot take a seat then, but it can join the line);
    each attendee is told, as the others were."""
    late = await db.select_registrations_of_cancelled_events(pool, batch)
    return await _cancel_each(pool, late, "event_cancelled", offer_hours=0)


async def _cancel_each(
    pool: asyncpg.Pool, registrations: list[Registration], reason: CancelReason, offer_hours: float
) -> int:
    """Cancel each of ``registrations`` in its own transaction; how many were cancelled."""
    cancelled = 0
    for registration in registrations:
        async with pool.acquire() as conn, conn.transaction():
            result = await cancel(conn, registration, reason, offer_hours)
            cancelled += result.status == "cancelled"
    return cancelled


def _offer_expired(registration: Registration) -> bool:
    return (
        registration.status == "offered"
        and registration.offer_expires_at is not None
        and registration.offer_expires_at <= datetime.now(UTC)
    )
