"""The tickets service: issues signed tickets and serves them and their QR codes."""

from __future__ import annotations

from aiohttp import web

from services.tickets import handlers, page
from services.tickets.consumers import HANDLERS
from services.tickets.signing import ensure_signing_key
from shared.bus import consumer_context
from shared.config import Settings
from shared.service import base_app


def create_app(settings: Settings) -> web.Application:
    app = base_app(settings, "services.tickets")
    app.cleanup_ctx.append(ensure_signing_key)
    app.cleanup_ctx.append(consumer_context("REGISTRATION", HANDLERS))
    app.router.add_get(
        "/api/v1/registrations/{registration_id}/ticket", handlers.get_registration_ticket
    )
    app.router.add_get("/api/v1/tickets/{ticket_id}/qr.png", handlers.get_ticket_qr_png)
    app.router.add_get("/api/v1/tickets/{ticket_id}/qr.svg", handlers.get_ticket_qr_svg)
    app.router.add_get("/api/v1/tickets/{ticket_id}/ticket.pdf", handlers.get_ticket_pdf)
    app.router.add_get("/api/v1/keys", handlers.list_keys)
    app.router.add_post("/api/v1/keys", handlers.rotate_key)
    app.router.add_post("/api/v1/keys/{key_id}/retire", handlers.retire_key)
    app.router.add_get("/registrations/{registration_id}/ticket.html", page.ticket_page)
    return app
