"""Transactional outbox: enqueue events with the business change, relay them to JetStream."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
import structlog
from aiohttp import web

from shared import wire
from shared.bus import JETSTREAM
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.events import EventData
from shared.tasks import Pacer, stop_task, supervise

log = structlog.get_logger()
BATCH = 200
CLAIM_SECONDS = 30
ACK_SECONDS = 5  # how long a batch's publishes wait for JetStream's acknowledgements


class Prepared(msgspec.Struct, frozen=True):
    """An outbox row's values, for writers that insert it inside their own SQL statement."""

    id: uuid.UUID
    subject: str
    payload: bytes


def prepare(data: EventData, aggregate_id: uuid.UUID, sequence: int) -> Prepared:
    env = wire.envelope(data, aggregate_id, sequence)
    return Prepared(id=env.id, subject=env.type, payload=wire.encode(env))


async def enqueue(
    conn: asyncpg.Connection, data: EventData, aggregate_id: uuid.UUID, sequence: int
) -> uuid.UUID:
    """Write ``data`` to the outbox inside the caller's transaction; published after commit."""
    row = prepare(data, aggregate_id, sequence)
    await conn.execute(
        "INSERT INTO outbox (id, subject, payload) VALUES ($1, $2, $3)",
        row.id,
        row.subject,
        row.payload,
    )
    return row.id


async def enqueue_many(conn: asyncpg.Connection, rows: list[Prepared]) -> None:
    """Write prepared rows to the outbox in one statement, inside the caller's transaction."""
    if not rows:
        return
    await conn.execute(
        "INSERT INTO outbox (id, subject, payload)"
        " SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[])",
        [r.id for r in rows],
        [r.subject for r in rows],
        [r.payload for r in rows],
    )


class Relay:
    def __init__(
        self, pool: asyncpg.Pool, js: Any, poll_seconds: float, batch_interval: float = 0.0
    ) -> None:
        self.pool = pool
        self.js = js
        self.poll_seconds = poll_seconds
        self.pacer = Pacer(batch_interval)
        self.wake = asyncio.Event()

    async def claim(self) -> list[asyncpg.Record]:
        # A claim, not a held lock: no transaction stays open across the publishes, and a
        # crashed relay's rows become claimable again after CLAIM_SECONDS. SKIP LOCKED lets
        # several instances claim disjoint batches.
        return list(
            await self.pool.fetch(
                "UPDATE outbox SET claimed_until = now() + make_interval(secs => $2)"
                " WHERE seq IN (SELECT seq FROM outbox WHERE published_at IS NULL"
                "   AND (claimed_until IS NULL OR claimed_until < now())"
                "   ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)"
                " RETURNING seq, id, subject, payload",
                BATCH,
                CLAIM_SECONDS,
            )
        )

    async def publish_batch(self) -> int:
        rows = await self.claim()
        if not rows:
            return 0
        self.pacer.took()
        rows = sorted(rows, key=lambda r: r["seq"])
        acks: list[asyncio.Future[Any]] = []
        try:
            # Sent in outbox order on one connection, so the stream stores them in that
            # order; the acknowledgements are awaited together, not one round trip each.
            for row in rows:
                acks.append(
                    await self.js.publish_async(
                        row["subject"], row["payload"], headers={"Nats-Msg-Id": str(row["id"])}
                    )
                )
            await asyncio.wait(acks, timeout=ACK_SECONDS)
        finally:
            for ack in acks:
                if not ack.done():
                    ack.cancel()  # late, or the loop above failed
            # Published, and deleted: the rows acknowledged before the first that was not.
            # Those after it go again (the stream drops what it already has by Nats-Msg-Id).
            published: list[int] = []
            for row, ack in zip(rows, acks, strict=False):
                if not ack.done() or ack.cancelled() or ack.exception() is not None:
                    break
                published.append(row["seq"])
            if len(published) < len(rows):
                failed = next((a for a in acks[len(published) :] if a.done()), None)
                log.warning(
                    "outbox_publish_incomplete",
                    published=len(published),
                    claimed=len(rows),
                    error=None
                    if failed is None or failed.cancelled()
                    else repr(failed.exception()),
                )
            if published:
                await self.pool.execute(
                    "DELETE FROM outbox WHERE seq = ANY($1::bigint[])",
                    published,
                )
            unpublished = [r["seq"] for r in rows[len(published) :]]
            if unpublished:
                await self.pool.execute(
                    "UPDATE outbox SET claimed_until = NULL WHERE seq = ANY($1::bigint[])",
                    unpublished,
                )
        return len(published)

    async def run(self) -> None:
        while True:
            self.wake.clear()
            try:
                count = await self.publish_batch()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("outbox_publish_failed", error=f"{type(e).__name__}: {e}")
                count = 0
                await asyncio.sleep(1)
            if count == BATCH:
                continue
            await self.pacer.pause()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.poll_seconds)


async def relay_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    relay = Relay(
        app[DB_POOL],
        app[JETSTREAM],
        settings.outbox_poll_seconds,
        settings.batch_interval_seconds,
    )
    listener = await app[DB_POOL].acquire()

    def on_notify(*_: object) -> None:
        relay.wake.set()

    channel = f"outbox_{settings.schema}"
    await listener.add_listener(channel, on_notify)
    task = asyncio.create_task(supervise(relay.run, "outbox-relay"))
    yield
    await stop_task(task)
    with contextlib.suppress(Exception):
        await listener.remove_listener(channel, on_notify)
    await app[DB_POOL].release(listener)
