"""Registrations as the API shows them."""

from __future__ import annotations

from typing import Any

import asyncpg
from aiohttp import web

from services.registration.records import Event, Registration
from services.registration.registrations import db
from services.registration.sessions.bodies import places_body
from shared.http import json_response


def registration_body(
    registration: Registration, event: Event | None = None, position: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": registration.id,
        "event_id": registration.event_id,
        "status": registration.status,
        "name": registration.name,
        "email": registration.email,
        "lang": registration.lang,
        "organization": registration.organization,
        "country": registration.country,
        "role": registration.role,
        "ticket_type_id": registration.ticket_type_id,
        "group_id": registration.group_id,
        "created_at": registration.created_at,
    }
    if event is not None:
        body["event"] = event.slug
    if registration.status == "waitlisted":
        body["position"] = position
    if registration.status == "offered":
        body["offer_expires_at"] = registration.offer_expires_at
    if registration.status == "cancelled":
        body["cancelled_at"] = registration.cancelled_at
        body["cancel_reason"] = registration.cancel_reason
    return body


async def registration_response(pool: asyncpg.Pool, registration: Registration) -> web.Response:
    """The registration as it is now, with its place in line and its sessions."""
    position = None
    if registration.status == "waitlisted":
        position = await db.select_waitlist_position(pool, registration)
    body = registration_body(registration, position=position)
    body["sessions"] = await places_body(pool, registration.id)
    return json_response(body)
