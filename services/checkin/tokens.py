"""Door and organizer tokens as checkin accepts them."""

from __future__ import annotations

from aiohttp import web

from shared.auth import StaffClaims
from shared.keys import STAFF_AUTH


async def require_scanner(request: web.Request) -> StaffClaims:
    """The claims of a door or organizer token allowed to scan."""
    return request.app[STAFF_AUTH].require(request, ("door", "organizer"))
