"""Background loop: expires waitlist offers (passing their seats on), cancels
registrations that slipped into an event while it was being cancelled, and anonymises
registrations past their event's retention period."""

from __future__ import annotations

from collections.abc import AsyncIterator

import structlog
from aiohttp import web

from services.registration.privacy import erasing
from services.registration.registrations import seats
from services.registration.sessions import seats as session_seats
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.tasks import periodic

log = structlog.get_logger()


async def offer_sweeper(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]

    async def sweep() -> None:
        expired = await seats.expire_offers(app[DB_POOL], settings.offer_hours)
        expired += await session_seats.expire_offers(app[DB_POOL], settings.offer_hours)
        if expired:
            log.info("offers_expired", count=expired)
        late = await seats.cancel_late_registrations(app[DB_POOL])
        if late:
            log.info("registrations_cancelled_late", count=late, reason="event_cancelled")
        anonymised = await erasing.apply_retention(app[DB_POOL], settings.offer_hours)
        if anonymised:
            log.info("registrations_anonymised", count=anonymised, reason="retention")

    async with periodic("offer-sweeper", sweep, settings.offer_sweep_seconds):
        yield
