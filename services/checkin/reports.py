"""Attendance evidence: attendance lists, participant statistics, who is inside (CSV, PDF)."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Routes of this module (filled in by issue 6)."""
