"""An organizer adds ticket types to an event."""

from __future__ import annotations

import uuid

import asyncpg

from services.registration import messages
from services.registration.events import db as events_db
from services.registration.events.setup import SERVICE
from services.registration.records import Event, TicketType
from services.registration.refusals import TICKET_TYPE_EXISTS
from services.registration.schemas import CreateTicketTypeRequest
from services.registration.ticket_types import changing, db
from shared import audit
from shared.auth import StaffClaims, hash_manage_token


async def add_ticket_type(
    pool: asyncpg.Pool, event: Event, body: CreateTicketTypeRequest, claims: StaffClaims
) -> TicketType:
    [ticket_type] = await add_ticket_types(pool, event, [body], claims)
    return ticket_type


async def add_ticket_types(
    pool: asyncpg.Pool, event: Event, bodies: list[CreateTicketTypeRequest], claims: StaffClaims
) -> list[TicketType]:
    """Add ticket types to the event, all or none, announced in one ``event.updated``."""
    types = [_ticket_type(event, body) for body in bodies]
    async with pool.acquire() as conn, conn.transaction():
        # Checkin validates its lists against the types it hears of in event.updated.
        updated = await events_db.update_event_fields(conn, event.id, {})
        for ticket_type in types:
            try:
                await db.insert_ticket_type(conn, ticket_type)
            except asyncpg.UniqueViolationError:
                raise TICKET_TYPE_EXISTS(slug=ticket_type.slug) from None
            await audit.record(
                conn,
                SERVICE,
                claims,
                "ticket_type.added",
                event_slug=event.slug,
                after=changing.logged(ticket_type),
            )
        await messages.enqueue_event_updated(conn, updated, ["ticket_types"])
    return types


def _ticket_type(event: Event, body: CreateTicketTypeRequest) -> TicketType:
    return TicketType(
        id=uuid.uuid4(),
        event_id=event.id,
        slug=body.slug,
        name=body.name,
        quota=body.quota,
        taken=0,
        access_code_hash=hash_manage_token(body.access_code) if body.access_code else None,
    )
