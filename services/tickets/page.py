"""The printable ticket page: the QR code with the holder's name, event, time and place."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from services.tickets import db
from shared.auth import exchange_link, manage_token_matches, presented_token
from shared.keys import DB_POOL
from shared.qr import qr_svg
from shared.timefmt import format_when

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
TEXTS = {
    "pl": {
        "ticket": "Bilet",
        "qr": "Kod QR biletu",
        "show": "Pokaż ten kod przy wejściu.",
        "pdf": "Bilet do wydruku (PDF)",
        "revoked": "Ten bilet został anulowany.",
        "missing": "Nie ma takiego biletu.",
    },
    "en": {
        "ticket": "Ticket",
        "qr": "Ticket QR code",
        "show": "Show this code at the entrance.",
        "pdf": "Printable ticket (PDF)",
        "revoked": "This ticket has been cancelled.",
        "missing": "There is no such ticket.",
    },
}


async def ticket_page(request: web.Request) -> web.Response:
    lang = request.query.get("lang", "pl")
    lang = lang if lang in TEXTS else "pl"
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        registration_id = None
    ticket = (
        await db.select_ticket_by_registration(request.app[DB_POOL], registration_id)
        if registration_id
        else None
    )
    token = presented_token(request, registration_id)
    if ticket is None or not manage_token_matches(token, ticket.manage_token_hash):
        return web.Response(status=404, text=TEXTS[lang]["missing"])
    exchange_link(request, ticket.registration_id)
    html = _templates.get_template("ticket.html").render(
        lang=lang,
        t=TEXTS[lang],
        ticket=ticket,
        event=ticket.event,
        when=format_when(ticket.event.starts_at, ticket.event.ends_at, lang),
        qr_svg=qr_svg(ticket.code).decode(),
        pdf_query=urlencode({"lang": lang}),
    )
    return web.Response(
        text=html, content_type="text/html", headers={"Cache-Control": "private, no-store"}
    )
