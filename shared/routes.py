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

from shared.auth import STAFF_AUTH, Role, StaffAuth, StaffClaims
from shared.health import healthz, readyz
from shared.metrics import metrics
from shared.office import pages, sessions
from shared.refusals import Refused

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
    # The dashboard's pages: a back-office session, or an organizer token kept in a cookie.
    DASHBOARD = "signed-in viewer or organizer, or an organizer token (dashboard sign-in)"
    # Reports (attendance, statistics, exports): a viewer, organizer or admin of the event.
    VIEWER = "viewer or organizer"
    ADMIN = "admin"
    # Back-office pages, for a person signed in (shared/office/sessions.py): anyone signed
    # in (the handler checks the event it finds), or a role at the path's {slug} event.
    OFFICE = "signed-in staff"
    OFFICE_VIEWER = "signed-in viewer, organizer or admin of the event"
    OFFICE_ORGANIZER = "signed-in organizer or admin of the event"
    OFFICE_ADMIN = "signed-in admin"
    # Health and metrics: for the orchestrator and Prometheus on the service's own port,
    # never routed through the public origin.
    OPERATOR = "operator (service port only)"


STAFF_ROLES: dict[Who, tuple[Role, ...]] = {
    Who.SCANNER: ("door",),
    Who.ORGANIZER: ("organizer",),
    Who.ALL_EVENTS: ("organizer",),
    Who.VIEWER: ("viewer",),
    Who.ADMIN: ("admin",),
}
OFFICE_ROLES: dict[Who, tuple[Role, ...]] = {
    Who.OFFICE: (),
    Who.OFFICE_VIEWER: ("viewer",),
    Who.OFFICE_ORGANIZER: ("organizer",),
    Who.OFFICE_ADMIN: ("admin",),
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
    # False: answered on the service's own port only, another service owns the path on the
    # origin (``DELETE /api/v1/tokens/{token_id}``, which every service answers).
    on_origin: bool = True

    @property
    def public(self) -> bool:
        """Reached through the public origin (everything but the operator's routes)."""
        return self.who is not Who.OPERATOR and self.on_origin

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


def _office(route: Route) -> Handler:
    """A back-office page: to the sign-in page without a session, a 403 page without the
    role, any other refusal as a page with its text; the session's idle expiry moves on
    with each page."""
    roles = OFFICE_ROLES[route.who]
    handler = route.handler

    async def office_page(request: web.Request) -> web.StreamResponse:
        claims = sessions.signed_in(request)
        if claims is None:
            raise sessions.sign_in_redirect(request)
        request[STAFF_CLAIMS] = claims
        try:
            if roles:
                StaffAuth.check(claims, roles, request.match_info.get("slug"))
            response = await handler(request)
        except Refused as e:
            # A refusal the handler did not bring back onto its form (those stay at their
            # fields) is still a page in the person's language, never problem+json.
            if e.refusal.code in ("forbidden", "event_not_covered"):
                response = pages.forbidden(request, claims)
            else:
                response = pages.refused_page(request, claims, e)
        sessions.refresh(request, response, claims)
        return response

    return office_page


def add_routes(app: web.Application, routes: Iterable[Route]) -> None:
    for route in routes:
        if route.who in STAFF_ROLES:
            handler = _guarded(route)
        elif route.who in OFFICE_ROLES:
            handler = _office(route)
        else:
            handler = route.handler
        if route.method == "GET":
            app.router.add_get(route.path, handler)
        else:
            app.router.add_route(route.method, route.path, handler)
