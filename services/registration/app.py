"""The registration service: events catalogue and registrations."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from services.registration.consumers import AUDIT_HANDLERS, CHECKIN_HANDLERS
from services.registration.events.cache import event_cache_context
from services.registration.registrations.batcher import batcher_context
from services.registration.registrations.registering import REGISTRATIONS_TOTAL
from services.registration.routes import ROUTES
from services.registration.staff.signing_in import revocations_republisher
from services.registration.sweeper import offer_sweeper
from shared.bus import consumer_context
from shared.config import Settings
from shared.metrics import METRICS
from shared.office.pages import setup_templates
from shared.routes import add_routes
from shared.sealing import sealer_context
from shared.service import base_app


def create_app(settings: Settings) -> web.Application:
    app = base_app(settings, "services.registration", signs_staff_tokens=True)
    app[REGISTRATIONS_TOTAL] = app[METRICS].counter(
        "registrations", "Registrations created, by resulting status", ["status"]
    )
    app.cleanup_ctx.append(sealer_context)
    app.cleanup_ctx.append(offer_sweeper)
    app.cleanup_ctx.append(batcher_context)
    app.cleanup_ctx.append(event_cache_context)
    app.cleanup_ctx.append(revocations_republisher)
    app.cleanup_ctx.append(consumer_context("AUDIT", AUDIT_HANDLERS))
    app.cleanup_ctx.append(consumer_context("CHECKIN", CHECKIN_HANDLERS))
    setup_templates(app, Path(__file__).with_name("templates"))
    add_routes(app, ROUTES)
    return app
