"""The events registrations are checked against, kept in memory for a moment.

Every registration needs its event with the ticket types, questions and sessions. In a
burst of hundreds a second, reading them every time cost a fifth of the service's CPU and
a query per request, for data that changes only when an organizer changes it. So the
answer is kept for TTL_SECONDS. An organizer's change through this service's API forgets
everything kept here at once, and every other instance (REGISTRATION_PROCESSES, other
hosts) forgets it when the change's notification arrives, a moment after the commit; the
TTL bounds the staleness should a notification be lost.

Seats are never decided from what is kept here: the statements that take seats read and
lock the rows themselves. What is kept decides what a registration is checked against
(published, the window, the group limit, ticket types, questions, sessions), as a read
just before the organizer's change would have.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import structlog
from aiohttp import web

from services.registration.events import db
from services.registration.records import Event, Question, Session, TicketType
from shared.config import SETTINGS
from shared.db import DB_POOL, listening
from shared.tasks import stop_task, supervise

log = structlog.get_logger()

TTL_SECONDS = 2.0

Found = tuple[Event, list[TicketType], list[Question], list[Session]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def channel(schema: str) -> str:
    return f"events_changed_{schema}"


class EventCache:
    def __init__(self, pool: asyncpg.Pool, channel: str, ttl: float = TTL_SECONDS) -> None:
        self.pool = pool
        self.channel = channel
        self.ttl = ttl
        self._kept: dict[str, tuple[float, Found]] = {}
        # Bumped by every forget: a read that began before it is not kept.
        self._generation = 0

    async def get(self, slug: str) -> Found | None:
        """select_event_for_registration's answer for ``slug``, kept or read."""
        now = time.monotonic()
        kept = self._kept.get(slug)
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        generation = self._generation
        found = await db.select_event_for_registration(self.pool, slug)
        # An unknown slug is not kept: an event created a moment later must be found.
        if found is not None and generation == self._generation:
            self._kept[slug] = (now, found)
        return found

    def forget(self, _payload: object = None) -> None:
        self._kept.clear()
        self._generation += 1

    async def tell_others(self) -> None:
        """Every other instance forgets what it keeps (this one's listener hears it too).
        The change is committed already: should telling fail, the others' copies expire
        within the TTL, and the organizer is not told the change failed."""
        try:
            await self.pool.execute("SELECT pg_notify($1, '')", self.channel)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as e:
            log.warning("event_change_not_announced", error=f"{type(e).__name__}: {e}")


EVENT_CACHE = web.AppKey("event_cache", EventCache)


def changes_events(handler: Handler) -> Handler:
    """``handler`` changes events (their settings, ticket types, questions, sessions):
    what the event cache keeps is forgotten once it has answered."""

    async def changing(request: web.Request) -> web.StreamResponse:
        cache = request.app[EVENT_CACHE]
        try:
            response = await handler(request)
        except web.HTTPRedirection:  # a page's change, answered by a redirect
            cache.forget()
            await cache.tell_others()
            raise
        finally:
            cache.forget()  # a refusal changed nothing, but forgetting costs one read
        await cache.tell_others()
        return response

    return changing


async def _follow(app: web.Application, cache: EventCache) -> None:
    async with listening(app[SETTINGS], "events", cache.channel, cache.forget) as (_, lost):
        # Changes made while no one listened were not heard.
        cache.forget()
        await lost.wait()
        raise ConnectionError("the event change listener lost its connection")


async def event_cache_context(app: web.Application) -> AsyncIterator[None]:
    cache = EventCache(app[DB_POOL], channel(app[SETTINGS].schema))
    app[EVENT_CACHE] = cache
    task = asyncio.create_task(supervise(lambda: _follow(app, cache), "event-changes"))
    yield
    await stop_task(task)
