"""The checkin service: door scans and attendance."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from services.checkin import certificates, dashboard, door, handlers, lists, offline, reports
from services.checkin.consumers import REGISTRATION_HANDLERS, TICKET_HANDLERS
from services.checkin.keyring import keyring_context
from services.checkin.keys import SCANS_TOTAL
from shared.bus import consumer_context
from shared.config import Settings
from shared.keys import METRICS
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
    offline.setup(app)
    app.router.add_post("/api/v1/scans", handlers.redeem_scan)
    app.router.add_get("/api/v1/events/{slug}/attendance", handlers.get_attendance)
    app.router.add_post("/api/v1/events/{slug}/lists", lists.create_list)
    app.router.add_get("/api/v1/events/{slug}/lists", lists.get_lists)
    app.router.add_patch("/api/v1/events/{slug}/lists/{list}", lists.update_list)
    app.router.add_delete("/api/v1/events/{slug}/lists/{list}", lists.delete_list)
    app.router.add_get("/api/v1/events/{slug}/inside", lists.get_inside)
    door.add_routes(app)
    reports.setup(app)
    dashboard.setup(app)
    certificates.setup(app)
    return app
