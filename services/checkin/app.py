"""The checkin service: door scans and attendance."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from services.checkin.consumers import REGISTRATION_HANDLERS, TICKET_HANDLERS
from services.checkin.dashboard import stream
from services.checkin.evidence import certifying
from services.checkin.evidence.pdf_queue import pdf_queue_context
from services.checkin.routes import ROUTES
from services.checkin.scans.batcher import SCANS_TOTAL, batcher_context
from services.checkin.staff.keyring import keyring_context
from services.checkin.staff.revoking import publish_revocations
from shared.bus import consumer_context
from shared.config import Settings
from shared.metrics import METRICS
from shared.office.pages import setup_templates
from shared.routes import add_routes
from shared.service import base_app

HERE = Path(__file__).parent
TEMPLATES = [
    HERE / feature / "templates" for feature in ("dashboard", "evidence", "lists", "staff", "scans")
]


def create_app(settings: Settings) -> web.Application:
    app = base_app(settings, "services.checkin", signs_staff_tokens=True)
    setup_templates(app, *TEMPLATES)
    app[SCANS_TOTAL] = app[METRICS].counter("scans", "Scans recorded, by verdict", ["result"])
    app.cleanup_ctx.append(keyring_context)
    app.cleanup_ctx.append(batcher_context)
    app.cleanup_ctx.append(consumer_context("REGISTRATION", REGISTRATION_HANDLERS))
    app.cleanup_ctx.append(consumer_context("TICKETS", TICKET_HANDLERS))
    app.cleanup_ctx.append(publish_revocations)
    app.cleanup_ctx.append(pdf_queue_context)
    stream.setup(app)
    certifying.setup(app)
    add_routes(app, ROUTES)
    return app
