"""HTTP of events: organizers create, change, publish and cancel them and read their
figures; anyone lists the published ones."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web

from services.registration.events import db, setup
from services.registration.records import Event
from services.registration.schemas import CreateEventRequest, UpdateEventRequest
from services.registration.sessions import db as sessions_db
from services.registration.sessions.bodies import session_body
from shared.auth import STAFF_AUTH, StaffClaims, bearer_token, looks_like_jwt
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import decode_body, json_response
from shared.routes import staff_claims


def event_body(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "slug": event.slug,
        "name": event.name,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "venue": event.venue,
        "capacity": event.capacity,
        "seats_left": event.seats_left,
        "status": event.status,
        "waitlist": event.waitlist,
        "retention_days": event.retention_days,
        "description": event.description,
        "room": event.room,
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "group_limit": event.group_limit,
        "profile_fields": event.profile_fields,
    }


def _organizer(request: web.Request) -> StaffClaims | None:
    """Public reads show drafts to the organizers of those events; any other valid staff
    token reads as public."""
    token = bearer_token(request)
    if token is None or not looks_like_jwt(token):
        return None
    claims = request.app[STAFF_AUTH].verify(token)
    return claims if claims.role == "organizer" else None


async def create_event(request: web.Request) -> web.Response:
    body = await decode_body(request, CreateEventRequest)
    event, sessions = await setup.create_event(request.app[DB_POOL], body, staff_claims(request))
    return json_response(
        event_body(event) | {"sessions": [session_body(s) for s in sessions]},
        status=201,
        headers={"Location": f"/api/v1/events/{event.slug}"},
    )


async def list_events(request: web.Request) -> web.Response:
    organizer = _organizer(request)
    found = await db.select_events(request.app[DB_POOL], include_drafts=organizer is not None)
    shown = [e for e in found if e.status != "draft" or (organizer and organizer.covers(e.slug))]
    return json_response({"events": [event_body(e) for e in shown]})


async def get_event(request: web.Request) -> web.Response:
    organizer = _organizer(request)
    slug = request.match_info["slug"]
    drafts = organizer is not None and organizer.covers(slug)
    pool = request.app[DB_POOL]
    event = await setup.find_event(pool, slug, include_drafts=drafts)
    sessions = await sessions_db.select_sessions(pool, event.id)
    return json_response(event_body(event) | {"sessions": [session_body(s) for s in sessions]})


async def update_event(request: web.Request) -> web.Response:
    body = await decode_body(request, UpdateEventRequest)
    pool = request.app[DB_POOL]
    event = await setup.find_event(pool, request.match_info["slug"], include_drafts=True)
    offer_hours = request.app[SETTINGS].offer_hours
    claims = staff_claims(request)
    updated = await setup.change_event(pool, event.id, body.given(), offer_hours, claims)
    return json_response(event_body(updated))


async def publish_event(request: web.Request) -> web.Response:
    return await _move_event(request, "published")


async def cancel_event(request: web.Request) -> web.Response:
    return await _move_event(request, "cancelled")


async def _move_event(
    request: web.Request, status: Literal["published", "cancelled"]
) -> web.Response:
    pool = request.app[DB_POOL]
    event = await setup.find_event(pool, request.match_info["slug"], include_drafts=True)
    moved = await setup.move_event(pool, event.id, status, staff_claims(request))
    return json_response(event_body(moved))


async def get_event_stats(request: web.Request) -> web.Response:
    pool = request.app[DB_POOL]
    event = await setup.find_event(pool, request.match_info["slug"], include_drafts=True)
    stats = await db.select_event_stats(pool, event.id)
    sessions = [
        {
            "slug": s.slug,
            "capacity": s.capacity,
            "seats_left": max(s.capacity - s.taken, 0),
            "confirmed": s.confirmed,
            "waitlisted": s.waitlisted,
            "open_offers": s.offered,
            "pending": s.pending,
            "cancelled": s.cancelled,
            "total_if_all_offers_taken": s.confirmed + s.offered,
        }
        for s in await sessions_db.select_session_stats(pool, event.id)
    ]
    return json_response(
        {
            "event": event.slug,
            "capacity": event.capacity,
            "seats_left": event.seats_left,
            "confirmed": stats.confirmed,
            "waitlisted": stats.waitlisted,
            "open_offers": stats.offered,
            "cancelled": stats.cancelled,
            "total_if_all_offers_taken": stats.confirmed + stats.offered,
            "sessions": sessions,
        }
    )
