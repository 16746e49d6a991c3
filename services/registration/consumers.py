"""Event handlers of the registration service: the audit log of every service's staff
actions (audit.recorded, stream AUDIT)."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from services.registration.audit import recording
from shared import events
from shared.bus import Handler


async def keep_audit_entry(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.StaffActionRecorded,
) -> None:
    await recording.keep(conn, env.id, data)


AUDIT_HANDLERS: dict[type[events.EventData], Handler] = {
    events.StaffActionRecorded: keep_audit_entry,
}
