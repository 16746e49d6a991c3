"""Back-office sessions: a staff token of kind ``session`` in an HttpOnly cookie.

Registration signs one when a person signs in (services/registration/staff/); every service
verifies it with the keys of the ``staff-keys`` bucket (shared/staff_keys.py) and refuses it
once its id is in the ``staff-revocations`` bucket (signing out, everywhere, a removed
person). A session idles out after ``IDLE_SECONDS`` without a page; the services that sign
move its expiry on as pages are used, never past ``ABSOLUTE_SECONDS`` after signing in.
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import quote

import msgspec
from aiohttp import web

from shared.auth import STAFF_AUTH, Role, StaffClaims
from shared.proxies import TRUSTED_PROXIES
from shared.refusals import Refused
from shared.staff_keys import STAFF_SIGNER

COOKIE = "cnk_office"
IDLE_SECONDS = 60 * 60
ABSOLUTE_SECONDS = 12 * 3600
# A page refreshes the cookie once this much of the idle time has gone.
REFRESH_AFTER_SECONDS = 5 * 60
SIGN_IN_PATH = "/office/sign-in"


def cookie_name(request: web.Request) -> str:
    """``__Host-`` over HTTPS: only this host sets it, Secure, for the whole site."""
    return f"__Host-{COOKIE}" if request.app[TRUSTED_PROXIES].https(request) else COOKIE


def new_session(
    *,
    staff_id: uuid.UUID,
    name: str,
    lang: str,
    grants: dict[str, Role],
    auth_time: int | None = None,
) -> StaffClaims:
    """The claims of a session starting now: the strongest role as ``role``, every event a
    role covers as ``events`` (so a check by role and event reads as for a token)."""
    now = int(time.time())
    auth_time = auth_time or now
    order: tuple[Role, ...] = ("admin", "organizer", "viewer", "door")
    strongest = min(grants.values(), key=order.index) if grants else "viewer"
    return StaffClaims(
        jti=str(uuid.uuid4()),
        sub=str(staff_id),
        role=strongest,
        events=sorted(grants),
        exp=min(now + IDLE_SECONDS, auth_time + ABSOLUTE_SECONDS),
        iat=now,
        kind="session",
        grants=dict(grants),
        name=name,
        lang=lang,
        auth_time=auth_time,
    )


def set_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        cookie_name(request),
        token,
        path="/",
        httponly=True,
        secure=request.app[TRUSTED_PROXIES].https(request),
        samesite="Lax",
    )


def clear_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(cookie_name(request), path="/")


def signed_in(request: web.Request) -> StaffClaims | None:
    """The session the request's cookie holds, if it is valid now."""
    token = request.cookies.get(cookie_name(request))
    if not token:
        return None
    try:
        return request.app[STAFF_AUTH].verify(token, session=True)
    except Refused:
        return None


def sign_in_redirect(request: web.Request) -> web.HTTPSeeOther:
    """To the sign-in page, coming back here after (for a page that was asked for)."""
    target = request.path_qs if request.method == "GET" else "/office/"
    return web.HTTPSeeOther(f"{SIGN_IN_PATH}?next={quote(target, safe='')}")


def refresh(request: web.Request, response: web.StreamResponse, claims: StaffClaims) -> None:
    """Move the session's idle expiry on, where this service signs sessions."""
    signer = request.app.get(STAFF_SIGNER)
    now = int(time.time())
    if signer is None or response.prepared or now - claims.iat < REFRESH_AFTER_SECONDS:
        return
    exp = min(now + IDLE_SECONDS, claims.auth_time + ABSOLUTE_SECONDS)
    if exp <= claims.exp:
        return
    renewed = msgspec.structs.replace(claims, iat=now, exp=exp)
    set_cookie(request, response, signer.sign(renewed))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a back-office path of this site (the live
    dashboard's too)."""
    if target and target.startswith(("/office/", "/dashboard/")) and not target.startswith("//"):
        return target
    return "/office/"
