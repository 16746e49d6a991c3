"""Typed application keys of the registration service."""

from aiohttp import web
from prometheus_client import Counter

REGISTRATIONS_TOTAL = web.AppKey("registrations_total", Counter)
