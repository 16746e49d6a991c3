"""The notifications service: emails attendees, once each, and keeps the delivery log."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from services.notifications.consumers import CHECKIN_HANDLERS, HANDLERS, REGISTRATION_HANDLERS
from services.notifications.emails.sender import EMAILS_TOTAL, sender_context
from services.notifications.reminders.scheduling import reminder_scheduler
from services.notifications.routes import ROUTES
from services.notifications.sealing import ensure_sealing_key
from shared.bus import consumer_context
from shared.config import Settings
from shared.metrics import METRICS
from shared.office.pages import setup_templates
from shared.routes import add_routes
from shared.service import base_app


def create_app(settings: Settings) -> web.Application:
    app = base_app(settings, "services.notifications")
    app[EMAILS_TOTAL] = app[METRICS].counter(
        "emails", "Email delivery attempts, by template and outcome", ["template", "outcome"]
    )
    # The public keys are out before any email is composed or any registration sealed.
    app.cleanup_ctx.append(ensure_sealing_key)
    app.cleanup_ctx.append(consumer_context("TICKETS", HANDLERS))
    app.cleanup_ctx.append(consumer_context("REGISTRATION", REGISTRATION_HANDLERS))
    app.cleanup_ctx.append(consumer_context("CHECKIN", CHECKIN_HANDLERS))
    app.cleanup_ctx.append(sender_context)
    app.cleanup_ctx.append(reminder_scheduler)
    # The back office's pages; the emails have a Jinja environment of their own (mailer.py).
    setup_templates(app, Path(__file__).with_name("templates"))
    add_routes(app, ROUTES)
    return app
