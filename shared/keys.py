"""Typed application keys shared by every service."""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg
from aiohttp import web
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

if TYPE_CHECKING:
    from shared.auth import StaffAuth
    from shared.config import Settings
    from shared.health import HttpMetrics

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DB_POOL = web.AppKey("db_pool", asyncpg.Pool)
NATS = web.AppKey("nats", NatsClient)
JETSTREAM = web.AppKey("jetstream", JetStreamContext)
METRICS: web.AppKey[HttpMetrics] = web.AppKey("metrics")
STAFF_AUTH: web.AppKey[StaffAuth] = web.AppKey("staff_auth")
