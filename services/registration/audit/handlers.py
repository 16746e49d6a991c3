"""HTTP of the audit log: an event's page."""

from __future__ import annotations

from aiohttp import web

from services.registration.audit import reading
from services.registration.audit.texts import TEXTS
from shared.db import DB_POOL
from shared.office import pages
from shared.routes import staff_claims


async def event_audit_page(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    slug = request.match_info["slug"]
    page = reading.page_number(request.query.get("page"))
    found = await reading.event_page(request.app[DB_POOL], slug, page)
    if found is None:
        return pages.not_found(request, claims)
    return pages.render(
        request, "audit/event.html", claims, TEXTS, slug=slug, tab="tab_audit", audit=found
    )
