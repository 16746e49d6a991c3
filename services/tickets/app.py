"""The tickets service: issues signed tickets and serves them and their QR codes."""

from __future__ import annotations

from aiohttp import web

from services.tickets.consumers import HANDLERS
from services.tickets.routes import ROUTES
from services.tickets.signing.keys import ensure_signing_key
from shared.bus import consumer_context
from shared.config import Settings
from shared.routes import add_routes
from shared.service import base_app


def create_app(settings: Settings) -> web.Application:
    app = base_app(settings, "services.tickets")
    app.cleanup_ctx.append(ensure_signing_key)
    app.cleanup_ctx.append(consumer_context("REGISTRATION", HANDLERS))
    add_routes(app, ROUTES)
    return app
