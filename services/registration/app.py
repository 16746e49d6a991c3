"""The registration service: events catalogue and registrations."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from services.registration import (
    exports,
    handlers,
    importing,
    manage_pages,
    pages,
    privacy,
    questions,
    sessions,
    ticket_types,
)
from services.registration.event_cache import changes_events, event_cache_context
from services.registration.keys import RATE_LIMITER, REGISTRATIONS_TOTAL
from services.registration.sweeper import offer_sweeper
from shared.config import Settings
from shared.keys import METRICS
from shared.ratelimit import RateLimiter
from shared.sealing import sealer_context
from shared.service import base_app


def create_app(settings: Settings) -> web.Application:
    app = base_app(settings, "services.registration")
    app[REGISTRATIONS_TOTAL] = app[METRICS].counter(
        "registrations", "Registrations created, by resulting status", ["status"]
    )
    app[RATE_LIMITER] = RateLimiter(settings.registration_rate_limit)
    app.cleanup_ctx.append(sealer_context)
    app.cleanup_ctx.append(offer_sweeper)
    app.cleanup_ctx.append(handlers.batcher_context)
    app.cleanup_ctx.append(event_cache_context)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    pages.add_page_routes(app)
    manage_pages.add_routes(app)
    app.router.add_post("/api/v1/events", handlers.create_event)
    app.router.add_get("/api/v1/events", handlers.list_events)
    app.router.add_get("/api/v1/events/{slug}", handlers.get_event)
    app.router.add_post("/api/v1/events/{slug}/registrations", handlers.create_registration)
    app.router.add_get("/api/v1/events/{slug}/registrations", exports.list_registrations)
    app.router.add_post(
        "/api/v1/events/{slug}/registrations/import", importing.import_registrations
    )
    app.router.add_get("/api/v1/events/{slug}/registrations.csv", exports.export_registrations_csv)
    app.router.add_patch("/api/v1/events/{slug}", changes_events(handlers.update_event))
    app.router.add_get("/api/v1/events/{slug}/stats", handlers.get_event_stats)
    app.router.add_post(
        "/api/v1/events/{slug}/ticket-types", changes_events(ticket_types.create_ticket_type)
    )
    app.router.add_get("/api/v1/events/{slug}/ticket-types", ticket_types.list_ticket_types)
    app.router.add_post(
        "/api/v1/events/{slug}/questions", changes_events(questions.create_question)
    )
    app.router.add_get("/api/v1/events/{slug}/questions", questions.list_questions)
    app.router.add_post("/api/v1/events/{slug}/sessions", changes_events(sessions.create_session))
    app.router.add_get("/api/v1/events/{slug}/sessions", sessions.list_sessions)
    app.router.add_patch(
        "/api/v1/events/{slug}/sessions/{session}", changes_events(sessions.update_session)
    )
    app.router.add_post("/api/v1/events/{slug}/publish", changes_events(handlers.publish_event))
    app.router.add_post("/api/v1/events/{slug}/cancel", changes_events(handlers.cancel_event))
    app.router.add_get("/api/v1/registrations/{registration_id}", handlers.get_registration)
    app.router.add_delete("/api/v1/registrations/{registration_id}", handlers.cancel_registration)
    app.router.add_post(
        "/api/v1/registrations/{registration_id}/accept-offer", handlers.accept_offer
    )
    app.router.add_put("/api/v1/registrations/{registration_id}/sessions", sessions.change_sessions)
    app.router.add_get("/api/v1/registrations/{registration_id}/data", privacy.download_data)
    app.router.add_post("/api/v1/registrations/{registration_id}/erase", privacy.erase_registration)
    return app
