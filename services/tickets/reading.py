"""Reading a ticket: by its holder (the registration's manage token) or by an organizer
of its event. The handlers find it, then ask ``admit`` whether the token they were shown
opens it (the token may be the registration's cookie, known once the ticket is)."""

from __future__ import annotations

import uuid

import asyncpg

from services.tickets import db
from services.tickets.texts import TICKET_NOT_FOUND, TICKET_NOT_ISSUED
from shared.auth import StaffAuth, looks_like_jwt, manage_token_matches
from shared.refusals import FORBIDDEN, UNAUTHORIZED


async def ticket_of_registration(
    pool: asyncpg.Pool, registration_id: uuid.UUID | None
) -> db.Ticket | None:
    if registration_id is None:
        return None
    return await db.select_ticket_by_registration(pool, registration_id)


async def ticket(pool: asyncpg.Pool, ticket_id: uuid.UUID) -> db.Ticket | None:
    return await db.select_ticket(pool, ticket_id)


def admit(staff: StaffAuth, token: str | None, ticket: db.Ticket | None) -> bool:
    """Whether ``token`` may read ``ticket``: an organizer's covering its event (any
    organizer's when there is none, to learn that), or the attendee's manage token. True
    when it was the manage token; refused otherwise."""
    if not token:
        raise UNAUTHORIZED()
    if looks_like_jwt(token):
        claims = staff.verify(token)
        if claims.role != "organizer" or (ticket and not claims.covers(ticket.event.slug)):
            raise FORBIDDEN()
        return False
    if ticket is None or not manage_token_matches(token, ticket.manage_token_hash):
        raise FORBIDDEN()
    return True


def issued(ticket: db.Ticket | None) -> db.Ticket:
    """The registration's ticket, which follows its confirmation within seconds."""
    if ticket is None:
        raise TICKET_NOT_ISSUED()
    return ticket


def found(ticket: db.Ticket | None) -> db.Ticket:
    if ticket is None:
        raise TICKET_NOT_FOUND()
    return ticket
