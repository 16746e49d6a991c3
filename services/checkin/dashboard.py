"""The organizers' live dashboard and its server-sent event stream."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Routes of this module (filled in by issue 6)."""
