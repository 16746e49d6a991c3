"""Sessions API: organizers add and change an event's sessions; attendees change theirs."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec
from aiohttp import web

from services.registration import db, messages, seats, session_seats
from services.registration.handlers import (
    _answer,
    event_or_404,
    registration_for,
    session_body,
)
from services.registration.schemas import (
    ChangeSessionsRequest,
    CreateSessionRequest,
    Session,
    UpdateSessionRequest,
)
from shared.http import ProblemError, decode_body, json_response
from shared.keys import DB_POOL, SETTINGS
from shared.refusals import FieldError
from shared.slugs import is_slug


async def create_session(request: web.Request) -> web.Response:
    body = await decode_body(request, CreateSessionRequest)
    event = await event_or_404(request, include_drafts=True)
    session = Session(
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
    pool = request.app[DB_POOL]
    try:
        async with pool.acquire() as conn, conn.transaction():
            await seats.lock_changeable_event(conn, event.id)
            await db.insert_session(conn, session)
            updated = await db.update_event_fields(conn, event.id, {})
            await messages.enqueue_event_updated(conn, updated, ["sessions"])
    except asyncpg.UniqueViolationError:
        raise ProblemError(
            409, "session_exists", f"This event already has a session {body.slug!r}."
        ) from None
    return json_response(
        session_body(session),
        status=201,
        headers={"Location": f"/api/v1/events/{event.slug}/sessions/{session.slug}"},
    )


async def list_sessions(request: web.Request) -> web.Response:
    event = await event_or_404(request)
    found = await db.select_sessions(request.app[DB_POOL], event.id)
    return json_response({"sessions": [session_body(s) for s in found]})


async def update_session(request: web.Request) -> web.Response:
    """Change a session's name, room, time or capacity; new seats go to its line at once."""
    body = await decode_body(request, UpdateSessionRequest)
    event = await event_or_404(request, include_drafts=True)
    session_slug = request.match_info["session"]
    pool = request.app[DB_POOL]
    async with pool.acquire() as conn, conn.transaction():
        await seats.lock_changeable_event(conn, event.id)
        known = {s.slug: s for s in await db.select_sessions(conn, event.id)}
        if not is_slug(session_slug) or session_slug not in known:
            raise ProblemError(
                404, "session_not_found", f"This event has no session {session_slug!r}."
            )
        session = await db.select_session_for_update(conn, known[session_slug].id)
        given = {
            f: getattr(body, f)
            for f in body.__struct_fields__
            if getattr(body, f) is not msgspec.UNSET and getattr(body, f) != getattr(session, f)
        }
        if not given:
            return json_response(session_body(session))
        after = msgspec.structs.replace(session, **given)
        if after.ends_at <= after.starts_at:
            raise ProblemError(
                400,
                "validation_failed",
                "The session must end after it starts.",
                errors=[FieldError(field="ends_at", message="must be after starts_at")],
            )
        if after.capacity < session.taken:
            raise ProblemError(
                409,
                "capacity_below_taken",
                f"{session.taken} seats of this session are taken or offered;"
                " the capacity cannot go below that.",
                errors=[FieldError(field="capacity", message=f"at least {session.taken}")],
            )
        columns = dict(given)
        if "name" in columns:
            name = columns.pop("name")
            columns |= {"name_pl": name.pl, "name_en": name.en}
        await db.update_session_fields(conn, session.id, columns)
        updated_event = await db.update_event_fields(conn, event.id, {})
        await messages.enqueue_event_updated(conn, updated_event, ["sessions"])
        await session_seats.promote(
            conn, updated_event, session.id, request.app[SETTINGS].offer_hours
        )
        session = await db.select_session_for_update(conn, session.id)
    return json_response(session_body(session))


async def change_sessions(request: web.Request) -> web.Response:
    """The attendee (manage token) or an organizer replaces the registration's sessions."""
    registration = await registration_for(request)
    body = await decode_body(request, ChangeSessionsRequest)
    pool = request.app[DB_POOL]
    known = await db.select_sessions(pool, registration.event_id)
    chosen = session_seats.resolve(known, body.sessions)
    async with pool.acquire() as conn, conn.transaction():
        changed = await session_seats.change(
            conn, registration, chosen, body.waitlist, request.app[SETTINGS].offer_hours
        )
    return await _answer(request, changed)
