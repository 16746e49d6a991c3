"""The shared platform against real PostgreSQL and NATS: migrations, outbox, consumer runner."""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest
from aiohttp import web

from shared import db, events, housekeeping, outbox, wire
from shared.bus import Consumer, ensure_streams
from shared.outbox import Relay
from shared.service import freeze_startup_objects
from tests.factories import eventually


def _event_info(slug: str) -> events.EventInfo:
    now = datetime.now(UTC)
    return events.EventInfo(
        id=uuid.uuid4(),
        slug=slug,
        name=events.LocalizedText(pl="Seminarium", en="Seminar"),
        kind="seminar",
        starts_at=now,
        ends_at=now,
        venue="CNK",
    )


@pytest.fixture
async def schema(servers: Any, tmp_path: Path) -> Any:
    """A throw-away schema with the shared tables and one table of its own."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_things.sql").write_text("CREATE TABLE things (id uuid PRIMARY KEY, n int);")
    pool = await db.create_pool(servers.database_url, name, max_size=6)
    async with pool.acquire() as conn:
        await db.migrate(conn, name, folder)
    yield name, pool, folder
    await pool.close()


async def test_two_instances_migrating_at_once_apply_each_file_once(
    servers: Any, tmp_path: Path
) -> None:
    name = f"t_{uuid.uuid4().hex[:10]}"
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_a.sql").write_text("CREATE TABLE a (id int PRIMARY KEY);")
    (folder / "0002_b.sql").write_text("CREATE TABLE b (id int PRIMARY KEY);")
    conns = [await asyncpg.connect(servers.database_url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(db.migrate(c, name, folder) for c in conns))
        applied = sorted(tuple(r) for r in results)
        shared = tuple(f"shared/{p.name}" for p in sorted(db.SHARED_MIGRATIONS.glob("*.sql")))
        assert shared[:2] == ("shared/0001_messaging.sql", "shared/0002_outbox_notify.sql")
        assert applied[-1] == (*shared, "0001_a.sql", "0002_b.sql")
        assert all(r == () for r in applied[:-1])
        (folder / "0003_c.sql").write_text("CREATE TABLE c (id int PRIMARY KEY);")
        assert await db.migrate(conns[0], name, folder) == ["0003_c.sql"]
    finally:
        for c in conns:
            await c.close()


async def test_outbox_rows_are_published_once_in_order_by_competing_relays(
    servers: Any, schema: Any
) -> None:
    name, pool, _ = schema
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()
    await ensure_streams(js, 1)
    info = _event_info(f"ev-{uuid.uuid4().hex[:8]}")
    ids = []
    async with pool.acquire() as conn, conn.transaction():
        for i in range(30):
            ids.append(
                await outbox.enqueue(
                    conn,
                    events.EventCreated(event=info, capacity=i + 1, status="published"),
                    info.id,
                    i + 1,
                )
            )
    relays = [Relay(pool, js, poll_seconds=0.2) for _ in range(3)]
    counts = await asyncio.gather(*(r.publish_batch() for r in relays))
    while sum(counts) < 30:
        counts.append(await relays[0].publish_batch())
    assert sum(counts) == 30
    # Acknowledged rows are deleted, not kept marked.
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0
    seen = []
    for seq in range((await js.stream_info("REGISTRATION")).state.last_seq, 0, -1):
        msg = await js.get_msg("REGISTRATION", seq)
        env, _ = wire.decode(msg.data)
        if env.aggregate_id == info.id:
            seen.append(env.id)
        if len(seen) == 30:
            break
    assert sorted(seen) == sorted(ids)
    await nc.close()


class _Handled(list[Any]):
    """What a test consumer applied, and in which transaction (by sequence)."""

    def __init__(self) -> None:
        super().__init__()
        self.transactions: dict[int, int] = {}


async def _consumer(
    servers: Any,
    pool: Any,
    js: Any,
    name: str,
    handled: _Handled,
    aggregate: uuid.UUID,
    batch_interval: float = 0.0,
) -> Consumer:
    async def handle(app: Any, conn: Any, env: events.Envelope, data: Any) -> None:
        if env.aggregate_id != aggregate:  # other tests' events in the same stream
            return
        if data.status == "explode":
            raise RuntimeError("handler bug")
        await conn.execute(
            "INSERT INTO things (id, n) VALUES ($1, $2)", uuid.uuid4(), data.capacity
        )
        handled.append((env.sequence, data.capacity))
        handled.transactions[env.sequence] = await conn.fetchval("SELECT txid_current()")

    return Consumer(
        app=None,  # type: ignore[arg-type]
        service=name,
        stream="REGISTRATION",
        handlers={events.EventCreated: handle},
        pool=pool,
        js=js,
        max_deliver=2,
        batch_interval=batch_interval,
    )


async def _running_consumer(
    servers: Any, pool: Any, name: str, batch_interval: float = 0.0
) -> tuple[Any, Any, _Handled, events.EventInfo, asyncio.Task[None]]:
    """A test consumer of a new aggregate's events, running: the NATS client, JetStream,
    what it applied, the aggregate's event info, and its task."""
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()
    await ensure_streams(js, 1)
    handled = _Handled()
    info = _event_info(f"ev-{uuid.uuid4().hex[:8]}")
    consumer = await _consumer(servers, pool, js, name, handled, info.id, batch_interval)
    return nc, js, handled, info, asyncio.create_task(consumer.run())


async def test_consumer_skips_redelivered_and_stale_events_and_dead_letters_poison(
    servers: Any, schema: Any
) -> None:
    name, pool, _ = schema
    nc, js, handled, info, task = await _running_consumer(servers, pool, name)

    async def publish(
        capacity: int, sequence: int, status: str = "published", env: events.Envelope | None = None
    ) -> events.Envelope:
        env = env or wire.envelope(
            events.EventCreated(event=info, capacity=capacity, status=status), info.id, sequence
        )
        await js.publish(
            "event.created", wire.encode(env), headers={"Nats-Msg-Id": f"{env.id}-{uuid.uuid4()}"}
        )
        return env

    dlq = await js.subscribe(f"dlq.{name}")
    first = await publish(1, 1)
    await publish(0, 1, env=first)  # the same event again: skipped by the inbox
    await publish(3, 3)
    await publish(2, 2)  # older than what was applied: ignored
    await js.publish("event.created", b"{not json", headers={"Nats-Msg-Id": str(uuid.uuid4())})
    await publish(4, 4, status="explode")  # fails every delivery: dead-lettered

    letters = []

    async def dead_lettered() -> bool:
        try:
            letters.append(await dlq.next_msg(timeout=0.2))
        except nats.errors.TimeoutError:
            pass
        return len(letters) == 2

    await eventually(dead_lettered, timeout=30)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    # A batch that meets the poison event is rolled back and retried one by one, so the
    # handler may have run more than once; what it committed is each event exactly once.
    assert sorted(set(handled)) == [(1, 1), (3, 3)]
    assert sorted(r["n"] for r in await pool.fetch("SELECT n FROM things")) == [1, 3]
    reasons = sorted(m.headers["Cnk-Reason"].split(":")[0] for m in letters)
    assert reasons == ["RuntimeError", "undecodable"]
    await nc.close()


async def test_a_trickle_of_events_is_taken_a_few_at_a_time(servers: Any, schema: Any) -> None:
    """After a batch that did not fill up, the consumer waits out its batch interval
    before fetching again: events that trickle in meanwhile are applied together, in one
    transaction."""
    name, pool, _ = schema
    nc, js, handled, info, task = await _running_consumer(servers, pool, name, batch_interval=1.5)

    async def publish(sequence: int) -> None:
        env = wire.envelope(
            events.EventCreated(event=info, capacity=sequence, status="published"),
            info.id,
            sequence,
        )
        await js.publish("event.created", wire.encode(env), headers={"Nats-Msg-Id": str(env.id)})

    async def applied(count: int) -> bool:
        return len(handled) == count

    await publish(1)
    await eventually(lambda: applied(1))
    for sequence in range(2, 7):  # one at a time, while the consumer waits
        await publish(sequence)
    await eventually(lambda: applied(6))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await nc.close()
    assert [s for s, _ in handled] == [1, 2, 3, 4, 5, 6]
    together = {handled.transactions[s] for s in range(2, 7)}
    assert len(together) == 1 and handled.transactions[1] not in together


async def test_a_batch_admits_each_event_once_and_in_sequence(servers: Any, schema: Any) -> None:
    """The batch path's inbox and version checks decide as one event at a time would:
    a repeated event once, an older sequence of its aggregate not at all."""
    name, pool, _ = schema
    nc = await nats.connect(servers.nats_url)
    consumer = await _consumer(servers, pool, nc.jetstream(), name, _Handled(), uuid.uuid4())
    a, b = _event_info("ev-a"), _event_info("ev-b")

    def env(info: events.EventInfo, sequence: int) -> events.Envelope:
        return wire.envelope(
            events.EventCreated(event=info, capacity=1, status="published"), info.id, sequence
        )

    seen_before = env(b, 5)
    async with pool.acquire() as conn, conn.transaction():
        assert await consumer.admit(conn, [seen_before]) == [True]
    a1, a3, a2, b4, b6 = env(a, 1), env(a, 3), env(a, 2), env(b, 4), env(b, 6)
    batch = [a1, b4, a1, a3, seen_before, a2, b6, b6]
    async with pool.acquire() as conn, conn.transaction():
        admitted = await consumer.admit(conn, batch)
    assert admitted == [True, False, False, True, False, False, True, False]
    stored = {
        r["aggregate_id"]: r["sequence"]
        for r in await pool.fetch("SELECT aggregate_id, sequence FROM aggregate_versions")
    }
    assert stored == {a.id: 3, b.id: 6}
    await nc.close()


async def test_housekeeping_prunes_what_is_past_keeping(servers: Any, schema: Any) -> None:
    """Published outbox rows after a day and inbox rows after 30 days are deleted;
    unpublished rows, however old, and recent ones stay."""
    _, pool, _ = schema
    ids = [uuid.uuid4() for _ in range(5)]
    await pool.execute(
        "INSERT INTO outbox (id, subject, payload, created_at, published_at) VALUES"
        " ($1, 's', '', now() - interval '3 days', now() - interval '2 days'),"
        " ($2, 's', '', now() - interval '3 days', NULL),"
        " ($3, 's', '', now() - interval '1 hour', now() - interval '1 hour')",
        *ids[:3],
    )
    await pool.execute(
        "INSERT INTO inbox (event_id, type, received_at) VALUES"
        " ($1, 't', now() - interval '31 days'), ($2, 't', now() - interval '29 days')",
        *ids[3:],
    )
    assert await housekeeping.prune(pool) == (1, 1)
    assert {r["id"] for r in await pool.fetch("SELECT id FROM outbox")} == {ids[1], ids[2]}
    assert [r["event_id"] for r in await pool.fetch("SELECT event_id FROM inbox")] == [ids[4]]
    assert await housekeeping.prune(pool) == (0, 0)


async def test_batch_statements_planned_on_an_empty_table_still_find_rows_by_key(
    servers: Any, schema: Any
) -> None:
    """A batch pool plans each statement once; planned while the table was empty, a key
    lookup must still use the index once the table has filled (a door rush starts on an
    empty scans table)."""
    name, pool, _ = schema
    await pool.execute("ANALYZE things")  # statistics of an empty table
    lookup = "SELECT t.n FROM unnest($1::uuid[]) AS k(id) JOIN things t ON t.id = k.id"
    # What batch_pool opens.
    batch = await db.create_pool(servers.database_url, name, max_size=1, generic_plans=True)
    async with batch, batch.acquire() as conn:
        await conn.execute(f"PREPARE lookup(uuid[]) AS {lookup}")
        key = f"'{{{uuid.uuid4()}}}'"
        await conn.fetch(f"EXECUTE lookup({key})")  # planned now, once
        await pool.execute(
            "INSERT INTO things SELECT gen_random_uuid(), n FROM generate_series(1, 20000) n"
        )
        plan = "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN EXECUTE lookup({key})"))
    assert "Index" in plan and "Seq Scan on things" not in plan, plan


class _Built:
    """Something a cleanup context makes at start-up and keeps for the app's life."""


async def test_a_served_app_leaves_what_it_built_at_start_up_to_no_garbage_collection() -> None:
    built: list[_Built] = []

    async def context(app: web.Application) -> AsyncIterator[None]:
        built.append(_Built())
        yield

    app = web.Application()
    app.cleanup_ctx.append(context)
    app.on_startup.append(freeze_startup_objects)  # as shared.service._serve adds it
    runner = web.AppRunner(app)
    gc.unfreeze()
    try:
        await runner.setup()
        assert gc.get_freeze_count() > 0
        # Made by a cleanup context, so before the freeze: in the permanent generation,
        # not in the three the collector walks.
        assert not any(o is built[0] for o in gc.get_objects())
    finally:
        gc.unfreeze()  # the test process goes on: back where the collector finds it
        await runner.cleanup()
