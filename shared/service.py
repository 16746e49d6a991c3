"""The parts every service's app has: middleware, headers, auth, metrics, pool, NATS, relay."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import uvloop
from aiohttp import web

from shared import csrf, db, logs
from shared.auth import STAFF_AUTH, StaffAuth
from shared.bus import nats_connection
from shared.config import SETTINGS, ConfigError, Settings
from shared.headers import add_security_headers
from shared.housekeeping import housekeeping_context
from shared.metrics import METRICS, HttpMetrics, metrics_middleware
from shared.outbox import relay_context
from shared.problems import problem_middleware
from shared.proxies import TRUSTED_PROXIES, TrustedProxies
from shared.revocations import revocations_context
from shared.staff_keys import signer_context, staff_keys_context


def base_app(
    settings: Settings, migrations_package: str, *, signs_staff_tokens: bool = False
) -> web.Application:
    app = web.Application(middlewares=[metrics_middleware, problem_middleware])
    app[SETTINGS] = settings
    app[METRICS] = HttpMetrics(settings.service)
    app[STAFF_AUTH] = StaffAuth(
        settings.staff_token_public_key, settings.staff_token_max_days * 86400
    )
    app[TRUSTED_PROXIES] = TrustedProxies(settings.trusted_proxies)
    app.on_response_prepare.append(add_security_headers)
    app.on_response_prepare.append(csrf.set_new_cookie)
    app.cleanup_ctx.append(db.pool_context(migrations_package))
    app.cleanup_ctx.append(nats_connection)
    app.cleanup_ctx.append(revocations_context)
    app.cleanup_ctx.append(staff_keys_context)
    if signs_staff_tokens:
        app.cleanup_ctx.append(signer_context)
    app.cleanup_ctx.append(relay_context)
    app.cleanup_ctx.append(housekeeping_context)
    return app


async def freeze_startup_objects(app: web.Application) -> None:
    """Once a served app is up (after every cleanup context has started), what exists
    (modules, the app, pools, caches) lives as long as the process: the cyclic garbage
    collector stops walking it. Its full collections then look only at what came since:
    they took 25-60 ms in checkin during a door rush, holding up every scan in flight
    (the rush's p99 was such a pause), and take a few milliseconds now. Not in tests,
    where apps come and go in one process."""
    gc.collect()
    gc.freeze()


def _serve(
    settings: Settings, create_app: Callable[[Settings], web.Application], **kw: Any
) -> None:
    app = create_app(settings)
    app.on_startup.append(freeze_startup_objects)
    # uvloop: the event loop in C, a good part of each request's CPU on a busy host.
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        print=None,
        loop=uvloop.new_event_loop(),
        **kw,
    )


def main(service: str, create_app: Callable[[Settings], web.Application]) -> None:
    try:
        settings = Settings.from_env(service)
    except ConfigError as e:
        sys.exit(f"cnk-{service}: configuration error: {e}")
    logs.configure(service, settings.log_format, settings.log_level)
    if settings.processes == 1:
        _serve(settings, create_app)
        return
    # Several instances of the service on one host, sharing the port (SO_REUSEPORT: the
    # kernel spreads connections). Each is a whole instance; everything in a service is
    # built to run as several instances anyway (outbox claims, shared consumers, locks).
    children = []
    for _ in range(settings.processes - 1):
        pid = os.fork()  # before any event loop or connection exists
        if pid == 0:
            _die_with_parent()
            _serve(settings, create_app, reuse_port=True)
            os._exit(0)
        children.append(pid)
    try:
        _serve(settings, create_app, reuse_port=True)
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            os.waitpid(pid, 0)


def _die_with_parent() -> None:
    """Linux: get SIGTERM when the parent dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
