"""The checkin service: door scans and attendance."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from services.checkin import certificates, dashboard, handlers, tokens
from services.checkin.consumers import REGISTRATION_HANDLERS, TICKET_HANDLERS
from services.checkin.keyring import keyring_context
from services.checkin.keys import SCANS_TOTAL
from services.checkin.pdf_queue import pdf_queue_context
from services.checkin.routes import ROUTES
from shared.bus import consumer_context
from shared.config import Settings
from shared.keys import METRICS
from shared.routes import add_routes
from shared.service import base_app


def create_app(settings: Settings) -> web.Application:
    app = base_app(settings, "services.checkin")
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    app[SCANS_TOTAL] = app[METRICS].counter("scans", "Scans recorded, by verdict", ["result"])
    app.cleanup_ctx.append(keyring_context)
    app.cleanup_ctx.append(handlers.batcher_context)
    app.cleanup_ctx.append(consumer_context("REGISTRATION", REGISTRATION_HANDLERS))
    app.cleanup_ctx.append(consumer_context("TICKETS", TICKET_HANDLERS))
    app.cleanup_ctx.append(tokens.publish_revocations)
    app.cleanup_ctx.append(pdf_queue_context)
    dashboard.setup(app)
    certificates.setup(app)
    add_routes(app, ROUTES)
    return app
