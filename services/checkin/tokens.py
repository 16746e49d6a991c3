"""Door and organizer tokens as checkin accepts them: verified, not revoked, authorised.

Revoked jtis live in memory in every process (the scan path makes no extra round trip),
loaded at start, told of new ones through LISTEN/NOTIFY on a dedicated connection, and
reloaded in full every RELOAD_SECONDS in case a notification was lost with a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
import msgspec
from aiohttp import web

from services.checkin import db, tokens_db
from shared.auth import Role, StaffClaims
from shared.bus import stop_task, supervise
from shared.db import listening
from shared.http import PRINTABLE, FieldError, ProblemError, decode_body, is_slug, json_response
from shared.keys import DB_POOL, SETTINGS, STAFF_AUTH

RELOAD_SECONDS = 30.0
SCANNERS: tuple[Role, ...] = ("door", "organizer")
ORGANIZERS: tuple[Role, ...] = ("organizer",)


class RevokedTokens:
    """The revoked jtis as this process knows them."""

    def __init__(self) -> None:
        self._jtis: set[str] = set()
        self._heard: set[str] | None = None

    def __contains__(self, jti: object) -> bool:
        return jti in self._jtis

    def add(self, jti: str) -> None:
        self._jtis.add(jti)
        if self._heard is not None:
            self._heard.add(jti)

    async def reload(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        # A notification can be handled while the reload's answer is on its way, for a
        # revocation committed after the reload's snapshot: keep what was heard meanwhile.
        self._heard = set()
        try:
            loaded = await tokens_db.select_revoked_jtis(conn)
            self._jtis = loaded | self._heard
        finally:
            self._heard = None


REVOKED_TOKENS = web.AppKey("revoked_tokens", RevokedTokens)


async def _follow(app: web.Application, revoked: RevokedTokens) -> None:
    settings = app[SETTINGS]
    channel = tokens_db.revocation_channel(settings.schema)
    async with listening(settings, "revocations", channel, revoked.add) as (conn, lost):
        while True:
            # Right after LISTEN too: what was revoked before it was not heard.
            await revoked.reload(conn)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), RELOAD_SECONDS)
            if lost.is_set():
                raise ConnectionError("the revocation listener lost its connection")


async def revocations_context(app: web.Application) -> AsyncIterator[None]:
    revoked = RevokedTokens()
    await revoked.reload(app[DB_POOL])
    app[REVOKED_TOKENS] = revoked
    task = asyncio.create_task(supervise(lambda: _follow(app, revoked), "token-revocations"))
    yield
    await stop_task(task)


def require(
    request: web.Request, roles: tuple[Role, ...], event_slug: str | None = None
) -> StaffClaims:
    """The claims of a valid, unrevoked token of one of ``roles`` (covering the event)."""
    # Revoked is checked first: a lost phone's token is told it is revoked, whatever it asks.
    claims = request.app[STAFF_AUTH].require(request, SCANNERS)
    if claims.jti in request.app[REVOKED_TOKENS]:
        raise ProblemError(401, "token_revoked", "This staff token has been revoked.")
    return request.app[STAFF_AUTH].require(request, roles, event_slug)


async def require_scanner(request: web.Request, event_slug: str | None = None) -> StaffClaims:
    """The claims of a door or organizer token allowed to scan."""
    return require(request, SCANNERS, event_slug)


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
    claims = require(request, ORGANIZERS)
    jti = _token_id(request.match_info["token_id"])
    body = await decode_body(request, RevokeRequest) if request.body_exists else RevokeRequest()
    settings = request.app[SETTINGS]
    await tokens_db.insert_revoked_token(
        request.app[DB_POOL],
        tokens_db.revocation_channel(settings.schema),
        jti,
        claims.sub,
        body.reason,
    )
    request.app[REVOKED_TOKENS].add(jti)  # this process at once, the others on NOTIFY
    return web.Response(status=204)


async def get_revoked_tokens(request: web.Request) -> web.Response:
    require(request, ORGANIZERS)
    revoked = await tokens_db.select_revoked_tokens(request.app[DB_POOL])
    return json_response({"revoked": revoked})


async def get_devices(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    require(request, ORGANIZERS, slug)
    event = await event_of(request, slug)
    devices = await tokens_db.select_devices(request.app[DB_POOL], event.id)
    return json_response({"event": slug, "devices": devices})
