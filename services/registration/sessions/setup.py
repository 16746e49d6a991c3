"""What organizers do with an event's sessions: add one, change one (new seats go to its
line at once)."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from services.registration import messages
from services.registration.events import db as events_db
from services.registration.events.setup import SERVICE, lock_changeable_event
from services.registration.records import Event, Session
from services.registration.refusals import CAPACITY_BELOW_TAKEN, SESSION_EXISTS
from services.registration.schemas import CreateSessionRequest, UpdateSessionRequest
from services.registration.sessions import db
from services.registration.sessions.seats import promote
from shared import audit
from shared.auth import StaffClaims
from shared.refusals import SESSION_NOT_FOUND, VALIDATION_FAILED, FieldError
from shared.slugs import is_slug


async def add_session(
    pool: asyncpg.Pool, event: Event, body: CreateSessionRequest, claims: StaffClaims
) -> Session:
    [session] = await add_sessions(pool, event, [body], claims)
    return session


async def add_sessions(
    pool: asyncpg.Pool, event: Event, bodies: list[CreateSessionRequest], claims: StaffClaims
) -> list[Session]:
    """Add sessions to the event, all or none, announced in one ``event.updated``."""
    sessions = [
        Session(
            id=uuid.uuid4(),
            event_id=event.id,
            slug=body.slug,
            name=body.name,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            capacity=body.capacity,
            taken=0,
            room=body.room,
        )
        for body in bodies
    ]
    async with pool.acquire() as conn, conn.transaction():
        await lock_changeable_event(conn, event.id)
        for session in sessions:
            try:
                await db.insert_session(conn, session)
            except asyncpg.UniqueViolationError:
                raise SESSION_EXISTS(slug=session.slug) from None
            await audit.record(
                conn, SERVICE, claims, "session.added", event_slug=event.slug, after=session
            )
        updated = await events_db.update_event_fields(conn, event.id, {})
        await messages.enqueue_event_updated(conn, updated, ["sessions"])
    return sessions


async def change_session(
    pool: asyncpg.Pool,
    event: Event,
    session_slug: str,
    body: UpdateSessionRequest,
    offer_hours: float,
    claims: StaffClaims,
) -> Session:
    """Change a session's name, room, time or capacity; new seats go to its line at once."""
    async with pool.acquire() as conn, conn.transaction():
        await lock_changeable_event(conn, event.id)
        known = {s.slug: s for s in await db.select_sessions(conn, event.id)}
        if not is_slug(session_slug) or session_slug not in known:
            raise SESSION_NOT_FOUND(slug=session_slug)
        session = await db.select_session_for_update(conn, known[session_slug].id)
        given = {
            f: getattr(body, f)
            for f in body.__struct_fields__
            if getattr(body, f) is not msgspec.UNSET and getattr(body, f) != getattr(session, f)
        }
        if not given:
            return session
        after = msgspec.structs.replace(session, **given)
        if after.ends_at <= after.starts_at:
            raise VALIDATION_FAILED(
                errors=[FieldError(field="ends_at", message="must be after starts_at")]
            )
        if after.capacity < session.taken:
            raise CAPACITY_BELOW_TAKEN(
                taken=session.taken,
                of=" of this session",
                errors=[FieldError(field="capacity", message=f"at least {session.taken}")],
            )
        columns = dict(given)
        if "name" in columns:
            name = columns.pop("name")
            columns |= {"name_pl": name.pl, "name_en": name.en}
        await db.update_session_fields(conn, session.id, columns)
        updated_event = await events_db.update_event_fields(conn, event.id, {})
        await messages.enqueue_event_updated(conn, updated_event, ["sessions"])
        await promote(conn, updated_event, session.id, offer_hours)
        after = await db.select_session_for_update(conn, session.id)
        await audit.record(
            conn,
            SERVICE,
            claims,
            "session.updated",
            event_slug=event.slug,
            before=session,
            after=after,
        )
        return after
