"""HTTP of signing in and out: the sign-in form, the emailed link's page, the second
factor's code, signing out and the language switch."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from services.registration.staff import signing_in
from services.registration.staff.texts import TEXTS, Invalid
from shared.db import DB_POOL
from shared.http import Form, read_form
from shared.office import pages, sessions
from shared.proxies import TRUSTED_PROXIES
from shared.routes import staff_claims
from shared.sealing import SEALER
from shared.staff_keys import STAFF_SIGNER

CHALLENGE_COOKIE = "cnk_office_2fa"
CHALLENGE_SECONDS = 5 * 60


def _challenge_cookie(request: web.Request) -> str:
    https = request.app[TRUSTED_PROXIES].https(request)
    return f"__Host-{CHALLENGE_COOKIE}" if https else CHALLENGE_COOKIE


def _field(form: Form, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _user_agent(request: web.Request) -> str:
    return request.headers.get("User-Agent", "")


def _sign_in_form(
    request: web.Request, status: int = 200, errors: dict[str, str] | None = None, **context: object
) -> web.Response:
    context.setdefault("email", "")
    context.setdefault("next", sessions.safe_next(request.query.get("next")))
    context.setdefault("notice", "")
    context.setdefault("sent", False)
    return pages.render(
        request, "staff/sign_in.html", None, TEXTS, status=status, errors=errors, **context
    )


async def sign_in_page(request: web.Request) -> web.Response:
    if sessions.signed_in(request) is not None:  # signed in already: where they were going
        raise web.HTTPSeeOther(sessions.safe_next(request.query.get("next")))
    lang = pages.lang_of(request, None)
    notice = TEXTS[lang]["signed_out"] if request.query.get("signed_out") else ""
    return _sign_in_form(request, notice=notice, sent=bool(request.query.get("sent")))


async def request_sign_in(request: web.Request) -> web.Response:
    form = await read_form(request)
    email, next_path = _field(form, "email").strip(), sessions.safe_next(_field(form, "next"))
    lang = pages.lang_of(request, None)
    try:
        await signing_in.request_link(
            request.app[DB_POOL],
            request.app[SEALER],
            email=email,
            client=request.app[TRUSTED_PROXIES].client_address(request),
            next_path=next_path,
        )
    except Invalid as e:
        return _sign_in_form(request, 400, e.messages(lang), email=email, next=next_path)
    except signing_in.RateLimited as e:
        message = TEXTS[lang]["rate_limited"].format(minutes=e.minutes)
        response = _sign_in_form(request, 429, {"email": message}, email=email, next=next_path)
        response.headers["Retry-After"] = str(e.minutes * 60)
        return response
    # The same answer whether or not the address has an account.
    query = urlencode({"sent": "1", "next": next_path, "lang": lang})
    raise web.HTTPSeeOther(f"/office/sign-in?{query}")


def _link_invalid(request: web.Request) -> web.Response:
    return pages.render(request, "staff/link_invalid.html", None, TEXTS, status=400)


LINK_COOKIE = "cnk_sign_in_link"


async def link_page(request: web.Request) -> web.Response:
    """The emailed link opens a page with a button: a mail scanner that fetches links does
    not use the link up, only the person's press (a POST) does."""
    if "token" in request.query:
        # Out of the address (the browser's history, a proxy's log) into a cookie for the
        # page that follows, as manage links do.
        query = request.rel_url.query.copy()
        token = query.pop("token")
        redirect = web.HTTPSeeOther(request.rel_url.with_query(query))
        redirect.set_cookie(
            LINK_COOKIE,
            token,
            max_age=15 * 60,
            path="/office/sign-in",
            httponly=True,
            secure=request.app[TRUSTED_PROXIES].https(request),
            samesite="Lax",
        )
        raise redirect
    token = request.cookies.get(LINK_COOKIE, "")
    if not await signing_in.link_usable(request.app[DB_POOL], token):
        return _link_invalid(request)
    return pages.render(request, "staff/link.html", None, TEXTS, token=token)


def _signed_in(request: web.Request, started: signing_in.Started) -> web.HTTPSeeOther:
    assert started.token is not None
    redirect = web.HTTPSeeOther(started.next_path)
    sessions.set_cookie(request, redirect, started.token)
    redirect.del_cookie(_challenge_cookie(request), path="/")
    redirect.del_cookie(LINK_COOKIE, path="/office/sign-in")
    return redirect


async def redeem_link(request: web.Request) -> web.Response:
    form = await read_form(request)
    started = await signing_in.redeem_link(
        request.app[DB_POOL], request.app[STAFF_SIGNER], _field(form, "token"), _user_agent(request)
    )
    if started is None:
        return _link_invalid(request)
    if started.challenge is not None:
        redirect = web.HTTPSeeOther("/office/sign-in/code")
        redirect.set_cookie(
            _challenge_cookie(request),
            started.challenge,
            max_age=CHALLENGE_SECONDS,
            path="/",
            httponly=True,
            secure=request.app[TRUSTED_PROXIES].https(request),
            samesite="Strict",
        )
        raise redirect
    raise _signed_in(request, started)


async def code_page(request: web.Request) -> web.Response:
    challenge = request.cookies.get(_challenge_cookie(request))
    if not await signing_in.challenge_open(request.app[DB_POOL], challenge):
        raise web.HTTPSeeOther("/office/sign-in")
    return pages.render(request, "staff/code.html", None, TEXTS, code="")


async def submit_code(request: web.Request) -> web.Response:
    form = await read_form(request)
    lang = pages.lang_of(request, None)
    try:
        started = await signing_in.meet_challenge(
            request.app[DB_POOL],
            request.app[STAFF_SIGNER],
            request.cookies.get(_challenge_cookie(request)),
            _field(form, "code"),
            _user_agent(request),
        )
    except Invalid as e:
        return pages.render(
            request, "staff/code.html", None, TEXTS, status=400, errors=e.messages(lang), code=""
        )
    if started is None:
        return _sign_in_form(request, 400, notice=TEXTS[lang]["code_expired"])
    raise _signed_in(request, started)


async def sign_out(request: web.Request) -> web.Response:
    await read_form(request)
    await signing_in.sign_out(request.app, request.app[DB_POOL], staff_claims(request))
    redirect = web.HTTPSeeOther("/office/sign-in?signed_out=1")
    sessions.clear_cookie(request, redirect)
    raise redirect


async def switch_language(request: web.Request) -> web.Response:
    form = await read_form(request)
    claims = staff_claims(request)
    try:
        token = await signing_in.change_language(
            request.app[DB_POOL], request.app[STAFF_SIGNER], claims, _field(form, "lang")
        )
    except Invalid:
        raise web.HTTPSeeOther(sessions.safe_next(_field(form, "next"))) from None
    redirect = web.HTTPSeeOther(sessions.safe_next(_field(form, "next")))
    sessions.set_cookie(request, redirect, token)
    raise redirect
