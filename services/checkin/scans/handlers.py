"""HTTP handlers of scans: a scan at the door, and an event's attendance."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from services.checkin.attendees.events import find_event
from services.checkin.scans import scanning
from services.checkin.scans.requests import ScanRequest
from shared.db import DB_POOL
from shared.http import decode_body, json_response
from shared.routes import staff_claims


async def redeem_scan(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    body = await decode_body(request, ScanRequest)
    payload = await scanning.record_scan(request.app, body, claims, datetime.now(UTC))
    return web.Response(body=payload, content_type="application/json")


async def get_attendance(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    pool = request.app[DB_POOL]
    event = await find_event(pool, slug)
    return json_response({"event": slug, **await scanning.attendance(pool, event.id)})
