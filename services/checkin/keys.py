"""Typed application keys of the checkin service."""

from __future__ import annotations

from aiohttp import web
from nacl.signing import VerifyKey
from prometheus_client import Counter

from services.checkin.batcher import ScanBatcher

VERIFY_KEYS = web.AppKey("verify_keys", dict[int, VerifyKey])
SCANS_TOTAL = web.AppKey("scans_total", Counter)
SCAN_BATCHER = web.AppKey("scan_batcher", ScanBatcher)
