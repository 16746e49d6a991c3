"""HTTP of sessions: organizers add and change an event's sessions; attendees change theirs."""

from __future__ import annotations

from aiohttp import web

from services.registration.events.setup import find_event
from services.registration.registrations.access import BY, registration_for
from services.registration.registrations.bodies import registration_response
from services.registration.schemas import (
    ChangeSessionsRequest,
    CreateSessionRequest,
    UpdateSessionRequest,
)
from services.registration.sessions import db
from services.registration.sessions.bodies import session_body
from services.registration.sessions.choosing import choose_sessions
from services.registration.sessions.setup import add_session, change_session
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import decode_body, json_response
from shared.routes import staff_claims


async def create_session(request: web.Request) -> web.Response:
    body = await decode_body(request, CreateSessionRequest)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    session = await add_session(pool, event, body, staff_claims(request))
    return json_response(
        session_body(session),
        status=201,
        headers={"Location": f"/api/v1/events/{event.slug}/sessions/{session.slug}"},
    )


async def list_sessions(request: web.Request) -> web.Response:
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"])
    found = await db.select_sessions(pool, event.id)
    return json_response({"sessions": [session_body(s) for s in found]})


async def update_session(request: web.Request) -> web.Response:
    body = await decode_body(request, UpdateSessionRequest)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    offer_hours = request.app[SETTINGS].offer_hours
    slug = request.match_info["session"]
    session = await change_session(pool, event, slug, body, offer_hours, staff_claims(request))
    return json_response(session_body(session))


async def change_sessions(request: web.Request) -> web.Response:
    """The attendee (manage token) or an organizer replaces the registration's sessions."""
    registration = await registration_for(request)
    body = await decode_body(request, ChangeSessionsRequest)
    pool = request.app[DB_POOL]
    offer_hours = request.app[SETTINGS].offer_hours
    changed = await choose_sessions(
        pool, registration, body.sessions, body.waitlist, offer_hours, request[BY]
    )
    return await registration_response(pool, changed)
