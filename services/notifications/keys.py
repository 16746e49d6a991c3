"""Typed application keys of the notifications service."""

from aiohttp import web
from prometheus_client import Counter

EMAILS_TOTAL = web.AppKey("emails_total", Counter)
