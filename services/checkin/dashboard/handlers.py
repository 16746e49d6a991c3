"""HTTP handlers of the organizers' live dashboard (/dashboard/{slug}): its page, signing
in and out (signing_in.py), its server-sent event stream (stream.py) and its CSV."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import structlog
from aiohttp import web
from markupsafe import Markup

from services.checkin.attendees import db as attendees_db
from services.checkin.attendees.db import EventRow
from services.checkin.attendees.events import find_event
from services.checkin.dashboard.live import DASHBOARD_HUB, Subscription
from services.checkin.dashboard.signing_in import (
    COOKIE,
    SIGN_IN_ERRORS,
    office_viewer,
    organizer_claims,
    still_valid,
)
from services.checkin.dashboard.texts import LANG_COOKIE_SECONDS, TEXTS
from services.checkin.dashboard.view import charts_html, feed_clock, load_counts
from services.checkin.evidence import reports, reports_db
from services.checkin.evidence.files import csv_response
from services.checkin.evidence.reports_db import Statistics
from shared import static
from shared.auth import StaffClaims, bearer_token
from shared.csrf import csrf_token
from shared.db import DB_POOL
from shared.http import read_form
from shared.language import page_lang, preferred_lang
from shared.office import pages, sessions
from shared.proxies import TRUSTED_PROXIES
from shared.refusals import UNAUTHORIZED, Refused
from shared.slugs import is_slug

log = structlog.get_logger()
HEARTBEAT_SECONDS = 15.0
DISCONNECT_CHECK_SECONDS = 1.0
ASSETS = Path(__file__).with_name("static")
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
        " form-action 'self'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def _render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    lang = page_lang(request)

    def switch_url(code: str) -> str:
        return f"{request.path}?{urlencode({**request.query, 'lang': code})}"

    response = aiohttp_jinja2.render_template(
        template,
        request,
        {
            "lang": lang,
            "t": TEXTS[lang],
            "switch_url": switch_url,
            "clock": feed_clock,
            "csrf": lambda: csrf_token(request),
            **context,
        },
        status=status,
    )
    response.headers.update(PAGE_HEADERS)
    if request.query.get("lang") in TEXTS:
        response.set_cookie("lang", lang, max_age=LANG_COOKIE_SECONDS, samesite="Lax")
    return response


def _not_found(request: web.Request) -> web.Response:
    t = TEXTS[page_lang(request)]
    return _render(
        request, "dashboard_error.html", 404, title=t["not_found"], message=t["not_found_text"]
    )


def _sign_in(
    request: web.Request, event: EventRow, error: str | None = None, status: int = 200
) -> web.Response:
    return _render(request, "dashboard_sign_in.html", status, event=event, error=error)


async def _event(request: web.Request, slug: str) -> EventRow | None:
    return (
        await attendees_db.select_event_by_slug(request.app[DB_POOL], slug)
        if is_slug(slug)
        else None
    )


async def sign_in_page(request: web.Request) -> web.Response:
    """The token sign-in, for a screen no person signs in at (a hall's display)."""
    event = await _event(request, request.match_info["slug"])
    if event is None:
        return _not_found(request)
    return _sign_in(request, event)


async def dashboard_page(request: web.Request) -> web.Response:
    """For a back-office session of the event, or a token signed in with; without either,
    to the back office's sign-in, coming back here."""
    slug = request.match_info["slug"]
    event = await _event(request, slug)
    if event is None:
        return _not_found(request)
    if office_viewer(request, slug) is not None:
        return await _dashboard(request, event, office=True)
    token = request.cookies.get(COOKIE)
    if not token:
        session = sessions.signed_in(request)
        if session is not None:
            return pages.forbidden(request, session)
        raise sessions.sign_in_redirect(request)
    try:
        organizer_claims(request.app, token, slug)
    except Refused as e:
        response = _sign_in(
            request,
            event,
            TEXTS[page_lang(request)][SIGN_IN_ERRORS.get(e.code, "err_invalid_token")],
            e.status,
        )
        if e.status == 401:  # a token that will never work again: forget it
            response.del_cookie(COOKIE, path="/")
        return response
    return await _dashboard(request, event, office=False)


async def _dashboard(request: web.Request, event: EventRow, *, office: bool) -> web.Response:
    slug = event.slug
    counts = await load_counts(request.app[DB_POOL], event.id, slug)
    lang = page_lang(request)
    return _render(
        request,
        "dashboard.html",
        event=event,
        counts=counts,
        charts=Markup(charts_html(counts, lang)),  # noqa: S704 - built with escape()
        stream_url=f"/api/v1/events/{slug}/attendance/stream?"
        + urlencode({"lang": lang, "parts": "html"}),
        statistics=await _statistics(request, event.id),
        office=office,
    )


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


async def sign_in(request: web.Request) -> web.Response:
    form = await read_form(request)
    slug = str(form.get("slug", ""))
    event = await _event(request, slug)
    if event is None:
        return _not_found(request)
    t = TEXTS[page_lang(request)]
    token = str(form.get("token", "")).strip()
    if not token:
        return _sign_in(request, event, t["err_empty"], 400)
    try:
        claims = organizer_claims(request.app, token, slug)
    except Refused as e:
        return _sign_in(
            request, event, t[SIGN_IN_ERRORS.get(e.code, "err_invalid_token")], e.status
        )
    response = _see_other(f"/dashboard/{slug}?{urlencode({'lang': page_lang(request)})}")
    response.set_cookie(
        COOKIE,
        token,
        max_age=max(int(claims.exp - time.time()), 1),
        path="/",  # the stream lives under /api/v1
        httponly=True,
        samesite="Strict",
        secure=request.app[TRUSTED_PROXIES].https(request),
    )
    return response


async def sign_out(request: web.Request) -> web.Response:
    form = await read_form(request)
    slug = str(form.get("slug", ""))
    target = f"/dashboard/{slug}/sign-in" if is_slug(slug) else "/door"
    response = _see_other(f"{target}?{urlencode({'lang': page_lang(request)})}")
    response.del_cookie(COOKIE, path="/")
    return response


async def stream_attendance(request: web.Request) -> web.StreamResponse:
    """Server-sent events: ``counts`` at once and after every change, a comment every
    HEARTBEAT_SECONDS, ``signed_out`` when the token stops being valid."""
    slug = request.match_info["slug"]
    claims = _stream_claims(request, slug)
    event = await find_event(request.app[DB_POOL], slug)
    chosen = request.query.get("lang", "")
    lang = chosen if chosen in TEXTS else preferred_lang(request)
    variant = f"{lang}:html" if request.query.get("parts") == "html" else lang
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # proxies must pass each event on at once
        }
    )
    await response.prepare(request)
    hub = request.app[DASHBOARD_HUB]
    subscription = hub.subscribe(event.id, slug, variant)
    try:
        await response.write(b"retry: 2000\n\n")
        await _pump(request, response, subscription, claims)
    except (ConnectionResetError, ConnectionError):
        pass  # the browser went away
    finally:
        hub.unsubscribe(subscription)
    return response


def _stream_claims(request: web.Request, slug: str) -> StaffClaims:
    """The header's token; else (EventSource cannot send headers) the back-office session
    of a viewer of the event, or the dashboard's token cookie."""
    token = bearer_token(request)
    if token is None:
        session = office_viewer(request, slug)
        if session is not None:
            return session
        token = request.cookies.get(COOKIE)
    if not token:
        raise UNAUTHORIZED()
    return organizer_claims(request.app, token, slug)


async def _pump(
    request: web.Request,
    response: web.StreamResponse,
    subscription: Subscription,
    claims: StaffClaims,
) -> None:
    loop = asyncio.get_running_loop()
    sent, written = 0, loop.time()
    while True:
        # Woken at least every second: a browser that went away is noticed then, not at
        # the next write, so its subscription does not linger.
        payload = await subscription.next(DISCONNECT_CHECK_SECONDS)
        transport = request.transport
        if subscription.closed or transport is None or transport.is_closing():
            return
        if not still_valid(request.app, claims):
            await response.write(b'event: signed_out\ndata: {"reason": "token"}\n\n')
            return
        if payload is None:
            if loop.time() - written >= HEARTBEAT_SECONDS:
                await response.write(b": heartbeat\n\n")
                written = loop.time()
            continue
        sent += 1
        await response.write(b"event: counts\nid: %d\ndata: %s\n\n" % (sent, payload))
        written = loop.time()


async def _statistics(request: web.Request, event_id: uuid.UUID) -> Statistics | None:
    try:
        return await reports_db.select_statistics(request.app[DB_POOL], event_id)
    except Exception:
        # The panel is an extra: the live counts must show even if it fails.
        log.exception("dashboard_statistics_failed", event_id=str(event_id))
        return None


async def get_statistics_csv(request: web.Request) -> web.Response:
    """The statistics CSV of evidence/reports.py, for a browser signed in with the cookie
    (the API's statistics.csv wants the Authorization header, which a link cannot send)."""
    slug = request.match_info["slug"]
    if office_viewer(request, slug) is None:
        token = request.cookies.get(COOKIE)
        if not token:
            raise UNAUTHORIZED()
        organizer_claims(request.app, token, slug)
    event = await find_event(request.app[DB_POOL], slug)
    statistics = await reports_db.select_statistics(request.app[DB_POOL], event.id)
    return csv_response(
        reports.STATISTICS_COLUMNS, reports.statistics_rows(statistics), f"statistics-{slug}.csv"
    )


ASSET_FILES = static.folder(ASSETS, "/dashboard/assets")
