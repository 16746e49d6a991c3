"""Session seats: places taken at registration, lines for full sessions, offers of freed
seats, changes of mind.

Like registrations/seats.py, every function runs in the caller's transaction, and the event row is
locked before any session or registration row, so changes to one event serialise.
A registration's places in sessions follow its own status: while it waits for an event
seat they are ``pending`` and hold nothing; once it has its seat they are placed
(``confirmed``, or ``waitlisted`` in the session's line).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from services.registration import messages
from services.registration.events import db as events_db
from services.registration.records import Event, Registration, Session, SessionPlace
from services.registration.refusals import (
    EVENT_NOT_OPEN,
    REGISTRATION_CANCELLED,
    SESSION_FULL,
    SESSION_STARTED,
    SESSIONS_OVERLAP,
    UNKNOWN_SESSION,
)
from services.registration.registrations import db as registrations_db
from services.registration.sessions import db
from shared.refusals import FieldError, Refused

HOLDS_SEAT = ("confirmed", "offered")


def resolve(sessions: list[Session], slugs: list[str]) -> list[Session]:
    """The sessions asked for, known to the event and pairwise apart in time."""
    by_slug = {s.slug: s for s in sessions}
    unknown = [slug for slug in slugs if slug not in by_slug]
    if unknown:
        raise UNKNOWN_SESSION(
            slug=unknown[0],
            errors=[FieldError(field="sessions", message=f"no such session: {u}") for u in unknown],
        )
    chosen = [by_slug[slug] for slug in slugs]
    for i, one in enumerate(chosen):
        for other in chosen[i + 1 :]:
            if one.overlaps(other):
                raise SESSIONS_OVERLAP(
                    one=one.slug,
                    other=other.slug,
                    errors=[
                        FieldError(field="sessions", message=f"{one.slug} overlaps {other.slug}")
                    ],
                )
    return chosen


def _full(session: Session) -> Refused:
    return SESSION_FULL(
        session=session.slug,
        errors=[FieldError(field="sessions", message=f"full: {session.slug}")],
    )


async def place_new(
    conn: asyncpg.Connection,
    event: Event,
    registration_ids: list[uuid.UUID],
    chosen: list[Session],
    seated: bool,
) -> None:
    """Places for new registrations (a group shares them): all in or all in line."""
    for session in sorted(chosen, key=lambda s: s.id):  # one lock order for everyone
        if not seated:
            status = "pending"
        elif await db.update_session_seats(conn, session.id, len(registration_ids)):
            status = "confirmed"
        elif event.waitlist:
            status = "waitlisted"
        else:
            raise _full(session)
        await db.upsert_places(conn, registration_ids, session.id, status)


async def place_pending(conn: asyncpg.Connection, registration_id: uuid.UUID) -> None:
    """The registration just got its event seat: its pending places get seats or queue."""
    pending = [p for p in await db.select_places(conn, [registration_id]) if p.status == "pending"]
    for place in sorted(pending, key=lambda p: p.session.id):
        seated = await db.update_session_seats(conn, place.session.id, 1)
        status = "confirmed" if seated else "waitlisted"
        await db.upsert_places(conn, [registration_id], place.session.id, status)


async def promote(
    conn: asyncpg.Connection, event: Event, session_id: uuid.UUID, offer_hours: float
) -> None:
    """Offer a session's free seats to the first in its line."""
    if event.status != "published":
        return
    session = await db.select_session_for_update(conn, session_id)
    free = session.capacity - session.taken
    if free <= 0:
        return
    waiting = await db.select_session_line_for_update(conn, session_id, free)
    if not waiting:
        return
    expires_at = datetime.now(UTC) + timedelta(hours=offer_hours)
    for registration_id in waiting:
        await db.update_place(conn, registration_id, session_id, "offered", expires_at)
    await db.update_session_seats(conn, session_id, len(waiting))
    for registration_id in waiting:
        registration = await registrations_db.select_registration_for_update(conn, registration_id)
        await messages.enqueue_sessions_changed(conn, event, registration, [session.slug])


async def release(
    conn: asyncpg.Connection, event: Event, registration_id: uuid.UUID, offer_hours: float
) -> None:
    """The registration is cancelled: its places go, their seats to the next in line."""
    places = await db.select_places(conn, [registration_id])
    for place in places:
        await db.update_place(conn, registration_id, place.session.id, "cancelled")
    for place in places:
        if place.status in HOLDS_SEAT:
            await db.update_session_seats(conn, place.session.id, -1)
            await promote(conn, event, place.session.id, offer_hours)


async def change(
    conn: asyncpg.Connection,
    registration: Registration,
    chosen: list[Session],
    waitlist: bool,
    offer_hours: float,
) -> Registration:
    """Replace a registration's sessions with ``chosen``; a full session refuses the whole
    change unless ``waitlist`` (then it queues), so nobody loses a seat by asking."""
    event = await events_db.select_event_for_update(conn, registration.event_id)
    current = await registrations_db.select_registration_for_update(conn, registration.id)
    if current.status == "cancelled":
        raise REGISTRATION_CANCELLED()
    if event.status != "published":
        raise EVENT_NOT_OPEN(status=event.status)
    now = datetime.now(UTC)
    held = {p.session.id: p for p in await db.select_places(conn, [current.id])}
    wanted = {s.id: s for s in chosen}
    dropped = [p for session_id, p in held.items() if session_id not in wanted]
    added = [s for session_id, s in wanted.items() if session_id not in held]
    started = [p.session for p in dropped if p.session.starts_at <= now]
    started += [s for s in added if s.starts_at <= now]
    if started:
        raise SESSION_STARTED(
            slug=started[0].slug,
            errors=[FieldError(field="sessions", message=f"started: {s.slug}") for s in started],
        )
    for place in dropped:
        await db.update_place(conn, current.id, place.session.id, "cancelled")
        if place.status in HOLDS_SEAT:
            await db.update_session_seats(conn, place.session.id, -1)
    for session in sorted(added, key=lambda s: s.id):
        if current.status != "confirmed":
            status = "pending"
        elif await db.update_session_seats(conn, session.id, 1):
            status = "confirmed"
        elif waitlist:
            status = "waitlisted"
        else:
            raise _full(session)
        await db.upsert_places(conn, [current.id], session.id, status)
    for place in dropped:
        if place.status in HOLDS_SEAT:
            await promote(conn, event, place.session.id, offer_hours)
    if not dropped and not added:
        return current
    return await messages.enqueue_sessions_changed(conn, event, current, [])


async def accept_offers(
    conn: asyncpg.Connection, event: Event, registration: Registration
) -> list[SessionPlace]:
    """Confirm the registration's open session offers (the caller holds the event lock)."""
    now = datetime.now(UTC)
    accepted = [
        p
        for p in await db.select_places(conn, [registration.id])
        if p.status == "offered" and p.offer_expires_at is not None and p.offer_expires_at > now
    ]
    for place in accepted:
        await db.update_place(conn, registration.id, place.session.id, "confirmed")
    return accepted


async def expire_offers(pool: asyncpg.Pool, offer_hours: float, batch: int = 100) -> int:
    """Session offers past their expiry lose their place; the seat goes to the next."""
    expired = 0
    for stale in await db.select_expired_session_offers(pool, batch):
        async with pool.acquire() as conn, conn.transaction():
            event = await events_db.select_event_for_update(conn, stale.session.event_id)
            registration = await registrations_db.select_registration_for_update(
                conn, stale.registration_id
            )
            place = next(
                (
                    p
                    for p in await db.select_places(conn, [registration.id])
                    if p.session.id == stale.session.id
                ),
                None,
            )
            if (
                place is None
                or place.status != "offered"
                or place.offer_expires_at is None
                or place.offer_expires_at > datetime.now(UTC)
            ):
                continue  # accepted or changed while the sweeper was looking
            await db.update_place(conn, registration.id, place.session.id, "cancelled")
            await db.update_session_seats(conn, place.session.id, -1)
            await messages.enqueue_sessions_changed(conn, event, registration, [])
            await promote(conn, event, place.session.id, offer_hours)
            expired += 1
    return expired
