"""An organizer adds a ticket type to an event."""

from __future__ import annotations

import uuid

import asyncpg

from services.registration import messages
from services.registration.events import db as events_db
from services.registration.records import Event, TicketType
from services.registration.refusals import TICKET_TYPE_EXISTS
from services.registration.schemas import CreateTicketTypeRequest
from services.registration.ticket_types import db
from shared.auth import hash_manage_token


async def add_ticket_type(
    pool: asyncpg.Pool, event: Event, body: CreateTicketTypeRequest
) -> TicketType:
    ticket_type = TicketType(
        id=uuid.uuid4(),
        event_id=event.id,
        slug=body.slug,
        name=body.name,
        quota=body.quota,
        taken=0,
        access_code_hash=hash_manage_token(body.access_code) if body.access_code else None,
    )
    try:
        async with pool.acquire() as conn, conn.transaction():
            # Checkin validates its lists against the types it hears of in event.updated.
            updated = await events_db.update_event_fields(conn, event.id, {})
            await db.insert_ticket_type(conn, ticket_type)
            await messages.enqueue_event_updated(conn, updated, ["ticket_types"])
    except asyncpg.UniqueViolationError:
        raise TICKET_TYPE_EXISTS(slug=body.slug) from None
    return ticket_type
