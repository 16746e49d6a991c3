"""Revoked staff tokens, shared by every service through the NATS KV bucket
``staff-revocations`` (one entry per revoked token id).

Checkin revokes (``DELETE /api/v1/door-tokens/{id}``) and writes the entry; every instance of
every service follows the bucket and refuses the token from then on, within milliseconds of
the write. No request waits on the network for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec
from aiohttp import web

from shared import kv
from shared.auth import STAFF_AUTH
from shared.bus import JETSTREAM
from shared.config import SETTINGS
from shared.refusals import VALIDATION_FAILED, FieldError
from shared.routes import Route, Who, staff_claims
from shared.tasks import stop_task, supervise

BUCKET = "staff-revocations"


class Revocation(msgspec.Struct, frozen=True):
    revoked_at: datetime
    revoked_by: str


async def publish(js: object, jti: str, revocation: Revocation, replicas: int) -> None:
    bucket = await kv.open_bucket(js, BUCKET, replicas)
    await bucket.put(jti, msgspec.json.encode(revocation))


async def revoke(app: web.Application, jti: str, revoked_by: str) -> None:
    """Every service refuses the token (or session) from now on: this process at once, the
    others as the bucket tells them."""
    app[STAFF_AUTH].revoked.add(jti)
    revocation = Revocation(datetime.now(UTC), revoked_by)
    await publish(app[JETSTREAM], jti, revocation, app[SETTINGS].stream_replicas)


def token_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise VALIDATION_FAILED(
            errors=[FieldError("token_id", "A token id is the token's jti, a UUID.")]
        ) from None


async def revoke_token(request: web.Request) -> web.Response:
    """``DELETE /api/v1/tokens/{token_id}`` on a service's own port, for an admin or an
    organizer of all events (on the origin, checkin answers it, with its finer rules)."""
    jti = token_id(request.match_info["token_id"])
    await revoke(request.app, jti, staff_claims(request).sub)
    return web.Response(status=204)


# Every service answers it on its own port; the origin routes the path to checkin.
REVOKE_ON_PORT = Route(
    "DELETE", "/api/v1/tokens/{token_id}", revoke_token, Who.ALL_EVENTS, on_origin=False
)


async def revocations_context(app: web.Application) -> AsyncIterator[None]:
    revoked = app[STAFF_AUTH].revoked

    def apply(jti: str, value: bytes | None) -> None:
        if value is None:
            revoked.discard(jti)
        else:
            revoked.add(jti)

    loaded = asyncio.Event()
    task = asyncio.create_task(
        supervise(
            lambda: kv.follow(app[JETSTREAM], BUCKET, app[SETTINGS].stream_replicas, apply, loaded),
            "staff-revocations",
        )
    )
    # Not serving before the revoked tokens are known, if they come within a few seconds:
    # a revoked one must not slip through a restart. Until then /readyz says so.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(loaded.wait(), timeout=5)

    async def mark_known() -> None:
        await loaded.wait()
        app[STAFF_AUTH].revocations_known = True

    known = asyncio.create_task(mark_known())
    yield
    await stop_task(known)
    await stop_task(task)
