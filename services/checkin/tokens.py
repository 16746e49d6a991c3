"""Door tokens: revoking them (every service refuses a revoked one, shared/revocations.py),
and the devices that used them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from aiohttp import web

from services.checkin import db, tokens_db
from shared import revocations
from shared.auth import ALL_EVENTS
from shared.http import ProblemError, decode_body, json_response
from shared.keys import DB_POOL, JETSTREAM, SETTINGS, STAFF_AUTH
from shared.refusals import FieldError
from shared.routes import staff_claims
from shared.slugs import PRINTABLE, is_slug


async def publish_revocations(app: web.Application) -> AsyncIterator[None]:
    """At start, every revocation in the database is (again) in the bucket: one whose write
    to the bucket failed after the database had it gets there now."""
    js, replicas = app[JETSTREAM], app[SETTINGS].stream_replicas
    for row in await tokens_db.select_revoked_tokens(app[DB_POOL]):
        revocation = revocations.Revocation(row.revoked_at, row.revoked_by)
        await revocations.publish(js, row.token_id, revocation, replicas)
    yield


async def event_of(request: web.Request, slug: str) -> db.EventRow:
    event = await db.select_event_by_slug(request.app[DB_POOL], slug) if is_slug(slug) else None
    if event is None:
        raise ProblemError(404, "event_not_found", f"There is no event {slug!r}.")
    return event


class RevokeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500, pattern=PRINTABLE)] | None = None


def _token_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ProblemError(
            400,
            "validation_failed",
            "The request has invalid fields.",
            errors=[FieldError("token_id", "A token id is the token's jti, a UUID.")],
        ) from None


async def revoke_token(request: web.Request) -> web.Response:
    """An organizer of all events revokes any token; an organizer of some events, a token
    that a device used at one of their events (a lost door phone)."""
    claims = staff_claims(request)
    jti = _token_id(request.match_info["token_id"])
    body = await decode_body(request, RevokeRequest) if request.body_exists else RevokeRequest()
    app = request.app
    if ALL_EVENTS not in claims.events:
        used_at = await tokens_db.select_token_event_slugs(app[DB_POOL], jti)
        if not any(claims.covers(slug) for slug in used_at):
            raise ProblemError(
                403,
                "event_not_covered",
                "No device used this token at an event of yours: an organizer of all"
                " events can revoke it.",
            )
    await tokens_db.insert_revoked_token(app[DB_POOL], jti, claims.sub, body.reason)
    revocation = revocations.Revocation(datetime.now(UTC), claims.sub)
    # This process at once; every instance of every service as the bucket tells it.
    app[STAFF_AUTH].revoked.add(jti)
    await revocations.publish(app[JETSTREAM], jti, revocation, app[SETTINGS].stream_replicas)
    return web.Response(status=204)


async def get_revoked_tokens(request: web.Request) -> web.Response:
    """Every revoked token, for an organizer of all events; else those used at their events."""
    events = staff_claims(request).events
    slugs = None if ALL_EVENTS in events else events
    revoked = await tokens_db.select_revoked_tokens(request.app[DB_POOL], slugs)
    return json_response({"revoked": revoked})


async def get_devices(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    event = await event_of(request, slug)
    devices = await tokens_db.select_devices(request.app[DB_POOL], event.id)
    return json_response({"event": slug, "devices": devices})
