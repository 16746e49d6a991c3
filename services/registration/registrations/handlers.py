"""HTTP of registrations: register (a person or a group), read one, cancel it, accept an
offered seat."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from services.registration.events.cache import EVENT_CACHE
from services.registration.events.setup import find_event
from services.registration.registrations import resending
from services.registration.registrations.access import ACTOR, BY, registration_for
from services.registration.registrations.bodies import registration_body, registration_response
from services.registration.registrations.cancelling import accept_offered, cancel_registration
from services.registration.registrations.registering import Registered, Registrar, register
from services.registration.registrations.resending import ResendLinkRequest
from services.registration.schemas import RegisterRequest
from services.registration.sessions.bodies import places_body
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import decode_body, json_response
from shared.proxies import TRUSTED_PROXIES
from shared.refusals import EVENT_NOT_FOUND, FORBIDDEN
from shared.slugs import is_slug


async def create_registration(request: web.Request) -> web.Response:
    body = await decode_body(request, RegisterRequest)
    slug = request.match_info["slug"]
    pool = request.app[DB_POOL]
    found = await request.app[EVENT_CACHE].get(slug) if is_slug(slug) else None
    if found is None or found[0].status == "draft":
        raise EVENT_NOT_FOUND(slug=slug)
    event, types, questions, sessions = found
    client = request.app[TRUSTED_PROXIES].client_address(request)
    done = await register(
        Registrar.of(request.app), client, event, types, questions, sessions, body
    )
    tickets_url = request.app[SETTINGS].tickets_url
    places: dict[uuid.UUID, list[dict[str, Any]]] = {}
    if body.sessions:
        for one in done:
            places[one.registration.id] = await places_body(pool, one.registration.id)

    def body_of(one: Registered) -> dict[str, Any]:
        response = registration_body(one.registration, event, one.position)
        response["sessions"] = places.get(one.registration.id, [])
        response["manage_token"] = one.manage_token
        response["ticket_url"] = f"{tickets_url}/api/v1/registrations/{one.registration.id}/ticket"
        return response

    contact = done[0].registration
    response = body_of(done[0])
    if body.attendees is not None:
        response["group_id"] = contact.group_id
        response["group"] = [body_of(one) for one in done]
    return json_response(
        response, status=201, headers={"Location": f"/api/v1/registrations/{contact.id}"}
    )


async def get_registration(request: web.Request) -> web.Response:
    registration = await registration_for(request)
    return await registration_response(request.app[DB_POOL], registration)


async def delete_registration(request: web.Request) -> web.Response:
    registration = await registration_for(request)
    actor = request[ACTOR]
    pool = request.app[DB_POOL]
    offer_hours = request.app[SETTINGS].offer_hours
    cancelled = await cancel_registration(pool, registration, actor, offer_hours, request[BY])
    return await registration_response(pool, cancelled)


async def accept_offer(request: web.Request) -> web.Response:
    registration = await registration_for(request)
    if request[ACTOR] != "attendee":
        # Only the attendee accepts an offer, with the manage token.
        raise FORBIDDEN()
    pool = request.app[DB_POOL]
    confirmed = await accept_offered(pool, registration)
    return await registration_response(pool, confirmed)


async def resend_link(request: web.Request) -> web.Response:
    """``POST /api/v1/events/{slug}/resend-link``: the same 202 whether or not the address
    is registered for the event."""
    body = await decode_body(request, ResendLinkRequest)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"])
    client = request.app[TRUSTED_PROXIES].client_address(request)
    await resending.resend_link(pool, event, body.email, client)
    return json_response(RESEND_ANSWER, status=202)


RESEND_ANSWER = {
    "status": "accepted",
    "detail": "If this address is registered for the event, its ticket and manage link are"
    " on their way to it.",
}
