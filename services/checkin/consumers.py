"""Event handlers of the checkin service: its read models of events, registrations, tickets."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from services.checkin import db
from shared import events
from shared.bus import Handler

MAIN_LIST = "main"


async def record_event(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.EventCreated
) -> None:
    await db.upsert_event(conn, data.event)
    await db.insert_list_if_missing(conn, data.event.id, MAIN_LIST, "Main entrance")


async def record_registration(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationConfirmed,
) -> None:
    await db.upsert_event(conn, data.event)
    await db.upsert_registration(conn, data.registration_id, data.event.id, "confirmed")


async def record_cancellation(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationCancelled,
) -> None:
    await db.upsert_registration(conn, data.registration_id, data.event.id, "cancelled")


async def erase_holder(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationErased,
) -> None:
    await db.update_scan_responses_erased(conn, data.registration_id)
    await db.update_tickets_erased(conn, data.registration_id)


async def record_event_update(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.EventUpdated
) -> None:
    await db.upsert_event(conn, data.event)


async def record_ticket(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.TicketIssued
) -> None:
    await db.upsert_event(conn, data.event)
    await db.upsert_ticket(
        conn, data.ticket_id, data.event.id, data.registration_id, data.holder.name
    )


async def record_revocation(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.TicketRevoked
) -> None:
    await db.upsert_ticket_revoked(conn, data.ticket_id, data.event_id)


REGISTRATION_HANDLERS: dict[type[events.EventData], Handler] = {
    events.EventCreated: record_event,
    events.EventUpdated: record_event_update,
    events.RegistrationConfirmed: record_registration,
    events.RegistrationCancelled: record_cancellation,
    events.RegistrationErased: erase_holder,
}
TICKET_HANDLERS: dict[type[events.EventData], Handler] = {
    events.TicketIssued: record_ticket,
    events.TicketRevoked: record_revocation,
}
