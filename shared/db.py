"""PostgreSQL pool as a cleanup context, and per-schema plain-SQL migrations."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import structlog
from aiohttp import web

from shared.config import SETTINGS, Settings

log = structlog.get_logger()
SHARED_MIGRATIONS = Path(__file__).with_name("migrations")

DB_POOL = web.AppKey("db_pool", asyncpg.Pool)


def _migration_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.sql") if p.name[:4].isdigit())


async def migrate(conn: asyncpg.Connection, schema: str, folder: Path) -> list[str]:
    """Apply the shared and the service's migrations to ``schema``; returns what was applied.

    A transaction-scoped advisory lock keyed by the schema makes concurrent starts of several
    instances apply each file exactly once: the second waits, then finds nothing to do.
    """
    applied: list[str] = []
    lock_key = zlib.crc32(f"cnk-migrate:{schema}".encode())
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key)
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        await conn.execute(f'SET LOCAL search_path TO "{schema}"')
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        files = [("shared/" + p.name, p) for p in _migration_files(SHARED_MIGRATIONS)]
        files += [(p.name, p) for p in _migration_files(folder)]
        for name, path in files:
            if name in done:
                continue
            await conn.execute(path.read_text(encoding="utf-8"))
            await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            applied.append(name)
    if applied:
        log.info("migrations_applied", schema=schema, files=applied)
    return applied


def migrations_of(package: str) -> Path:
    return Path(str(importlib.resources.files(package).joinpath("migrations")))


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without asyncpg's default reset query (a round trip per release).

    Nothing here leaves session state behind: locks are transaction-scoped, settings come
    from the pool's server_settings, and the only LISTEN lives on a connection that is
    held until shutdown. An open transaction is still rolled back by asyncpg itself.
    """


async def create_pool(
    dsn: str,
    schema: str,
    *,
    min_size: int = 1,
    max_size: int = 8,
    purpose: str | None = None,
    generic_plans: bool = False,
    **kwargs: Any,
) -> asyncpg.Pool:
    """``generic_plans`` plans each prepared statement once per connection. For the hot
    batch statements (big CTEs keyed by ids), planning them afresh for every execution
    (PostgreSQL's choice for them) cost as much as running them.

    Such a plan is made from the statistics of its moment. Made while a table was nearly
    empty (a new install, the first door rush on a fresh scans table) it reads that table
    from end to end for every key, for as long as the connection lives: a rush slowed
    down scan by scan as the table filled. The batch statements find rows by keys only,
    so these connections plan without sequential scans."""
    settings = {
        "search_path": schema,
        "application_name": f"cnk-{schema}" + (f"-{purpose}" if purpose else ""),
    }
    if generic_plans:
        settings["plan_cache_mode"] = "force_generic_plan"
        settings["enable_seqscan"] = "off"
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        server_settings=settings,
        reset=_keep_session,
        **kwargs,
    )
    assert pool is not None
    return pool


@contextlib.asynccontextmanager
async def batch_pool(
    settings: Settings,
    purpose: str,
    size: int,
    warm: Callable[[asyncpg.Connection], Awaitable[object]] | None = None,
) -> AsyncIterator[asyncpg.Pool]:
    """A batcher's own connections, one per worker, on generic plans; ``warm`` runs on
    each of them before the pool is handed out (see warm_up)."""
    pool = await create_pool(
        settings.database_url,
        settings.schema,
        min_size=size,
        max_size=size,
        purpose=purpose,
        generic_plans=True,
    )
    try:
        if warm is not None:
            await warm_up(pool, warm)
        yield pool
    finally:
        await pool.close()


async def warm_up(
    pool: asyncpg.Pool, warm: Callable[[asyncpg.Connection], Awaitable[object]]
) -> None:
    """Run ``warm`` on every connection of ``pool`` (its whole size), in a transaction
    rolled back afterwards: batch statements run there with no rows are prepared (types
    looked up) and planned before the first real batch, which otherwise waited 10-20 ms
    for that on each connection (the first scans after a start, in a rush a hundred of
    them)."""
    connections = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        for conn in connections:
            transaction = conn.transaction()
            await transaction.start()
            try:
                await warm(conn)
            finally:
                await transaction.rollback()
    finally:
        for conn in connections:
            await pool.release(conn)


def pool_context(
    migrations_package: str,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def db_pool(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        pool = await create_pool(
            settings.database_url, settings.schema, max_size=settings.db_pool_size
        )
        async with pool.acquire() as conn:
            await migrate(conn, settings.schema, migrations_of(migrations_package))
        app[DB_POOL] = pool
        yield
        await pool.close()

    return db_pool


@contextlib.asynccontextmanager
async def listening(
    settings: Settings, purpose: str, channel: str, on_payload: Callable[[str], object]
) -> AsyncIterator[tuple[asyncpg.Connection, asyncio.Event]]:
    """A connection of its own that LISTENs on ``channel``, calling ``on_payload`` with each
    notification's payload; yields it and an event set when the connection is lost (the
    caller then raises, and its supervisor starts it again)."""
    conn = await asyncpg.connect(
        settings.database_url,
        server_settings={
            "search_path": settings.schema,
            "application_name": f"cnk-{settings.schema}-{purpose}",
        },
    )
    lost = asyncio.Event()
    conn.add_termination_listener(lambda _: lost.set())
    try:
        await conn.add_listener(channel, lambda _conn, _pid, _channel, payload: on_payload(payload))
        yield conn, lost
    finally:
        with contextlib.suppress(Exception):
            await conn.close(timeout=2)


Row = TypeVar("Row")


async def first_or_create(
    pool: asyncpg.Pool,
    lock: bytes,
    select: Callable[[asyncpg.Connection], Awaitable[Row | None]],
    create: Callable[[asyncpg.Connection], Awaitable[Row]],
) -> Row:
    """What ``select`` finds, or else what ``create`` makes, under the advisory lock named
    ``lock``: two instances starting at once agree on one (a service's first key), and
    the caller publishes it after the commit."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", zlib.crc32(lock))
        found = await select(conn)
        return found if found is not None else await create(conn)
