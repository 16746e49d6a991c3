"""HTTP of the registrations' back-office pages of an event: the list with search,
filters and pages, its CSV download, the waitlist, and the exports' page."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from services.registration.events import db as events_db
from services.registration.events.setup import find_event
from services.registration.records import Event
from services.registration.roster import db
from services.registration.roster.listing import ListQuery, matching, registrations_csv
from services.registration.roster.texts import TEXTS
from services.registration.roster.waiting import lines
from services.registration.sessions import db as sessions_db
from services.registration.ticket_types import db as ticket_types_db
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.office.pages import lang_of, render
from shared.refusals import VALIDATION_FAILED, FieldError, Refused
from shared.routes import staff_claims
from shared.slugs import is_slug

PAGE_SIZE = 50
STATUSES = ("confirmed", "waitlisted", "offered", "cancelled")
CHECKED_IN = {"yes": True, "no": False}
SEARCH_FIELDS = ("q", "status", "session", "ticket_type", "checked_in")
MAX_PAGE_DIGITS = 6


def _name(event: Event, lang: str) -> str:
    return str(getattr(event.name, lang))


def _search(request: web.Request) -> tuple[dict[str, str], int, dict[str, str]]:
    """The search form's values as given, the page asked for, and each bad field's error
    key (a value no option of the form offers)."""
    form = {f: request.query.get(f, "").strip() for f in SEARCH_FIELDS}
    errors: dict[str, str] = {}
    if len(form["q"]) > 200:
        errors["q"] = "err_q"
    if form["status"] and form["status"] not in STATUSES:
        errors["status"] = "err_status"
    for field in ("session", "ticket_type"):
        if form[field] and not is_slug(form[field]):
            errors[field] = f"err_{field}"
    if form["checked_in"] and form["checked_in"] not in CHECKED_IN:
        errors["checked_in"] = "err_checked_in"
    raw_page = request.query.get("page", "1")
    page = 1
    if re.fullmatch(r"[1-9][0-9]*", raw_page) and len(raw_page) <= MAX_PAGE_DIGITS:
        page = int(raw_page)
    else:
        errors["page"] = "err_page"
    return form, page, errors


def _query(form: dict[str, str], page: int) -> ListQuery:
    return ListQuery(
        status=form["status"] or None,  # type: ignore[arg-type]  # checked by _search
        q=form["q"] or None,
        session=form["session"] or None,
        ticket_type=form["ticket_type"] or None,
        checked_in=CHECKED_IN.get(form["checked_in"]),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )


async def registrations_page(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    lang = lang_of(request, claims)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    form, page, problems = _search(request)
    listed = None
    if not problems:
        try:
            listed = await matching(pool, event, _query(form, page), paged=True)
        except Refused as e:
            problems = {error.field: f"err_{error.field}" for error in e.errors}
    sessions = await sessions_db.select_sessions(pool, event.id)
    types = await ticket_types_db.select_ticket_types(pool, event.id)
    total = listed.total if listed else 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    filters = {k: v for k, v in form.items() if v}

    def page_url(number: int) -> str:
        return f"{request.path}?{urlencode({**filters, 'page': number})}"

    return render(
        request,
        "office/registrations/list.html",
        claims,
        TEXTS,
        status=400 if problems else 200,
        errors={field: TEXTS[lang][key] for field, key in problems.items()},
        slug=event.slug,
        tab="tab_registrations",
        event=event,
        event_name=_name(event, lang),
        form=form,
        listed=listed,
        page=page,
        pages=pages,
        page_url=page_url,
        stats=await events_db.select_event_stats(pool, event.id),
        checked_in=await db.select_checked_in_count(pool, event.id),
        sessions=sessions,
        session_names={s.id: getattr(s.name, lang) for s in sessions},
        types=types,
        type_names={t.id: getattr(t.name, lang) for t in types},
        statuses=STATUSES,
        csv_url=f"/office/events/{event.slug}/registrations.csv?{urlencode(filters)}",
        organizer=claims.may("organizer", event.slug),
    )


async def registrations_csv_file(request: web.Request) -> web.Response:
    """The same file as GET /api/v1/events/{slug}/registrations.csv, for the list's
    filters (a value no form offers is refused as the API refuses it)."""
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    form, _, problems = _search(request)
    if problems:
        raise VALIDATION_FAILED(
            errors=[FieldError(field=f, message=TEXTS["en"][key]) for f, key in problems.items()]
        )
    query = _query(form, 1)
    return web.Response(
        body=await registrations_csv(pool, event, query),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-registrations.csv"'},
    )


async def waitlist_page(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    lang = lang_of(request, claims)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    waiting = await lines(pool, event)
    return render(
        request,
        "office/registrations/waitlist.html",
        claims,
        TEXTS,
        slug=event.slug,
        tab="tab_waitlist",
        event=event,
        event_name=_name(event, lang),
        lines=waiting,
        offer_hours=_hours(request),
        organizer=claims.may("organizer", event.slug),
    )


def _hours(request: web.Request) -> str:
    return f"{request.app[SETTINGS].offer_hours:g}"


EXPORTS: tuple[tuple[str, str], ...] = (
    ("export_registrations", "registrations.csv"),
    ("export_attendance_csv", "attendance.csv"),
    ("export_attendance_pdf", "attendance.pdf"),
    ("export_statistics", "statistics.csv"),
    ("export_inside", "inside.pdf"),
)


async def exports_page(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    lang = lang_of(request, claims)
    event = await find_event(request.app[DB_POOL], request.match_info["slug"], include_drafts=True)
    links: list[dict[str, Any]] = [
        {"text": TEXTS[lang][key], "href": f"/office/events/{event.slug}/{file}"}
        for key, file in EXPORTS
    ]
    return render(
        request,
        "office/registrations/exports.html",
        claims,
        TEXTS,
        slug=event.slug,
        tab="tab_exports",
        event_name=_name(event, lang),
        links=links,
    )
