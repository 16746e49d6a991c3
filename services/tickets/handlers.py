"""HTTP handlers of the tickets service."""

from __future__ import annotations

import uuid

from aiohttp import web

from services.tickets import db, signing
from services.tickets.signing import public_key
from shared.auth import exchange_link, looks_like_jwt, manage_token_matches, presented_token
from shared.http import ProblemError, json_response
from shared.keys import DB_POOL, STAFF_AUTH
from shared.qr import qr_png, qr_svg
from shared.ticket_pdf import render_ticket_pdf


def _uuid(request: web.Request, name: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        raise ProblemError(404, f"{what}_not_found", f"There is no such {what}.") from None


def _authorize(request: web.Request, ticket: db.Ticket | None) -> None:
    """The attendee's manage token (header, the registration's cookie, or a link's ?token=,
    exchanged for the cookie), or an organizer of the ticket's event."""
    token = presented_token(request, ticket.registration_id if ticket else None)
    if not token:
        raise ProblemError(401, "unauthorized", "This needs the manage token or a staff token.")
    if looks_like_jwt(token):
        claims = request.app[STAFF_AUTH].verify(token)
        if claims.role != "organizer" or (ticket and not claims.covers(ticket.event.slug)):
            raise ProblemError(403, "forbidden", "This token cannot read this ticket.")
        return
    if ticket is None or not manage_token_matches(token, ticket.manage_token_hash):
        raise ProblemError(403, "forbidden", "The manage token does not match this ticket.")
    exchange_link(request, ticket.registration_id)


def ticket_body(ticket: db.Ticket) -> dict[str, object]:
    return {
        "ticket_id": ticket.id,
        "registration_id": ticket.registration_id,
        "code": ticket.code,
        "status": ticket.status,
        "holder_name": ticket.holder_name,
        "event": {"id": ticket.event.id, "slug": ticket.event.slug, "name": ticket.event.name},
        "issued_at": ticket.issued_at,
        "qr_png": f"/api/v1/tickets/{ticket.id}/qr.png",
        "qr_svg": f"/api/v1/tickets/{ticket.id}/qr.svg",
        "pdf": f"/api/v1/tickets/{ticket.id}/ticket.pdf",
    }


async def get_registration_ticket(request: web.Request) -> web.Response:
    registration_id = _uuid(request, "registration_id", "registration")
    ticket = await db.select_ticket_by_registration(request.app[DB_POOL], registration_id)
    _authorize(request, ticket)
    if ticket is None:
        raise ProblemError(
            404,
            "ticket_not_issued",
            "No ticket has been issued for this registration yet; it follows within seconds.",
        )
    return json_response(ticket_body(ticket))


async def _ticket_for_image(request: web.Request) -> db.Ticket:
    ticket_id = _uuid(request, "ticket_id", "ticket")
    ticket = await db.select_ticket(request.app[DB_POOL], ticket_id)
    _authorize(request, ticket)
    if ticket is None:
        raise ProblemError(404, "ticket_not_found", "There is no such ticket.")
    return ticket


async def get_ticket_qr_png(request: web.Request) -> web.Response:
    ticket = await _ticket_for_image(request)
    return web.Response(
        body=qr_png(ticket.code),
        content_type="image/png",
        headers={"Cache-Control": "private, max-age=3600"},
    )


async def get_ticket_qr_svg(request: web.Request) -> web.Response:
    ticket = await _ticket_for_image(request)
    return web.Response(
        body=qr_svg(ticket.code),
        content_type="image/svg+xml",
        headers={"Cache-Control": "private, max-age=3600"},
    )


async def get_ticket_pdf(request: web.Request) -> web.Response:
    """The printable ticket, in the ticket's language unless ``?lang=`` asks for the other."""
    ticket = await _ticket_for_image(request)
    lang = request.query.get("lang", ticket.lang)
    lang = lang if lang in ("pl", "en") else ticket.lang
    event = ticket.event
    pdf = render_ticket_pdf(
        holder_name=ticket.holder_name,
        event_name=event.name.get(lang),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        venue=event.venue,
        room=event.room,
        code=ticket.code,
        ticket_id=ticket.id,
        lang=lang,
        created_at=ticket.issued_at,
    )
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="ticket-{event.slug}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


async def list_keys(request: web.Request) -> web.Response:
    keys = await db.select_keys(request.app[DB_POOL])
    return json_response({"keys": [public_key(k) for k in keys]})


async def rotate_key(request: web.Request) -> web.Response:
    key = await signing.rotate(request.app)
    return json_response(key, status=201)


async def retire_key(request: web.Request) -> web.Response:
    try:
        key_id = int(request.match_info["key_id"])
    except ValueError:
        raise ProblemError(404, "key_not_found", "Key ids are whole numbers.") from None
    return json_response(await signing.retire(request.app, key_id))
