"""Health and readiness of every service: on the service's own port, for the orchestrator
(never routed through the public origin)."""

from __future__ import annotations

from aiohttp import web

from shared.auth import STAFF_AUTH
from shared.bus import NATS
from shared.db import DB_POOL
from shared.http import json_response


async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    checks: dict[str, str] = {}
    try:
        async with request.app[DB_POOL].acquire(timeout=2) as conn:
            await conn.fetchval("SELECT 1", timeout=2)
        checks["database"] = "ok"
    except Exception as e:  # readiness reports any failure, it never raises
        checks["database"] = f"unavailable: {type(e).__name__}"
    nc = request.app[NATS]
    checks["nats"] = "ok" if nc.is_connected else "unavailable"
    # Until the revoked staff tokens are known, a revoked one could pass.
    checks["revocations"] = "ok" if request.app[STAFF_AUTH].revocations_known else "loading"
    ready = all(v == "ok" for v in checks.values())
    return json_response(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
