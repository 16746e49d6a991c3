"""Ticket signing keys: created on first start, kept in the database, public halves in NATS KV.

Rotation (DESIGN: keys have ids and rotate; old public keys verify until retired): an
organizer token covering every event adds a key (``POST /api/v1/keys``, ``cnk keys
rotate``), which signs every ticket issued from then on, and retires an old one
(``POST /api/v1/keys/{id}/retire``, ``cnk keys retire``), whose codes checkin refuses from
then on; its valid tickets get new codes (reissuing.py). Each change is published to the KV
bucket; every tickets instance follows the bucket and signs with the newest key not
retired, and checkin verifies with the keys not retired.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import msgspec
import nats.errors
import structlog
from aiohttp import web
from nacl.signing import SigningKey

from services.tickets import db as tickets_db
from services.tickets.signing import db
from services.tickets.signing.reissuing import reissue_retired
from services.tickets.signing.signer import SIGNER, CurrentSigner, public_key
from services.tickets.texts import BUS_UNAVAILABLE, KEY_NOT_FOUND, KEY_RETIRED, LAST_KEY
from shared import kv
from shared.bus import JETSTREAM
from shared.codes import KEYS_BUCKET, PublicKey
from shared.config import SETTINGS
from shared.db import DB_POOL, first_or_create
from shared.tasks import stop_task, supervise

log = structlog.get_logger()
_LOCK = b"cnk-ticket-keys"


@contextlib.asynccontextmanager
async def _keys_locked(app: web.Application) -> AsyncIterator[asyncpg.Connection]:
    """A transaction holding the keys' lock (the one first_or_create takes for the first
    key): rotations and retirements happen one at a time."""
    async with app[DB_POOL].acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", zlib.crc32(_LOCK))
        yield conn


async def _create_key(conn: asyncpg.Connection) -> db.SigningKeyRow:
    seed = SigningKey.generate()
    return await db.insert_signing_key(conn, bytes(seed), bytes(seed.verify_key))


async def ensure_signing_key(app: web.Application) -> AsyncIterator[None]:
    """The key that signs (the first one made now if there is none), published with every
    other key before any ticket is issued; then the bucket is followed."""
    pool = app[DB_POOL]
    current = await first_or_create(pool, _LOCK, db.select_current_key, _create_key)
    keys = await db.select_keys(pool)
    app[SIGNER] = CurrentSigner(current)
    await publish_public_keys(
        app[JETSTREAM], [public_key(k) for k in keys], app[SETTINGS].stream_replicas
    )
    task = asyncio.create_task(supervise(lambda: _follow_keys(app), "ticket-keys"))
    yield
    await stop_task(task)


async def _follow_keys(app: web.Application) -> None:
    """Sign with the newest key not retired whenever the bucket changes (another instance
    rotated or retired a key), then give new codes to the tickets of retired keys."""
    changed = asyncio.Event()

    async def switch() -> None:
        while True:
            await changed.wait()
            changed.clear()
            try:
                current = await db.select_current_key(app[DB_POOL])
                if current is not None:
                    app[SIGNER].use(current)
                await reissue_retired(app)
            except Exception as e:  # this loop must go on: it is the instance's key
                log.warning("ticket_keys_change_failed", error=repr(e))
                await asyncio.sleep(1)
                changed.set()

    switcher = asyncio.create_task(switch())
    try:
        await kv.follow(
            app[JETSTREAM],
            KEYS_BUCKET,
            app[SETTINGS].stream_replicas,
            lambda _name, _value: changed.set(),
            asyncio.Event(),
        )
    finally:
        switcher.cancel()


async def publish_public_keys(js: object, keys: list[PublicKey], replicas: int) -> None:
    bucket = await kv.open_bucket(js, KEYS_BUCKET, replicas)
    for key in keys:
        await bucket.put(f"k{key.id}", msgspec.json.encode(key))


async def rotate(app: web.Application) -> PublicKey:
    """A new key, signing every ticket issued from now on; the older ones keep verifying."""
    async with _keys_locked(app) as conn:
        row = await _create_key(conn)
    # Nothing signs with it before checkin can know it: announced first, then used.
    await _published(app, row, undo=lambda conn: db.delete_key(conn, row.id))
    return public_key(row)


class RetiredKey(PublicKey, frozen=True):
    reissuing: int  # valid tickets it signed, which get new codes (reissuing.py)


async def retire(app: web.Application, key_id: int) -> RetiredKey:
    """Stop ``key_id`` verifying (checkin refuses its codes from now on) and signing. Its
    valid tickets get new codes right after, from every instance's key follower."""
    async with _keys_locked(app) as conn:
        keys = {k.id: k for k in await db.select_keys(conn)}
        key = keys.get(key_id)
        if key is None:
            raise KEY_NOT_FOUND(key_id=key_id)
        if key.retired_at is not None:
            raise KEY_RETIRED(key_id=key_id)
        if not any(k.retired_at is None for k in keys.values() if k.id != key_id):
            raise LAST_KEY(key_id=key_id)
        row = await db.update_key_retired(conn, key_id)
        reissuing = await tickets_db.count_valid_tickets_of_key(conn, key_id)
    await _published(app, row, undo=lambda conn: db.update_key_unretired(conn, key_id))
    return RetiredKey(**msgspec.structs.asdict(public_key(row)), reissuing=reissuing)


async def _published(
    app: web.Application,
    changed: db.SigningKeyRow,
    undo: Callable[[asyncpg.Connection], Awaitable[object]],
) -> None:
    """Publish ``changed`` and switch this instance to the newest key not retired at once
    (the others switch when the bucket tells them). Should NATS not take it, the change is
    undone in the database (no instance has used it: they switch on the bucket's word) and
    bus_unavailable says that nothing changed."""
    try:
        await publish_public_keys(
            app[JETSTREAM], [public_key(changed)], app[SETTINGS].stream_replicas
        )
    except (nats.errors.Error, OSError, TimeoutError) as e:
        log.error("ticket_key_not_published", key_id=changed.id, error=repr(e))
        async with _keys_locked(app) as conn:
            await undo(conn)
            # The key follower may have switched to the change meanwhile (the bucket's
            # watcher starting again reads the keys from the database): back to the key
            # that signs without it.
            current = await db.select_current_key(conn)
        if current is not None:
            app[SIGNER].use(current)
        raise BUS_UNAVAILABLE() from None
    current = await db.select_current_key(app[DB_POOL])
    if current is not None:
        app[SIGNER].use(current)
