"""Ticket signing keys: created on first start, kept in the database, public halves in NATS KV."""

from __future__ import annotations

import base64
import zlib
from collections.abc import AsyncIterator

import msgspec
from aiohttp import web
from nacl.signing import SigningKey

from services.tickets import db
from services.tickets.keys import SIGNER
from shared import kv
from shared.codes import KEYS_BUCKET, PublicKey
from shared.keys import DB_POOL, JETSTREAM, SETTINGS


class Signer(msgspec.Struct, frozen=True):
    key_id: int
    key: SigningKey


def public_key(row: db.SigningKeyRow) -> PublicKey:
    return PublicKey(
        id=row.id,
        algorithm="Ed25519",
        public_key=base64.urlsafe_b64encode(row.public_key).rstrip(b"=").decode(),
        created_at=row.created_at,
        retired_at=row.retired_at,
    )


async def ensure_signing_key(app: web.Application) -> AsyncIterator[None]:
    pool = app[DB_POOL]
    async with pool.acquire() as conn, conn.transaction():
        # Two instances starting at once must agree on one key, not create two.
        await conn.execute("SELECT pg_advisory_xact_lock($1)", zlib.crc32(b"cnk-ticket-keys"))
        current = await db.select_current_key(conn)
        if current is None:
            seed = SigningKey.generate()
            current = await db.insert_signing_key(conn, bytes(seed), bytes(seed.verify_key))
        keys = await db.select_keys(conn)
    app[SIGNER] = Signer(key_id=current.id, key=SigningKey(current.private_key))
    await publish_public_keys(
        app[JETSTREAM], [public_key(k) for k in keys], app[SETTINGS].stream_replicas
    )
    yield


async def publish_public_keys(js: object, keys: list[PublicKey], replicas: int) -> None:
    bucket = await kv.open_bucket(js, KEYS_BUCKET, replicas)
    for key in keys:
        await bucket.put(f"k{key.id}", msgspec.json.encode(key))
