"""What the tickets service does with registrations: issue a ticket for each confirmed
one, revoke it on cancellation, forget its holder on erasure (called by the consumers)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from services.tickets import db
from services.tickets.signing.signer import Signer
from shared import events, outbox
from shared.codes import sign_code


async def issue_ticket(
    conn: asyncpg.Connection, signer: Signer, data: events.RegistrationConfirmed
) -> None:
    """A ticket for a confirmed registration, signed by ``signer``, and ticket.issued; none
    when the registration has one already (the event came again)."""
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


async def revoke_ticket(conn: asyncpg.Connection, data: events.RegistrationCancelled) -> None:
    """The cancelled registration's ticket no longer admits, and ticket.revoked says so."""
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


async def erase_holder(conn: asyncpg.Connection, data: events.RegistrationErased) -> None:
    await db.update_ticket_erased(conn, data.registration_id)
