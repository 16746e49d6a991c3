"""HTTP handlers of door tokens: revoking them, the revoked ones, the devices that used them."""

from __future__ import annotations

import uuid

from aiohttp import web

from services.checkin.attendees.events import find_event
from services.checkin.staff import db, revoking
from services.checkin.staff.revoking import RevokeRequest
from shared.auth import ALL_EVENTS
from shared.db import DB_POOL
from shared.http import decode_body, json_response
from shared.refusals import VALIDATION_FAILED, FieldError
from shared.routes import staff_claims


def _token_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise VALIDATION_FAILED(
            errors=[FieldError("token_id", "A token id is the token's jti, a UUID.")]
        ) from None


async def revoke_token(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    jti = _token_id(request.match_info["token_id"])
    body = await decode_body(request, RevokeRequest) if request.body_exists else RevokeRequest()
    await revoking.revoke_token(request.app, claims, jti, body)
    return web.Response(status=204)


async def get_revoked_tokens(request: web.Request) -> web.Response:
    """Every revoked token, for an organizer of all events; else those used at their events."""
    events = staff_claims(request).events
    slugs = None if ALL_EVENTS in events else events
    revoked = await db.select_revoked_tokens(request.app[DB_POOL], slugs)
    return json_response({"revoked": revoked})


async def get_devices(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    pool = request.app[DB_POOL]
    event = await find_event(pool, slug)
    devices = await db.select_devices(pool, event.id)
    return json_response({"event": slug, "devices": devices})
