"""Typed application keys of the notifications service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import Counter

if TYPE_CHECKING:
    from services.notifications.sealing import Links

EMAILS_TOTAL = web.AppKey("emails_total", Counter)
LINKS: web.AppKey[Links] = web.AppKey("links")
