"""The ticket verifying keys, followed live from the tickets service's NATS KV bucket."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import nats.js.errors
import structlog
from aiohttp import web
from nacl.signing import VerifyKey

from services.checkin.keys import VERIFY_KEYS
from shared.bus import stop_task, supervise
from shared.codes import KEYS_BUCKET, PublicKey
from shared.keys import JETSTREAM, SETTINGS

log = structlog.get_logger()


async def open_bucket(js: Any, replicas: int) -> Any:
    try:
        return await js.key_value(KEYS_BUCKET)
    except nats.js.errors.BucketNotFoundError:
        # checkin may start before tickets has published any key; the bucket is the
        # meeting point, so whoever comes first creates it.
        return await js.create_key_value(bucket=KEYS_BUCKET, history=1, replicas=replicas)


async def follow_keys(
    js: Any, replicas: int, keys: dict[int, VerifyKey], loaded: asyncio.Event
) -> None:
    kv = await open_bucket(js, replicas)
    watcher = await kv.watchall()
    try:
        await _apply_updates(watcher, keys, loaded)
    finally:
        with contextlib.suppress(Exception):
            await watcher.stop()


async def _apply_updates(watcher: Any, keys: dict[int, VerifyKey], loaded: asyncio.Event) -> None:
    async for entry in watcher:
        if entry is None:
            loaded.set()
            continue
        if entry.operation in ("DEL", "PURGE") or entry.value is None:
            keys.pop(int(entry.key.removeprefix("k")), None)
            continue
        key = msgspec.json.decode(entry.value, type=PublicKey)
        if key.retired_at is not None and key.retired_at <= datetime.now(UTC):
            keys.pop(key.id, None)
        else:
            keys[key.id] = key.verify_key()
        log.info("ticket_key_loaded", key_id=key.id, retired=key.retired_at is not None)
        if entry.delta == 0:
            loaded.set()


async def keyring_context(app: web.Application) -> AsyncIterator[None]:
    keys: dict[int, VerifyKey] = {}
    app[VERIFY_KEYS] = keys
    loaded = asyncio.Event()
    settings = app[SETTINGS]
    task = asyncio.create_task(
        supervise(
            lambda: follow_keys(app[JETSTREAM], settings.stream_replicas, keys, loaded),
            "ticket-keys",
        )
    )
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(loaded.wait(), timeout=5)
    yield
    await stop_task(task)
