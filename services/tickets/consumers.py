"""Event handlers of the tickets service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from aiohttp import web

from services.tickets import db
from services.tickets.keys import SIGNER
from shared import events, outbox
from shared.bus import Handler
from shared.codes import sign_code


async def issue_ticket(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationConfirmed,
) -> None:
    signer = app[SIGNER].signer
    ticket_id = uuid.uuid4()
    ticket = db.Ticket(
        id=ticket_id,
        registration_id=data.registration_id,
        event=data.event,
        code=sign_code(signer.key, signer.key_id, ticket_id, data.event.id),
        key_id=signer.key_id,
        status="valid",
        holder_name=data.holder.name,
        holder_email=data.holder.email,
        lang=data.holder.lang,
        manage_token_hash=data.manage_token_hash,
        version=1,
        issued_at=datetime.now(UTC),
    )
    if not await db.insert_ticket(conn, ticket):
        return
    await outbox.enqueue(
        conn,
        events.TicketIssued(
            ticket_id=ticket.id,
            registration_id=ticket.registration_id,
            code=ticket.code,
            key_id=ticket.key_id,
            event=ticket.event,
            holder=data.holder,
            manage_token_hash=ticket.manage_token_hash,
            issued_at=ticket.issued_at,
            ticket_type=data.ticket_type,
            manage_token_sealed=data.manage_token_sealed,
            sessions=data.sessions,
        ),
        ticket.id,
        ticket.version,
    )


async def revoke_ticket(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationCancelled,
) -> None:
    ticket = await db.update_ticket_revoked(conn, data.registration_id)
    if ticket is None:
        return
    await outbox.enqueue(
        conn,
        events.TicketRevoked(
            ticket_id=ticket.id,
            registration_id=ticket.registration_id,
            event_id=ticket.event.id,
            reason=f"registration_cancelled:{data.reason}",
            revoked_at=data.cancelled_at,
        ),
        ticket.id,
        ticket.version,
    )


async def erase_holder(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationErased,
) -> None:
    await db.update_ticket_erased(conn, data.registration_id)


HANDLERS: dict[type[events.EventData], Handler] = {
    events.RegistrationErased: erase_holder,
    events.RegistrationConfirmed: issue_ticket,
    events.RegistrationCancelled: revoke_ticket,
}
