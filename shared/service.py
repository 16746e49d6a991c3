"""The parts every service's app has: middleware, auth, metrics, health, pool, NATS, relay."""

from __future__ import annotations

import sys
from collections.abc import Callable

from aiohttp import web

from shared import db
from shared.auth import StaffAuth
from shared.bus import nats_connection
from shared.config import ConfigError, Settings
from shared.http import HttpMetrics, add_operational_routes, metrics_middleware, problem_middleware
from shared.keys import METRICS, SETTINGS, STAFF_AUTH
from shared.outbox import relay_context


def base_app(settings: Settings, migrations_package: str) -> web.Application:
    app = web.Application(middlewares=[metrics_middleware, problem_middleware])
    app[SETTINGS] = settings
    app[METRICS] = HttpMetrics(settings.service)
    app[STAFF_AUTH] = StaffAuth(settings.staff_token_public_key)
    add_operational_routes(app)
    app.cleanup_ctx.append(db.pool_context(migrations_package))
    app.cleanup_ctx.append(nats_connection)
    app.cleanup_ctx.append(relay_context)
    return app


def main(service: str, create_app: Callable[[Settings], web.Application]) -> None:
    from shared import logs

    try:
        settings = Settings.from_env(service)
    except ConfigError as e:
        sys.exit(f"cnk-{service}: configuration error: {e}")
    logs.configure(service, settings.log_format, settings.log_level)
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)
