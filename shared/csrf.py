"""CSRF protection of every HTML form that changes something: a double-submit token.

Each browser gets a random token in the ``cnk_csrf`` cookie (``__Host-cnk_csrf`` over
HTTPS; SameSite=Strict, HttpOnly);
every form carries it in a hidden ``csrf`` field (templates ask ``csrf_token(request)``),
and ``shared.http.read_form`` refuses a form whose field does not match the cookie. Another
site can make a browser post a form, but cannot read or set the cookie to match it.
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie

from aiohttp import web

from shared.proxies import TRUSTED_PROXIES

COOKIE = "cnk_csrf"
FIELD = "csrf"
COOKIE_SECONDS = 365 * 24 * 3600
_NEW = web.RequestKey("csrf_new", str)


def cookie_name(request: web.Request) -> str:
    """Over HTTPS the name has the __Host- prefix: a browser then takes the cookie only from
    this very host, Secure, for the whole site, so another host of the university's domain
    cannot plant one. Plain HTTP (the services' own ports) cannot have it."""
    return f"__Host-{COOKIE}" if request.app[TRUSTED_PROXIES].https(request) else COOKIE


def csrf_token(request: web.Request) -> str:
    """This browser's token, a new one (set on the response) when it has none."""
    token = request.cookies.get(cookie_name(request)) or request.get(_NEW)
    if not token:
        token = secrets.token_urlsafe(24)
        request[_NEW] = token
    return token


def form_is_genuine(request: web.Request, sent: object) -> bool:
    cookie = request.cookies.get(cookie_name(request))
    if not cookie or not isinstance(sent, str):
        return False
    return hmac.compare_digest(cookie.encode(), sent.encode())


async def set_new_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: give the browser the token its page's forms carry. The header is
    written directly: by the time this signal runs, set_cookie's cookies are already headers."""
    token = request.get(_NEW)
    if not token:
        return
    name = cookie_name(request)
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = token
    morsel = cookie[name]
    morsel.update({"max-age": str(COOKIE_SECONDS), "path": "/", "samesite": "Strict"})
    morsel["httponly"] = True
    if name != COOKIE:
        morsel["secure"] = True
    response.headers.add("Set-Cookie", morsel.OutputString())
