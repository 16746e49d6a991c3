"""HTTP handlers of the tickets: the ticket as JSON, its QR code, its PDF and its page."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from services.tickets import db, reading
from services.tickets.texts import PAGE, TICKET_NOT_FOUND
from shared.auth import STAFF_AUTH, exchange_link, manage_token_matches, presented_token
from shared.db import DB_POOL
from shared.http import json_response
from shared.qr import qr_png, qr_svg
from shared.refusals import REGISTRATION_NOT_FOUND, Refusal
from shared.ticket_pdf import render_ticket_pdf
from shared.timefmt import format_when

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def _uuid(request: web.Request, name: str, unknown: Refusal) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        raise unknown() from None


def _admit(request: web.Request, ticket: db.Ticket | None) -> None:
    """The attendee's manage token (header, the registration's cookie, or a link's ?token=,
    exchanged for the cookie), or an organizer of the ticket's event."""
    token = presented_token(request, ticket.registration_id if ticket else None)
    if reading.admit(request.app[STAFF_AUTH], token, ticket) and ticket is not None:
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
    registration_id = _uuid(request, "registration_id", REGISTRATION_NOT_FOUND)
    ticket = await reading.ticket_of_registration(request.app[DB_POOL], registration_id)
    _admit(request, ticket)
    return json_response(ticket_body(reading.issued(ticket)))


async def _ticket_for_image(request: web.Request) -> db.Ticket:
    ticket_id = _uuid(request, "ticket_id", TICKET_NOT_FOUND)
    ticket = await reading.ticket(request.app[DB_POOL], ticket_id)
    _admit(request, ticket)
    return reading.found(ticket)


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


async def ticket_page(request: web.Request) -> web.Response:
    """The printable ticket page: the QR code with the holder's name, event, time and place."""
    lang = request.query.get("lang", "pl")
    lang = lang if lang in PAGE else "pl"
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        registration_id = None
    ticket = await reading.ticket_of_registration(request.app[DB_POOL], registration_id)
    token = presented_token(request, registration_id)
    if ticket is None or not manage_token_matches(token, ticket.manage_token_hash):
        return web.Response(status=404, text=PAGE[lang]["missing"])
    exchange_link(request, ticket.registration_id)
    html = _templates.get_template("ticket.html").render(
        lang=lang,
        t=PAGE[lang],
        ticket=ticket,
        event=ticket.event,
        when=format_when(ticket.event.starts_at, ticket.event.ends_at, lang),
        qr_svg=qr_svg(ticket.code).decode(),
        pdf_query=urlencode({"lang": lang}),
    )
    return web.Response(
        text=html, content_type="text/html", headers={"Cache-Control": "private, no-store"}
    )
