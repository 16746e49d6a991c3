"""HTTP of ticket types: organizers define, change and remove them, anyone lists them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.registration.events.setup import find_event
from services.registration.records import TicketType
from services.registration.schemas import CreateTicketTypeRequest, UpdateTicketTypeRequest
from services.registration.ticket_types import db
from services.registration.ticket_types.changing import change_ticket_type, remove_ticket_type
from services.registration.ticket_types.setup import add_ticket_type
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import decode_body, json_response
from shared.routes import staff_claims


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
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    ticket_type = await add_ticket_type(pool, event, body, staff_claims(request))
    return json_response(ticket_type_body(ticket_type), status=201)


async def list_ticket_types(request: web.Request) -> web.Response:
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"])
    found = await db.select_ticket_types(pool, event.id)
    return json_response({"ticket_types": [ticket_type_body(t) for t in found]})


async def update_ticket_type(request: web.Request) -> web.Response:
    body = await decode_body(request, UpdateTicketTypeRequest)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    changed = await change_ticket_type(
        pool,
        event,
        request.match_info["ticket_type"],
        body,
        request.app[SETTINGS].offer_hours,
        staff_claims(request),
    )
    return json_response(ticket_type_body(changed))


async def delete_ticket_type(request: web.Request) -> web.Response:
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    slug = request.match_info["ticket_type"]
    await remove_ticket_type(pool, event, slug, staff_claims(request))
    return web.Response(status=204)
