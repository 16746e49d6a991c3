"""The ticket verifying keys, followed live from the tickets service's NATS KV bucket."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec
import structlog
from aiohttp import web
from nacl.signing import VerifyKey

from shared import kv
from shared.bus import JETSTREAM
from shared.codes import KEYS_BUCKET, PublicKey
from shared.config import SETTINGS
from shared.tasks import stop_task, supervise

log = structlog.get_logger()
VERIFY_KEYS = web.AppKey("verify_keys", dict[int, VerifyKey])


def apply_key(keys: dict[int, VerifyKey], name: str, value: bytes | None) -> None:
    if value is None:
        keys.pop(int(name.removeprefix("k")), None)
        return
    key = msgspec.json.decode(value, type=PublicKey)
    if key.retired_at is not None and key.retired_at <= datetime.now(UTC):
        keys.pop(key.id, None)
    else:
        keys[key.id] = key.verify_key()
    log.info("ticket_key_loaded", key_id=key.id, retired=key.retired_at is not None)


async def keyring_context(app: web.Application) -> AsyncIterator[None]:
    keys: dict[int, VerifyKey] = {}
    app[VERIFY_KEYS] = keys
    loaded = asyncio.Event()
    settings = app[SETTINGS]
    task = asyncio.create_task(
        supervise(
            lambda: kv.follow(
                app[JETSTREAM],
                KEYS_BUCKET,
                settings.stream_replicas,
                lambda name, value: apply_key(keys, name, value),
                loaded,
            ),
            "ticket-keys",
        )
    )
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(loaded.wait(), timeout=5)
    yield
    await stop_task(task)
