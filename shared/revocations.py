"""Revoked staff tokens, shared by every service through the NATS KV bucket
``staff-revocations`` (one entry per revoked token id).

Checkin revokes (``DELETE /api/v1/door-tokens/{id}``) and writes the entry; every instance of
every service follows the bucket and refuses the token from then on, within milliseconds of
the write. No request waits on the network for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

import msgspec
from aiohttp import web

from shared import kv
from shared.auth import STAFF_AUTH
from shared.bus import JETSTREAM
from shared.config import SETTINGS
from shared.tasks import stop_task, supervise

BUCKET = "staff-revocations"


class Revocation(msgspec.Struct, frozen=True):
    revoked_at: datetime
    revoked_by: str


async def publish(js: object, jti: str, revocation: Revocation, replicas: int) -> None:
    bucket = await kv.open_bucket(js, BUCKET, replicas)
    await bucket.put(jti, msgspec.json.encode(revocation))


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
