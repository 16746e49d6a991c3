"""Pruning the messaging tables every service has (shared/migrations/0001_messaging.sql),
and the ended rate-limit windows, a minute after start and then hourly.

Without it the outbox keeps every event ever published and the inbox every event ever
applied: after a season of events, hundreds of thousands of rows nobody reads.

- The relay deletes an outbox row once the stream has it; a row marked published by an
  earlier version (published_at) is kept PUBLISHED_KEEP.
- An inbox row is kept INBOX_KEEP: JetStream redelivers within minutes (ack wait times
  max deliver, nak delays of at most a minute). An event replayed later still meets
  aggregate_versions, which ignores any sequence not newer than the one applied.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import structlog
from aiohttp import web

from shared import ratelimit
from shared.db import DB_POOL
from shared.tasks import periodic

log = structlog.get_logger()
PUBLISHED_KEEP = timedelta(days=1)
INBOX_KEEP = timedelta(days=30)
EVERY_SECONDS = 3600.0
# Not at start: a service starting (or a test's short-lived app) needs its connections
# for its own work first.
FIRST_AFTER_SECONDS = 60.0


async def prune(conn: asyncpg.Connection | asyncpg.Pool) -> tuple[int, int]:
    """Delete what is past keeping; (outbox rows, inbox rows) deleted."""
    outbox = await conn.execute(
        "DELETE FROM outbox WHERE published_at < now() - $1::interval", PUBLISHED_KEEP
    )
    inbox = await conn.execute(
        "DELETE FROM inbox WHERE received_at < now() - $1::interval", INBOX_KEEP
    )
    return int(outbox.split()[-1]), int(inbox.split()[-1])


async def housekeeping_context(app: web.Application) -> AsyncIterator[None]:
    async def prune_and_log() -> None:
        outbox, inbox = await prune(app[DB_POOL])
        if outbox or inbox:
            log.info("messaging_tables_pruned", outbox=outbox, inbox=inbox)
        await ratelimit.prune(app[DB_POOL])

    async with periodic("housekeeping", prune_and_log, EVERY_SECONDS, FIRST_AFTER_SECONDS):
        yield
