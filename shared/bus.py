"""NATS connection, JetStream streams, and the idempotent consumer runner."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import asyncpg
import msgspec
import nats
import nats.errors
import nats.js.errors
import structlog
from aiohttp import web
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api

from shared import wire
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.events import Envelope, EventData
from shared.metrics import METRICS
from shared.tasks import Pacer, stop_task, supervise

log = structlog.get_logger()
NATS = web.AppKey("nats", NatsClient)
JETSTREAM = web.AppKey("jetstream", JetStreamContext)

STREAMS: dict[str, list[str]] = {
    "REGISTRATION": ["event.>", "registration.>", "staff.>"],
    "TICKETS": ["ticket.>"],
    "CHECKIN": ["checkin.>"],
    "NOTIFICATIONS": ["notification.>"],
    "AUDIT": ["audit.>"],
    "DLQ": ["dlq.>"],
}
# How long a stream keeps its messages (the others: as long as NATS_STREAM limits allow).
# The audit entries reach registration's log within seconds; a week covers an outage.
MAX_AGE = {"DLQ": 90 * 24 * 3600, "AUDIT": 7 * 24 * 3600}
# Longer than the outbox claim (30 s) times a few relay retries, so a re-published
# row is always recognised by its Nats-Msg-Id.
DUPLICATE_WINDOW_SECONDS = 15 * 60
FETCH_BATCH = 64

# A handler gets the app (for settings and app state), the transaction's connection, the
# envelope and the decoded data.
Handler = Callable[[web.Application, asyncpg.Connection, Envelope, Any], Awaitable[None]]


async def ensure_streams(js: Any, replicas: int) -> None:
    for name, subjects in STREAMS.items():
        config = api.StreamConfig(
            name=name,
            subjects=subjects,
            storage=api.StorageType.FILE,
            retention=api.RetentionPolicy.LIMITS,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
            max_age=MAX_AGE.get(name),
        )
        try:
            await js.add_stream(config)
        except nats.js.errors.BadRequestError:
            await js.update_stream(config)


async def nats_connection(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]

    async def on_error(e: Exception) -> None:
        log.warning("nats_error", error=str(e))

    async def on_disconnect() -> None:
        log.warning("nats_disconnected")

    async def on_reconnect() -> None:
        log.info("nats_reconnected")

    nc = await nats.connect(
        settings.nats_url,
        name=f"cnk-{settings.service}",
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        error_cb=on_error,
        disconnected_cb=on_disconnect,
        reconnected_cb=on_reconnect,
        drain_timeout=5,
    )
    js = nc.jetstream(timeout=settings.nats_timeout_seconds)
    await ensure_streams(js, settings.stream_replicas)
    app[NATS] = nc
    app[JETSTREAM] = js
    yield
    with contextlib.suppress(Exception):
        await nc.drain()


class Consumer:
    """Applies events from one durable pull consumer, each in one transaction with its inbox row."""

    def __init__(
        self,
        *,
        app: web.Application,
        service: str,
        stream: str,
        handlers: Mapping[type[EventData], Handler],
        pool: asyncpg.Pool,
        js: Any,
        max_deliver: int,
        lag: Any = None,
        batch_interval: float = 0.0,
    ) -> None:
        self.app = app
        self.pacer = Pacer(batch_interval)
        self.lag = lag  # a gauge told how many events still wait for this consumer
        self.service = service
        self.stream = stream
        # The server delivers only the types handled here (an event's subject is its
        # type), so a service never pays for events it does not handle.
        self.subjects = sorted(cls.TYPE for cls in handlers)
        self.handlers = handlers
        self.pool = pool
        self.js = js
        self.max_deliver = max_deliver
        self.durable = service

    async def subscribe(self) -> Any:
        await self.js.add_consumer(
            self.stream,
            api.ConsumerConfig(
                name=self.durable,
                durable_name=self.durable,
                ack_policy=api.AckPolicy.EXPLICIT,
                ack_wait=30,
                max_deliver=self.max_deliver,
                filter_subjects=self.subjects,
                max_ack_pending=1000,
            ),
        )
        return await self.js.pull_subscribe_bind(durable=self.durable, stream=self.stream)

    async def run(self) -> None:
        sub = await self.subscribe()
        log.info("consumer_started", stream=self.stream, durable=self.durable)
        try:
            await self.consume(sub)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def consume(self, sub: Any) -> None:
        while True:
            try:
                msgs = await sub.fetch(FETCH_BATCH, timeout=1)
            except TimeoutError:  # nats raises its own subclass, or the builtin one
                if self.lag is not None:
                    self.lag.set(0)  # nothing waited for a whole second
                continue
            except (nats.errors.ConnectionClosedError, nats.errors.ConnectionReconnectingError):
                await asyncio.sleep(1)
                continue
            self.pacer.took()
            if msgs and self.lag is not None:
                # What the server still holds for this consumer after the batch.
                self.lag.set(msgs[-1].metadata.num_pending)
            try:
                await self.process_batch(msgs)
            except asyncio.CancelledError:
                # Shutting down: hand back what is not done at once, not after ack_wait.
                for msg in msgs:
                    with contextlib.suppress(Exception):
                        await msg.nak()
                raise
            if len(msgs) < FETCH_BATCH:
                await self.pacer.pause()

    async def process_batch(self, msgs: list[Msg]) -> None:
        """Apply a fetched batch in one transaction (one commit instead of one per event);
        if anything in it fails, roll back and take them one by one, so a bad event is
        retried or dead-lettered alone and the others go through."""
        ready = [item for msg in msgs if (item := await self.triage(msg)) is not None]
        if len(ready) > 1:
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    await self.apply_in(
                        conn, [(env, data, handler) for _, env, data, handler in ready]
                    )
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.info("event_batch_failed_one_by_one", size=len(ready), error=repr(e))
            else:
                for msg, *_ in ready:
                    await msg.ack()
                return
        for msg, env, data, handler in ready:
            await self.process_one(msg, env, data, handler)

    async def process(self, msg: Msg) -> None:
        item = await self.triage(msg)
        if item is not None:
            await self.process_one(*item)

    async def triage(self, msg: Msg) -> tuple[Msg, Envelope, EventData, Handler] | None:
        """The message decoded with its handler, or None when it is already dealt with
        (an unknown type or one without a handler is acked, an undecodable one
        dead-lettered)."""
        try:
            env, data = wire.decode(msg.data)
        except wire.UnknownEvent as e:
            log.info("event_type_unknown_skipped", type=str(e), subject=msg.subject)
            await msg.ack()
            return None
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            await self.dead_letter(msg, f"undecodable: {e}")
            return None
        handler = self.handlers.get(type(data))
        if handler is None:
            await msg.ack()
            return None
        return msg, env, data, handler

    async def process_one(self, msg: Msg, env: Envelope, data: EventData, handler: Handler) -> None:
        try:
            await self.apply(env, data, handler)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            delivered = msg.metadata.num_delivered or 1
            if delivered >= self.max_deliver:
                log.exception("event_failed_finally", type=env.type, event_id=str(env.id))
                await self.dead_letter(msg, f"{type(e).__name__}: {e}")
            else:
                log.warning(
                    "event_failed_will_retry",
                    type=env.type,
                    event_id=str(env.id),
                    delivered=delivered,
                    error=f"{type(e).__name__}: {e}",
                )
                await msg.nak(delay=min(2**delivered, 60))
            return
        await msg.ack()

    async def apply(self, env: Envelope, data: EventData, handler: Handler) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await self.apply_in(conn, [(env, data, handler)])

    async def apply_in(
        self, conn: asyncpg.Connection, items: list[tuple[Envelope, EventData, Handler]]
    ) -> None:
        """Record the events in the inbox and apply them in order, in the caller's
        transaction; a redelivered or stale (older than what was applied for its
        aggregate) one is skipped."""
        admitted = await self.admit(conn, [env for env, _, _ in items])
        for (env, data, handler), fresh in zip(items, admitted, strict=True):
            if fresh:
                await handler(self.app, conn, env, data)

    async def admit(self, conn: asyncpg.Connection, envs: list[Envelope]) -> list[bool]:
        """The inbox and version checks for a whole batch, in three statements however
        many events: which of ``envs`` (in stream order) to apply."""
        new_ids = {
            r["event_id"]
            for r in await conn.fetch(
                "INSERT INTO inbox (event_id, type)"
                " SELECT * FROM unnest($1::uuid[], $2::text[])"
                " ON CONFLICT DO NOTHING RETURNING event_id",
                [env.id for env in envs],
                [env.type for env in envs],
            )
        }
        first = []
        for env in envs:  # the same event twice in a batch: the first one counts
            first.append(env.id in new_ids)
            new_ids.discard(env.id)
        # Lock each aggregate's row (sorted, as every instance does, against deadlocks)
        # and read its sequence: the no-op update returns the stored one, -1 a new row.
        aggregates = sorted({env.aggregate_id for env, new in zip(envs, first, strict=True) if new})
        applied = {
            r["aggregate_id"]: r["sequence"]
            for r in await conn.fetch(
                "INSERT INTO aggregate_versions (aggregate_id, sequence)"
                " SELECT a, -1 FROM unnest($1::uuid[]) WITH ORDINALITY AS u(a, n) ORDER BY n"
                " ON CONFLICT (aggregate_id) DO UPDATE SET sequence = aggregate_versions.sequence"
                " RETURNING aggregate_id, sequence",
                aggregates,
            )
        }
        admitted = []
        for env, new in zip(envs, first, strict=True):
            if not new:
                log.debug("event_redelivered_skipped", type=env.type, event_id=str(env.id))
            elif env.sequence <= applied[env.aggregate_id]:
                log.info("event_stale_ignored", type=env.type, event_id=str(env.id))
                new = False
            else:
                applied[env.aggregate_id] = env.sequence
            admitted.append(new)
        await conn.execute(
            "UPDATE aggregate_versions v SET sequence = u.s"
            " FROM unnest($1::uuid[], $2::bigint[]) AS u(a, s)"
            " WHERE v.aggregate_id = u.a AND v.sequence <> u.s",
            list(applied),
            list(applied.values()),
        )
        return admitted

    async def dead_letter(self, msg: Msg, reason: str) -> None:
        meta = msg.metadata
        log.error(
            "event_dead_lettered",
            subject=msg.subject,
            stream_seq=meta.sequence.stream,
            reason=reason,
        )
        await self.js.publish(
            f"dlq.{self.service}",
            msg.data,
            headers={
                "Nats-Msg-Id": f"dlq-{self.service}-{meta.stream}-{meta.sequence.stream}",
                "Cnk-Original-Subject": msg.subject,
                "Cnk-Reason": reason[:500],
            },
        )
        await msg.term()


def consumer_context(
    stream: str, handlers: Mapping[type[EventData], Handler]
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A durable consumer of ``stream`` for the event types in ``handlers``."""

    async def run_consumer(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        consumer = Consumer(
            app=app,
            service=settings.service,
            stream=stream,
            handlers=handlers,
            pool=app[DB_POOL],
            js=app[JETSTREAM],
            max_deliver=settings.max_deliver,
            lag=app[METRICS].consumer_lag.labels(stream),
            batch_interval=settings.batch_interval_seconds,
        )
        task = asyncio.create_task(
            supervise(consumer.run, f"consumer-{stream}"), name=f"consumer-{stream}"
        )
        yield
        await stop_task(task)

    return run_consumer
