"""Ticket types of an event: organizers define them, registrations pick one."""

from __future__ import annotations

import hmac
import uuid
from typing import Any

import asyncpg
from aiohttp import web

from services.registration import db, messages
from services.registration.handlers import event_or_404
from services.registration.schemas import (
    CreateTicketTypeRequest,
    RegisterRequest,
    TicketType,
)
from shared.auth import hash_manage_token
from shared.http import ProblemError, decode_body, json_response
from shared.keys import DB_POOL
from shared.refusals import FieldError


def ticket_type_body(t: TicketType) -> dict[str, Any]:
    return {
        "slug": t.slug,
        "name": t.name,
        "quota": t.quota,
        "available": None if t.quota is None else max(t.quota - t.taken, 0),
        "restricted": t.restricted,
    }


async def create_ticket_type(request: web.Request) -> web.Response:
    body = await decode_body(request, CreateTicketTypeRequest)
    event = await event_or_404(request, include_drafts=True)
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
        async with request.app[DB_POOL].acquire() as conn, conn.transaction():
            # Checkin validates its lists against the types it hears of in event.updated.
            updated = await db.update_event_fields(conn, event.id, {})
            await db.insert_ticket_type(conn, ticket_type)
            await messages.enqueue_event_updated(conn, updated, ["ticket_types"])
    except asyncpg.UniqueViolationError:
        raise ProblemError(
            409, "ticket_type_exists", f"This event already has a ticket type {body.slug!r}."
        ) from None
    return json_response(ticket_type_body(ticket_type), status=201)


async def list_ticket_types(request: web.Request) -> web.Response:
    event = await event_or_404(request)
    found = await db.select_ticket_types(request.app[DB_POOL], event.id)
    return json_response({"ticket_types": [ticket_type_body(t) for t in found]})


def resolve(types: list[TicketType], body: RegisterRequest) -> TicketType | None:
    """The ticket type a registration asks for, checked against the event and access code."""
    if not types:
        if body.ticket_type is not None:
            raise _field(
                400, "unknown_ticket_type", "ticket_type", "This event has no ticket types."
            )
        return None
    if body.ticket_type is None:
        public = [t for t in types if not t.restricted]
        if len(public) == 1:
            return public[0]
        choices = ", ".join(t.slug for t in public)
        raise _field(400, "validation_failed", "ticket_type", f"Choose a ticket type: {choices}.")
    chosen = next((t for t in types if t.slug == body.ticket_type), None)
    if chosen is None:
        raise _field(400, "unknown_ticket_type", "ticket_type", "There is no such ticket type.")
    if chosen.access_code_hash is not None and not (
        body.access_code
        and hmac.compare_digest(hash_manage_token(body.access_code), chosen.access_code_hash)
    ):
        raise _field(
            403, "access_code_invalid", "access_code", "This ticket type needs a valid access code."
        )
    return chosen


def _field(status: int, code: str, field: str, message: str) -> ProblemError:
    return ProblemError(status, code, message, errors=[FieldError(field=field, message=message)])
