"""A service's HTTP surface as one table: method, path, handler, who may call it, what it serves.

Each service lists every route once, in its ``routes.py``. ``add_routes`` puts them on the
app, staff-only ones behind the staff-token check, and ``cnk proxy`` generates the reverse
proxy's configuration from the four tables (cnk/proxy.py), so a public URL reaches the
service that owns it by construction.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

from shared.auth import STAFF_AUTH, Role, StaffClaims
from shared.health import healthz, readyz
from shared.metrics import metrics

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Who(enum.Enum):
    """Who may call a route. The staff ones are checked before the handler runs."""

    PUBLIC = "public"
    # The attendee's manage token (cookie, header, or a link's ?token=) or an organizer of
    # the event: the handler checks it against the registration or ticket it reads.
    ATTENDEE = "manage token or organizer"
    # The attendee's pages, opened with the manage link (then its cookie).
    MANAGE = "manage link"
    SCANNER = "door or organizer"
    ORGANIZER = "organizer"
    ALL_EVENTS = "organizer of all events"
    # The dashboard's pages, signed in with an organizer token kept in a cookie.
    DASHBOARD = "organizer (dashboard sign-in)"
    # Health and metrics: for the orchestrator and Prometheus on the service's own port,
    # never routed through the public origin.
    OPERATOR = "operator (service port only)"


STAFF_ROLES: dict[Who, tuple[Role, ...]] = {
    Who.SCANNER: ("door", "organizer"),
    Who.ORGANIZER: ("organizer",),
    Who.ALL_EVENTS: ("organizer",),
}


class Serves(enum.Enum):
    JSON = "json"
    PAGE = "page"  # HTML rendered for a person
    ASSET = "asset"  # a static file of a page: script, style, icon, manifest
    FILE = "file"  # a download: PDF, CSV, PNG, SVG, calendar
    STREAM = "stream"  # server-sent events


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    who: Who
    serves: Serves = Serves.JSON

    @property
    def public(self) -> bool:
        """Reached through the public origin (everything but the operator's routes)."""
        return self.who is not Who.OPERATOR

    def path_regex(self) -> str:
        """The path as an anchored regular expression: each ``{param}`` one path segment.
        Paths hold only letters, digits, ``/._-`` and parameters: only the dot needs escaping."""
        parts = re.split(r"\{[^}]+\}", self.path)
        return "^" + "[^/]+".join(p.replace(".", r"\.") for p in parts) + "$"


# Every service's health, readiness and metrics.
OPERATIONAL = (
    Route("GET", "/healthz", healthz, Who.OPERATOR),
    Route("GET", "/readyz", readyz, Who.OPERATOR),
    Route("GET", "/metrics", metrics, Who.OPERATOR),
)

STAFF_CLAIMS = web.RequestKey("staff_claims", StaffClaims)


def staff_claims(request: web.Request) -> StaffClaims:
    """The claims the route's staff check accepted."""
    return request[STAFF_CLAIMS]


def _guarded(route: Route) -> Handler:
    roles = STAFF_ROLES[route.who]
    all_events = route.who is Who.ALL_EVENTS
    handler = route.handler

    async def guarded(request: web.Request) -> web.StreamResponse:
        request[STAFF_CLAIMS] = request.app[STAFF_AUTH].require(
            request, roles, request.match_info.get("slug"), all_events=all_events
        )
        return await handler(request)

    return guarded


def add_routes(app: web.Application, routes: Iterable[Route]) -> None:
    for route in routes:
        handler = _guarded(route) if route.who in STAFF_ROLES else route.handler
        if route.method == "GET":
            app.router.add_get(route.path, handler)
        else:
            app.router.add_route(route.method, route.path, handler)
