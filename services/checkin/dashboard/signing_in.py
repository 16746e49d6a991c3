"""Signing in to the dashboard: the back office's session of a viewer, organizer or admin
of the event; or, for a screen without a person signed in, an organizer token covering the
event, kept in a cookie.

Organizers sign in by pasting an organizer token; the session cookie carries that token
(HttpOnly, SameSite=Strict, Secure over https) and it is verified on every request, so a
revoked or expired token ends the session at once. Only the dashboard page and the stream
read the cookie: every other API route still wants the Authorization header.
"""

from __future__ import annotations

import time

from aiohttp import web

from shared.auth import STAFF_AUTH, StaffClaims
from shared.office import sessions
from shared.refusals import EVENT_NOT_COVERED, FORBIDDEN

COOKIE = "cnk_dashboard"
# What a refused sign-in tells, by the problem's code.
SIGN_IN_ERRORS = {
    "invalid_token": "err_invalid_token",
    "token_expired": "err_token_expired",
    "token_revoked": "err_token_revoked",
    "forbidden": "err_door",
    "event_not_covered": "err_event_not_covered",
}


def organizer_claims(app: web.Application, token: str, slug: str) -> StaffClaims:
    """The claims of an organizer token covering the event, not revoked, not expired."""
    claims = app[STAFF_AUTH].verify(token)
    if claims.role != "organizer":
        raise FORBIDDEN()  # a door token
    if not claims.covers(slug):
        raise EVENT_NOT_COVERED(slug=slug)
    return claims


def still_valid(app: web.Application, claims: StaffClaims) -> bool:
    return claims.exp > time.time() and claims.jti not in app[STAFF_AUTH].revoked


def office_viewer(request: web.Request, slug: str) -> StaffClaims | None:
    """The request's back-office session, if it gives a viewer's role (or more) at the
    event."""
    claims = sessions.signed_in(request)
    return claims if claims is not None and claims.may("viewer", slug) else None
