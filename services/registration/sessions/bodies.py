"""Sessions and a registration's places in them, as the API shows them."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from services.registration.records import Session, SessionPlace
from services.registration.sessions import db


def session_body(session: Session) -> dict[str, Any]:
    return {
        "slug": session.slug,
        "name": session.name,
        "room": session.room,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "capacity": session.capacity,
        "seats_left": session.seats_left,
    }


def place_body(place: SessionPlace) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": place.session.slug,
        "name": place.session.name,
        "room": place.session.room,
        "starts_at": place.session.starts_at,
        "ends_at": place.session.ends_at,
        "status": place.status,
    }
    if place.status == "waitlisted":
        body["position"] = place.position
    if place.status == "offered":
        body["offer_expires_at"] = place.offer_expires_at
    return body


async def places_body(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> list[dict[str, Any]]:
    """A registration's current sessions, with its place in each line it waits in."""
    return [place_body(place) for place in await db.select_places(conn, [registration_id])]
