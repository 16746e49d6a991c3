"""The services' own staff-token keys: registration signs back-office sessions, checkin the
door devices paired from the back office, with no secret for an operator to hand out.

A service that signs keeps its private key in its own schema (``staff_signing_keys``, made at
the first start) and puts the public half in the NATS KV bucket ``staff-keys`` (entry: the
key id); every service follows the bucket and accepts tokens of those keys beside the ones
of ``STAFF_TOKEN_PUBLIC_KEY`` (the operator's key, for ``cnk token``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
from aiohttp import web

from shared import kv
from shared.auth import (
    STAFF_AUTH,
    StaffClaims,
    generate_keypair,
    key_id,
    public_key,
    public_key_of,
    sign,
)
from shared.bus import JETSTREAM
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.tasks import stop_task, supervise

BUCKET = "staff-keys"


class Signer:
    """Signs staff tokens with the service's own key."""

    def __init__(self, private_b64: str) -> None:
        self.private_b64 = private_b64
        self.public_b64 = public_key_of(private_b64)
        self.key_id = key_id(self.public_b64)

    def sign(self, claims: StaffClaims) -> str:
        return sign(self.private_b64, claims)


STAFF_SIGNER = web.AppKey("staff_signer", Signer)


async def select_or_insert_key(conn: asyncpg.Connection) -> str:
    """The service's newest key, made now if it has none (instances starting at once may
    each make one: all of them are published, each signs with the newest it saw)."""
    private = await conn.fetchval(
        "SELECT private_key FROM staff_signing_keys ORDER BY created_at DESC LIMIT 1"
    )
    if private is None:
        private, public = generate_keypair()
        await conn.execute(
            "INSERT INTO staff_signing_keys (key_id, private_key) VALUES ($1, $2)",
            key_id(public),
            private,
        )
    return str(private)


async def signer_context(app: web.Application) -> AsyncIterator[None]:
    """For a service that signs: its key, published for every service to verify with."""
    async with app[DB_POOL].acquire() as conn:
        signer = Signer(await select_or_insert_key(conn))
    bucket = await kv.open_bucket(app[JETSTREAM], BUCKET, app[SETTINGS].stream_replicas)
    await bucket.put(signer.key_id, signer.public_b64.encode())
    app[STAFF_AUTH].keys[signer.key_id] = public_key(signer.public_b64)
    app[STAFF_SIGNER] = signer
    yield


async def staff_keys_context(app: web.Application) -> AsyncIterator[None]:
    """Every service: the keys in the bucket are accepted, as they come."""
    keys = app[STAFF_AUTH].keys

    def apply(kid: str, value: bytes | None) -> None:
        if value is None:
            keys.pop(kid, None)
            return
        with contextlib.suppress(ValueError):
            keys[kid] = public_key(value.decode())

    loaded = asyncio.Event()
    task = asyncio.create_task(
        supervise(
            lambda: kv.follow(app[JETSTREAM], BUCKET, app[SETTINGS].stream_replicas, apply, loaded),
            "staff-keys",
        )
    )
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(loaded.wait(), timeout=5)
    yield
    await stop_task(task)
