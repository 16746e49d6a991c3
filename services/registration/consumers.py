"""Event handlers of the registration service: the audit log of every service's staff
actions (audit.recorded, stream AUDIT), and who came in, from checkin's scans."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from services.registration.audit import recording
from services.registration.roster import db as roster_db
from shared import events
from shared.bus import Handler

MAIN_LIST = "main"


async def keep_audit_entry(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.StaffActionRecorded,
) -> None:
    await recording.keep(conn, env.id, data)


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


AUDIT_HANDLERS: dict[type[events.EventData], Handler] = {
    events.StaffActionRecorded: keep_audit_entry,
}
CHECKIN_HANDLERS: dict[type[events.EventData], Handler] = {
    events.CheckinRecorded: record_checkin,
}
