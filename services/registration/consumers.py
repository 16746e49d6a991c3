"""Event handlers of the registration service: who came in, from checkin's scans."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from services.registration.roster import db as roster_db
from shared import events
from shared.bus import Handler

MAIN_LIST = "main"


async def record_checkin(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.CheckinRecorded,
) -> None:
    """An accepted entry on the event's main list marks the registration checked in (the
    earliest such scan counts, whatever order they arrive in)."""
    if data.direction == "in" and data.list == MAIN_LIST and data.registration_id is not None:
        await roster_db.update_first_checkin(conn, data.registration_id, data.scanned_at)


CHECKIN_HANDLERS: dict[type[events.EventData], Handler] = {
    events.CheckinRecorded: record_checkin,
}
