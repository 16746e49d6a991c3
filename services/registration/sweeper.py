"""Background loop that expires waitlist offers and passes their seats on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import structlog
from aiohttp import web

from services.registration import seats
from shared.bus import stop_task, supervise
from shared.keys import DB_POOL, SETTINGS

log = structlog.get_logger()


async def offer_sweeper(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]

    async def sweep_forever() -> None:
        while True:
            expired = await seats.expire_offers(app[DB_POOL], settings.offer_hours)
            if expired:
                log.info("offers_expired", count=expired)
            await asyncio.sleep(settings.offer_sweep_seconds)

    task = asyncio.create_task(supervise(sweep_forever, "offer-sweeper"), name="offer-sweeper")
    yield
    await stop_task(task)
