"""NATS KV buckets as meeting points between services: one publishes, others follow live."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import nats.js.errors

WATCHER_LINGER_SECONDS = 30.0
# Called with an entry's key and value, or None for a deleted key.
Apply = Callable[[str, bytes | None], None]


async def open_bucket(js: Any, bucket: str, replicas: int) -> Any:
    """The bucket, created if missing: publisher and follower may start in either order, so
    whoever comes first creates it."""
    try:
        return await js.key_value(bucket)
    except nats.js.errors.BucketNotFoundError:
        return await js.create_key_value(bucket=bucket, history=1, replicas=replicas)


async def follow(js: Any, bucket: str, replicas: int, apply: Apply, loaded: asyncio.Event) -> None:
    """Feed every entry of ``bucket`` to ``apply``, then every change, until cancelled;
    ``loaded`` is set once the current entries have all been applied."""
    kv = await open_bucket(js, bucket, replicas)
    # The server keeps a watcher's consumer this long after its subscription went away
    # (nats-py's default is 5 minutes): every instance that starts, or test app, adds
    # one, and a stream takes at most 1,000 consumers (nats-server 2.15's default).
    creating = asyncio.ensure_future(kv.watchall(inactive_threshold=WATCHER_LINGER_SECONDS))
    try:
        watcher = await asyncio.shield(creating)
    except asyncio.CancelledError:
        # Stopped while the watcher was being set up (an app closed right after it
        # started): let it finish and stop it, or its subscription stays and holds up the
        # connection's drain for the whole drain timeout.
        with contextlib.suppress(Exception):
            await (await creating).stop()
        raise
    try:
        async for entry in watcher:
            if entry is None:  # the end of the initial values (an empty bucket sends only this)
                loaded.set()
                continue
            deleted = entry.operation in ("DEL", "PURGE") or entry.value is None
            apply(entry.key, None if deleted else entry.value)
            if entry.delta == 0:
                loaded.set()
    finally:
        with contextlib.suppress(Exception):
            await watcher.stop()
