"""The manage page: an attendee's registration, reached with the manage link, where they
accept offers, change sessions, cancel, and add the event to their calendar.

The link's token is exchanged at the first visit for the registration's cookie
(shared.auth.exchange_link); the page and its forms work with the cookie, and the forms
carry a CSRF token (shared.csrf).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from services.registration.events import db as events_db
from services.registration.pages.render import not_found, render, session_problem
from services.registration.records import Registration
from services.registration.registrations import db
from services.registration.registrations.cancelling import accept_offered, cancel_registration
from services.registration.schemas import CONSENT_VERSION
from services.registration.sessions import db as sessions_db
from services.registration.sessions.choosing import choose_sessions
from services.registration.texts import TEXTS
from shared.auth import exchange_link, manage_token_matches, presented_token
from shared.calendar import calendar_entry
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import Form, read_form
from shared.language import page_lang
from shared.refusals import Refused


async def _registration(request: web.Request, *, form: bool = False) -> Registration | None:
    """The registration in the path, when the request shows its manage token."""
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        return None
    registration = await db.select_registration(request.app[DB_POOL], registration_id)
    token = presented_token(request, registration_id, form=form)
    if registration is None or not manage_token_matches(token, registration.manage_token_hash):
        return None
    exchange_link(request, registration_id)
    return registration


async def manage_page(request: web.Request) -> web.Response:
    registration = await _registration(request)
    if registration is None:
        return not_found(request)
    return await _manage_view(request, registration)


async def _manage_view(
    request: web.Request,
    registration: Registration,
    status: int = 200,
    *,
    cancel_error: str | None = None,
    sessions_error: str | None = None,
    sessions_form: dict[str, Any] | None = None,
) -> web.Response:
    """The manage page, also as a form's answer with its error (a request whose body was
    read cannot be cloned with the page's query)."""
    pool = request.app[DB_POOL]
    event = await events_db.select_event_by_id(pool, registration.event_id)
    position = None
    if registration.status == "waitlisted":
        position = await db.select_waitlist_position(pool, registration)
    places = await sessions_db.select_places(pool, [registration.id])
    positions = {p.session.slug: p.position for p in places if p.status == "waitlisted"}
    now = datetime.now(UTC)
    tickets_url = request.app[SETTINGS].tickets_url
    lang = page_lang(request)
    here = f"/registrations/{registration.id}"
    links: dict[str, Any] = {}
    if request.method == "POST":  # answered at the form's address: link back to the page
        links["switch_url"] = lambda code: f"{here}?{urlencode({'lang': code})}"
    return render(
        request,
        "registration.html",
        status,
        **links,
        registration=registration,
        event=event,
        position=position,
        welcome=request.query.get("welcome") == "1",
        ticket_url=f"{tickets_url}/registrations/{registration.id}/ticket.html?"
        + urlencode({"lang": lang}),
        cancel_error=cancel_error,
        consent_version=CONSENT_VERSION,
        places=places,
        positions=positions,
        session_offers=[
            p
            for p in places
            if p.status == "offered" and p.offer_expires_at and p.offer_expires_at > now
        ],
        sessions=await sessions_db.select_sessions(pool, event.id),
        sessions_form=sessions_form
        or {"sessions": [p.session.slug for p in places], "waitlist": False},
        sessions_error=sessions_error,
        sessions_saved=request.query.get("saved") == "sessions",
        now=now,
    )


async def _form_action(request: web.Request) -> tuple[Registration | None, Form]:
    data = await read_form(request)
    return await _registration(request, form=True), data


def _back(registration: Registration, lang: str, **extra: str) -> web.HTTPSeeOther:
    query = urlencode({"lang": lang, **extra})
    return web.HTTPSeeOther(f"/registrations/{registration.id}?{query}")


async def cancel_from_page(request: web.Request) -> web.Response:
    registration, data = await _form_action(request)
    if registration is None:
        return not_found(request)
    lang = page_lang(request)
    if data.get("confirm") != "on":
        return await _manage_view(
            request, registration, cancel_error=TEXTS[lang]["cancel_unconfirmed"]
        )
    offer_hours = request.app[SETTINGS].offer_hours
    await cancel_registration(request.app[DB_POOL], registration, "attendee", offer_hours)
    raise _back(registration, lang)


async def accept_from_page(request: web.Request) -> web.Response:
    registration, _ = await _form_action(request)
    if registration is None:
        return not_found(request)
    lang = page_lang(request)
    try:
        await accept_offered(request.app[DB_POOL], registration)
    except Refused as e:
        error = TEXTS[lang].get(f"err_{e.code}", e.detail)
        return await _manage_view(request, registration, cancel_error=error)
    raise _back(registration, lang)


async def change_sessions_from_page(request: web.Request) -> web.Response:
    """The manage page's sessions form: the same change as PUT .../sessions."""
    registration, data = await _form_action(request)
    if registration is None:
        return not_found(request)
    slugs = list(dict.fromkeys(str(v) for v in data.getall("sessions", [])))
    waitlist = data.get("waitlist") == "on"
    lang = page_lang(request)
    pool = request.app[DB_POOL]
    offer_hours = request.app[SETTINGS].offer_hours
    try:
        await choose_sessions(pool, registration, slugs, waitlist, offer_hours)
    except Refused as e:
        known = await sessions_db.select_sessions(pool, registration.event_id)
        error = session_problem(lang, e, known, slugs)
        if e.code == "session_full":
            error = f"{error} {TEXTS[lang]['err_session_full_hint']}"
        form = {"sessions": slugs, "waitlist": waitlist}
        return await _manage_view(
            request, registration, e.status, sessions_error=error, sessions_form=form
        )
    raise _back(registration, lang, saved="sessions")


async def calendar_file(request: web.Request) -> web.Response:
    registration = await _registration(request)
    if registration is None:
        return not_found(request)
    event = await events_db.select_event_by_id(request.app[DB_POOL], registration.event_id)
    body = calendar_entry(
        uid=f"{registration.id}@cnk-events",
        summary=getattr(event.name, registration.lang),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=event.venue,
    )
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )
