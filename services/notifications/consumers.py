"""Event handlers of the notifications service: each queues one delivery."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec
from aiohttp import web

from services.notifications import db
from shared import events
from shared.bus import Handler


async def queue_ticket_email(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.TicketIssued
) -> None:
    delivery_id = uuid.uuid4()
    queued = await db.insert_delivery(
        conn,
        delivery_id=delivery_id,
        dedupe_key=f"ticket:{data.ticket_id}",
        template="ticket",
        registration_id=data.registration_id,
        recipient=data.holder.email,
        lang=data.holder.lang,
        payload=msgspec.json.encode(data),
        message_id=f"<{delivery_id}@cnk-events>",
    )
    if queued:
        await conn.execute("SELECT pg_notify('deliveries_' || current_schema(), '')")


async def erase_recipient(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationErased,
) -> None:
    await db.update_deliveries_erased(conn, data.registration_id)


HANDLERS: dict[type[events.EventData], Handler] = {
    events.TicketIssued: queue_ticket_email,
}
REGISTRATION_HANDLERS: dict[type[events.EventData], Handler] = {
    events.RegistrationErased: erase_recipient,
}
