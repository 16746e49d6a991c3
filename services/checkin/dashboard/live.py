"""Live dashboard counts: one watcher per event per process, shared by every browser.

A statement that writes scans or registrations NOTIFYs ``dashboard_<schema>`` with the
event ids it touched (migration 0007); one listening connection per process wakes the
watchers of those events. A woken watcher recomputes the counts (at most MAX_RATE times a
second, however many scans arrive) and hands them to its subscribers, which keep only
the latest: a slow browser skips states instead of piling them up. Every watcher also
recomputes every POLL_SECONDS, in case a notification was lost with a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import structlog
from aiohttp import web

from services.checkin.dashboard.view import Counts
from shared.config import SETTINGS
from shared.db import DB_POOL, listening
from shared.tasks import stop_task, supervise

log = structlog.get_logger()
POLL_SECONDS = 2.0
MAX_RATE = 4  # recomputations per second and event, at most
Loader = Callable[[asyncpg.Pool, uuid.UUID, str], Awaitable[Counts]]
Renderer = Callable[[Counts, str], bytes]


def channel(schema: str) -> str:
    return f"dashboard_{schema}"


class Subscription:
    """One stream's view of a watcher: the latest counts it has not sent yet."""

    def __init__(self, watcher: Watcher, variant: str) -> None:
        self.watcher = watcher
        self.variant = variant  # how its events are rendered (language, with HTML parts)
        self.pending: bytes | None = None
        self.ready = asyncio.Event()
        self.closed = False

    def offer(self, payload: bytes) -> None:
        self.pending = payload
        self.ready.set()

    def close(self) -> None:
        self.closed = True
        self.ready.set()

    async def next(self, timeout: float) -> bytes | None:
        """The next counts to send; None when ``timeout`` passed first or it was closed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), timeout)
        self.ready.clear()
        payload, self.pending = self.pending, None
        return None if self.closed else payload


class Watcher:
    def __init__(
        self, hub: DashboardHub, event_id: uuid.UUID, slug: str, load: Loader, render: Renderer
    ) -> None:
        self.hub, self.event_id, self.slug = hub, event_id, slug
        self.load, self.render = load, render
        self.subscribers: set[Subscription] = set()
        self.latest: Counts | None = None
        self.rendered: dict[str, bytes] = {}
        self.dirty = asyncio.Event()
        self.dirty.set()
        self.task = asyncio.create_task(
            supervise(self.run, f"dashboard-{slug}"), name=f"dashboard-{slug}"
        )

    def payload(self, variant: str) -> bytes | None:
        """The latest counts as a ``variant`` stream sends them, rendered once per variant."""
        if self.latest is None:
            return None
        if variant not in self.rendered:
            self.rendered[variant] = self.render(self.latest, variant)
        return self.rendered[variant]

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.dirty.wait(), POLL_SECONDS)
            # Cleared before reading: a write committed meanwhile wakes the next round.
            self.dirty.clear()
            started = loop.time()
            counts = await self.load(self.hub.pool, self.event_id, self.slug)
            if counts != self.latest:
                self.latest, self.rendered = counts, {}
                for subscription in self.subscribers:
                    payload = self.payload(subscription.variant)
                    assert payload is not None
                    subscription.offer(payload)
            await asyncio.sleep(max(0.0, 1 / MAX_RATE - (loop.time() - started)))


class DashboardHub:
    """The watchers of this process, by event id."""

    def __init__(self, pool: asyncpg.Pool, load: Loader, render: Renderer) -> None:
        self.pool, self.load, self.render = pool, load, render
        self.watchers: dict[uuid.UUID, Watcher] = {}
        self.closing = False

    def subscribe(self, event_id: uuid.UUID, slug: str, variant: str) -> Subscription:
        watcher = self.watchers.get(event_id)
        if watcher is None:
            watcher = Watcher(self, event_id, slug, self.load, self.render)
            self.watchers[event_id] = watcher
        subscription = Subscription(watcher, variant)
        watcher.subscribers.add(subscription)
        payload = watcher.payload(variant)
        if payload is not None:
            subscription.offer(payload)
        if self.closing:
            subscription.close()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        watcher = subscription.watcher
        watcher.subscribers.discard(subscription)
        if not watcher.subscribers and self.watchers.get(watcher.event_id) is watcher:
            # The last browser left: nothing to keep counting for.
            del self.watchers[watcher.event_id]
            watcher.task.cancel()

    def notified(self, payload: str) -> None:
        if payload == "*":
            targets = list(self.watchers.values())
        else:
            targets = []
            for text in payload.split(","):
                with contextlib.suppress(ValueError):
                    watcher = self.watchers.get(uuid.UUID(text))
                    if watcher is not None:
                        targets.append(watcher)
        for watcher in targets:
            watcher.dirty.set()

    def close(self) -> None:
        """End every stream (app shutdown): their handlers return, their responses end."""
        self.closing = True
        for watcher in self.watchers.values():
            for subscription in watcher.subscribers:
                subscription.close()

    async def stop(self) -> None:
        self.close()
        for watcher in list(self.watchers.values()):
            await stop_task(watcher.task)
        self.watchers.clear()


DASHBOARD_HUB = web.AppKey("dashboard_hub", DashboardHub)


async def _listen(app: web.Application, hub: DashboardHub) -> None:
    settings = app[SETTINGS]
    async with listening(settings, "dashboard", channel(settings.schema), hub.notified) as (
        _,
        lost,
    ):
        hub.notified("*")  # whatever was written while nobody listened
        await lost.wait()
        raise ConnectionError("the dashboard listener lost its connection")


def hub_context(load: Loader, render: Renderer) -> Callable[[web.Application], AsyncIterator[None]]:
    async def dashboard_hub(app: web.Application) -> AsyncIterator[None]:
        hub = DashboardHub(app[DB_POOL], load, render)
        app[DASHBOARD_HUB] = hub
        task = asyncio.create_task(supervise(lambda: _listen(app, hub), "dashboard-listener"))
        yield
        await stop_task(task)
        await hub.stop()

    return dashboard_hub


async def close_streams(app: web.Application) -> None:
    """on_shutdown: aiohttp waits for open requests before the cleanup contexts run, so
    the streams (which never end by themselves) are ended first."""
    hub = app.get(DASHBOARD_HUB)
    if hub is not None:
        hub.close()
