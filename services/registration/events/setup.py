"""What organizers do with events: create one (with its sessions), change its settings,
publish it, cancel it. Every change runs with the event's row locked (see
registrations/seats.py for the lock order)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import asyncpg
import msgspec

from services.registration import messages
from services.registration.events import db
from services.registration.records import Event, Session
from services.registration.refusals import (
    CAPACITY_BELOW_TAKEN,
    EVENT_CANCELLED,
    INVALID_TRANSITION,
    SLUG_TAKEN,
)
from services.registration.registrations import db as registrations_db
from services.registration.registrations.seats import cancel, promote
from services.registration.schemas import PROFILE_FIELDS, CreateEventRequest
from services.registration.sessions import db as sessions_db
from shared import audit, events, outbox
from shared.auth import StaffAuth, StaffClaims
from shared.refusals import EVENT_NOT_COVERED, EVENT_NOT_FOUND, VALIDATION_FAILED, FieldError
from shared.slugs import is_slug

SERVICE = "registration"

# Request fields stored in one column of the same name; name and description take two.
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


def may_create(claims: StaffClaims, slug: str | None = None) -> bool:
    """Whether the person may create the event ``slug`` (``None``: any new event): an
    organizer or admin at that slug, or of all events."""
    return claims.may("organizer", slug)


def check_may_create(claims: StaffClaims, slug: str) -> None:
    StaffAuth.check(claims, ("organizer",))
    if not may_create(claims, slug):
        raise EVENT_NOT_COVERED(slug=slug)


async def find_event(pool: asyncpg.Pool, slug: str, include_drafts: bool = False) -> Event:
    """The event of ``slug``; a draft only when asked."""
    event = await db.select_event(pool, slug) if is_slug(slug) else None
    if event is None or (event.status == "draft" and not include_drafts):
        raise EVENT_NOT_FOUND(slug=slug)
    return event


async def create_event(
    pool: asyncpg.Pool, body: CreateEventRequest, claims: StaffClaims
) -> tuple[Event, list[Session]]:
    """A new event with its sessions, by an organizer whose grants cover its slug."""
    check_may_create(claims, body.slug)
    event = Event(
        id=uuid.uuid4(),
        slug=body.slug,
        name=body.name,
        kind=body.kind,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        venue=body.venue,
        capacity=body.capacity,
        taken=0,
        status=body.status,
        version=1,
        waitlist=body.waitlist,
        retention_days=body.retention_days,
        description=body.description,
        room=body.room,
        registration_opens_at=body.registration_opens_at,
        registration_closes_at=body.registration_closes_at,
        group_limit=body.group_limit,
        profile_fields=body.profile_fields,
    )
    sessions = [
        Session(
            id=uuid.uuid4(),
            event_id=event.id,
            slug=s.slug,
            name=s.name,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            capacity=s.capacity,
            taken=0,
            room=s.room,
        )
        for s in body.sessions
    ]
    try:
        async with pool.acquire() as conn, conn.transaction():
            await db.insert_event(conn, event)
            for session in sessions:
                await sessions_db.insert_session(conn, session)
            await outbox.enqueue(
                conn,
                events.EventCreated(
                    event=messages.event_info(event),
                    capacity=event.capacity,
                    status=event.status,
                    sessions=[messages.session_info(s) for s in sessions],
                    ticket_types=[],  # added later, each one announced by event.updated
                ),
                event.id,
                event.version,
            )
            await audit.record(
                conn, SERVICE, claims, "event.created", event_slug=event.slug, after=event
            )
            for session in sessions:
                await audit.record(
                    conn, SERVICE, claims, "session.added", event_slug=event.slug, after=session
                )
    except asyncpg.UniqueViolationError:
        raise SLUG_TAKEN(slug=body.slug) from None
    return event, sessions


async def set_status(
    conn: asyncpg.Connection,
    event_id: uuid.UUID,
    status: Literal["published", "cancelled"],
    claims: StaffClaims,
) -> Event:
    """Publish a draft, or cancel an event: every registration is cancelled with it, which
    revokes every ticket and tells every attendee."""
    event = await db.select_event_for_update(conn, event_id)
    allowed = {"published": ("draft",), "cancelled": ("draft", "published")}[status]
    if event.status == status:
        return event
    if event.status not in allowed:
        raise INVALID_TRANSITION(current=event.status, wanted=status)
    updated = await db.update_event_status(conn, event_id, status)
    await messages.enqueue_event_updated(conn, updated, ["status"])
    await audit.record(
        conn, SERVICE, claims, f"event.{status}", event_slug=event.slug, before=event, after=updated
    )
    if status == "cancelled":
        active = await registrations_db.select_active_registrations_for_update(conn, event_id)
        for registration in active:
            await cancel(conn, registration, "event_cancelled", offer_hours=0)
    return await db.select_event_for_update(conn, event_id)


async def move_event(
    pool: asyncpg.Pool,
    event_id: uuid.UUID,
    status: Literal["published", "cancelled"],
    claims: StaffClaims,
) -> Event:
    """set_status in a transaction of its own."""
    async with pool.acquire() as conn, conn.transaction():
        return await set_status(conn, event_id, status, claims)


async def change_event(
    pool: asyncpg.Pool,
    event_id: uuid.UUID,
    given: dict[str, Any],
    offer_hours: float,
    claims: StaffClaims,
) -> Event:
    """update_event in a transaction of its own."""
    async with pool.acquire() as conn, conn.transaction():
        return await update_event(conn, event_id, given, offer_hours, claims)


async def lock_changeable_event(conn: asyncpg.Connection, event_id: uuid.UUID) -> Event:
    """The event, locked for a change by its organizer; a cancelled one cannot change."""
    event = await db.select_event_for_update(conn, event_id)
    if event.status == "cancelled":
        raise EVENT_CANCELLED()
    return event


async def update_event(
    conn: asyncpg.Connection,
    event_id: uuid.UUID,
    given: dict[str, Any],
    offer_hours: float,
    claims: StaffClaims,
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
        raise VALIDATION_FAILED(
            errors=[FieldError(field="ends_at", message="must be after starts_at")]
        )
    opens, closes = after.registration_opens_at, after.registration_closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise VALIDATION_FAILED(
            errors=[
                FieldError(
                    field="registration_closes_at", message="must be after registration_opens_at"
                )
            ],
        )
    if after.capacity < event.taken:
        raise CAPACITY_BELOW_TAKEN(
            taken=event.taken,
            of="",
            errors=[FieldError(field="capacity", message=f"at least {event.taken}")],
        )
    columns: dict[str, Any] = {}
    for field, value in changed.items():
        if field == "name":
            columns |= {"name_pl": value.pl, "name_en": value.en}
        elif field == "description":
            columns |= {"description_pl": value.pl, "description_en": value.en}
        elif field == "profile_fields":
            columns |= {f"ask_{name}": getattr(value, name) for name in PROFILE_FIELDS}
        else:
            columns[EVENT_COLUMNS[field]] = value
    updated = await db.update_event_fields(conn, event_id, columns)
    await messages.enqueue_event_updated(conn, updated, sorted(changed))
    await audit.record(
        conn, SERVICE, claims, "event.updated", event_slug=event.slug, before=event, after=updated
    )
    if updated.status != "published":
        return updated
    offered = await promote(conn, updated, offer_hours)
    return msgspec.structs.replace(updated, taken=updated.taken + offered)
