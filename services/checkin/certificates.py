"""Certificates of attendance: signed PDFs, the public verification page, sending them."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Routes of this module (filled in by issue 6)."""
