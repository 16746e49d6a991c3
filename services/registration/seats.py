"""Seats and the waitlist: cancelling frees a seat, a freed seat becomes an offer to the
first in line, an accepted offer confirms, an expired one passes to the next.

Every function runs inside the caller's transaction and locks the event row first, then
registration rows, always in that order, so concurrent changes to one event serialise
without deadlocks.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import asyncpg
import msgspec

from services.registration import db, messages, session_seats
from services.registration.messages import confirmed_event, event_info, holder
from services.registration.schemas import Event, Registration
from shared import events, outbox
from shared.http import ProblemError
from shared.refusals import FieldError

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
        for t in await db.select_ticket_types(conn, event.id)
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
            await db.update_ticket_type_seats(conn, type_id, 1)
        waiting.append(candidate)
    expires_at = datetime.now(UTC) + timedelta(hours=offer_hours)
    for registration in waiting:
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
                sessions=messages.choices(await db.select_places(conn, [offered.id])),
                manage_token_sealed=offered.manage_token_sealed,
            ),
            offered.id,
            offered.version,
        )
    if waiting:
        await db.update_event_seats(conn, event.id, len(waiting))
    return len(waiting)


async def cancel(
    conn: asyncpg.Connection,
    registration: Registration,
    reason: CancelReason,
    offer_hours: float,
) -> Registration:
    event = await db.select_event_for_update(conn, registration.event_id)
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
        await db.update_event_seats(conn, event.id, -1)
        if current.ticket_type_id is not None:
            await db.update_ticket_type_seats(conn, current.ticket_type_id, -1)
        if event.status == "published":
            await promote(conn, msgspec.structs.replace(event, taken=event.taken - 1), offer_hours)
    return cancelled


async def accept_offer(conn: asyncpg.Connection, registration: Registration) -> Registration:
    """Accept what the registration is offered: its event seat (its sessions are then
    placed) and any seats in sessions it was waiting for."""
    event = await db.select_event_for_update(conn, registration.event_id)
    current = await db.select_registration_for_update(conn, registration.id)
    sessions = await session_seats.accept_offers(conn, event, current)
    if current.status == "offered":
        assert current.offer_expires_at is not None
        if current.offer_expires_at <= datetime.now(UTC):
            raise ProblemError(409, "offer_expired", "This offer has expired; the seat went on.")
        confirmed = await db.update_registration_status(conn, current.id, "confirmed")
        await session_seats.place_pending(conn, confirmed.id)
        type_slug = None
        if confirmed.ticket_type_id is not None:
            types = await db.select_ticket_types(conn, event.id)
            type_slug = next(t.slug for t in types if t.id == confirmed.ticket_type_id)
        places = await db.select_places(conn, [confirmed.id])
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
    raise ProblemError(
        409, "no_open_offer", f"This registration has no open offer (it is {current.status})."
    )


async def set_status(
    conn: asyncpg.Connection, event_id: uuid.UUID, status: Literal["published", "cancelled"]
) -> Event:
    """Publish a draft, or cancel an event: every registration is cancelled with it, which
    revokes every ticket and tells every attendee."""
    event = await db.select_event_for_update(conn, event_id)
    allowed = {"published": ("draft",), "cancelled": ("draft", "published")}[status]
    if event.status == status:
        return event
    if event.status not in allowed:
        raise ProblemError(
            409, "invalid_transition", f"A {event.status} event cannot become {status}."
        )
    updated = await db.update_event_status(conn, event_id, status)
    await messages.enqueue_event_updated(conn, updated, ["status"])
    if status == "cancelled":
        for registration in await db.select_active_registrations_for_update(conn, event_id):
            await cancel(conn, registration, "event_cancelled", offer_hours=0)
    return await db.select_event_for_update(conn, event_id)


# Request fields stored in one column of the same name; name and description take two.
async def lock_changeable_event(conn: asyncpg.Connection, event_id: uuid.UUID) -> Event:
    """The event, locked for a change by its organizer; a cancelled one cannot change."""
    event = await db.select_event_for_update(conn, event_id)
    if event.status == "cancelled":
        raise ProblemError(409, "event_cancelled", "A cancelled event cannot be changed.")
    return event


EVENT_COLUMNS = {
    "kind": "kind",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "venue": "venue",
    "room": "room",
    "capacity": "capacity",
    "waitlist": "waitlist",
    "retention_days": "retention_days",
    "registration_opens_at": "registration_opens_at",
    "registration_closes_at": "registration_closes_at",
    "group_limit": "group_limit",
}


async def update_event(
    conn: asyncpg.Connection, event_id: uuid.UUID, given: dict[str, Any], offer_hours: float
) -> Event:
    """Apply an organizer's partial update; a larger capacity offers the new seats at once.

    Only what really changes is written and announced (``event.updated`` names it in
    ``changed``), so repeating an update changes nothing.
    """
    event = await lock_changeable_event(conn, event_id)
    changed = {k: v for k, v in given.items() if getattr(event, k) != v}
    if not changed:
        return event
    after = msgspec.structs.replace(event, **changed)
    if after.ends_at <= after.starts_at:
        raise ProblemError(
            400,
            "validation_failed",
            "The event must end after it starts.",
            errors=[FieldError(field="ends_at", message="must be after starts_at")],
        )
    opens, closes = after.registration_opens_at, after.registration_closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise ProblemError(
            400,
            "validation_failed",
            "Registration must close after it opens.",
            errors=[
                FieldError(
                    field="registration_closes_at", message="must be after registration_opens_at"
                )
            ],
        )
    if after.capacity < event.taken:
        raise ProblemError(
            409,
            "capacity_below_taken",
            f"{event.taken} seats are taken or offered; the capacity cannot go below that.",
            errors=[FieldError(field="capacity", message=f"at least {event.taken}")],
        )
    columns: dict[str, Any] = {}
    for field, value in changed.items():
        if field == "name":
            columns |= {"name_pl": value.pl, "name_en": value.en}
        elif field == "description":
            columns |= {"description_pl": value.pl, "description_en": value.en}
        else:
            columns[EVENT_COLUMNS[field]] = value
    updated = await db.update_event_fields(conn, event_id, columns)
    await messages.enqueue_event_updated(conn, updated, sorted(changed))
    if updated.status != "published":
        return updated
    offered = await promote(conn, updated, offer_hours)
    return msgspec.structs.replace(updated, taken=updated.taken + offered)


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
