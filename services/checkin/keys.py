"""Typed application keys of the checkin service."""

from __future__ import annotations

from aiohttp import web
from nacl.signing import VerifyKey
from prometheus_client import Counter

VERIFY_KEYS = web.AppKey("verify_keys", dict[int, VerifyKey])
SCANS_TOTAL = web.AppKey("scans_total", Counter)
