"""Back-office pages of an event's parts: its sessions (added several at a time, each
changeable), ticket types and form questions (added here; changed and removed in
part_edit_handlers). The API's use cases do the work."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.registration.event_pages import bodies
from services.registration.event_pages.forms import messages, refused_errors, text
from services.registration.event_pages.parts import (
    posted,
    questions_view,
    rows_of,
    sessions_view,
    ticket_types_view,
)
from services.registration.event_pages.render import done, find
from services.registration.event_pages.texts import TEXTS
from services.registration.questions.setup import add_questions
from services.registration.records import Event
from services.registration.schemas import CreateSessionRequest, CreateTicketTypeRequest
from services.registration.sessions.setup import add_sessions, change_session
from services.registration.ticket_types.setup import add_ticket_types
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import Form, read_form
from shared.office.pages import lang_of, not_found
from shared.refusals import Refused
from shared.routes import staff_claims


async def sessions_page(request: web.Request, **kw: Any) -> web.Response:
    event = kw.pop("event", None) or await find(request)
    if event is None:
        return not_found(request, staff_claims(request))
    return await sessions_view(request, event, **kw)


async def sessions_from_page(request: web.Request) -> web.Response:
    event = await find(request)
    claims = staff_claims(request)
    if event is None:
        return not_found(request, claims)
    form = await read_form(request)
    lang = lang_of(request, claims)
    t = TEXTS[lang]
    rows = rows_of(request, "sessions", form)
    again = {"event": event, "values": posted(form), "rows": rows}
    if text(form, "session"):
        return await _change_session(request, event, form, again)
    found: list[tuple[int, CreateSessionRequest]] = []
    errors: dict[str, str] = {}
    for i in range(rows):
        row = bodies.new_session(form, f"s{i}_")
        if row is not None:
            body, wrong = row
            errors |= messages(wrong, t, f"s{i}_")
            if body is not None and body.slug in {b.slug for _, b in found}:
                errors[f"s{i}_slug"] = t["err_slug_twice"]
            if body is not None:
                found.append((i, body))
    if not found and not errors:
        errors = {"s0_name_pl": t["err_name_pl"]}
    if errors:
        return await sessions_page(request, status=400, errors=errors, **again)
    try:
        await add_sessions(request.app[DB_POOL], event, [b for _, b in found], claims)
    except Refused as e:
        at = next((i for i, b in found if b.slug == e.values.get("slug")), 0)
        errors = refused_errors(e, lang, t, bodies.SESSION_FIELDS, f"s{at}_")
        problem = None if errors else e.text(lang)
        status = 400 if errors else e.status
        return await sessions_page(request, status=status, errors=errors, problem=problem, **again)
    return done(f"/office/events/{event.slug}/sessions", "added")


async def _change_session(
    request: web.Request, event: Event, form: Form, again: dict[str, Any]
) -> web.Response:
    claims = staff_claims(request)
    lang = lang_of(request, claims)
    t = TEXTS[lang]
    slug = text(form, "session")
    prefix = f"e_{slug}_"
    body, wrong = bodies.session_update(form, prefix, slug)
    if body is None:
        return await sessions_page(request, status=400, errors=messages(wrong, t, prefix), **again)
    offer_hours = request.app[SETTINGS].offer_hours
    try:
        await change_session(request.app[DB_POOL], event, slug, body, offer_hours, claims)
    except Refused as e:
        errors = refused_errors(e, lang, t, bodies.SESSION_FIELDS, prefix)
        problem = None if errors else e.text(lang)
        status = 400 if errors else e.status
        return await sessions_page(request, status=status, errors=errors, problem=problem, **again)
    return done(f"/office/events/{event.slug}/sessions", "saved")


async def ticket_types_page(request: web.Request, **kw: Any) -> web.Response:
    event = kw.pop("event", None) or await find(request)
    if event is None:
        return not_found(request, staff_claims(request))
    return await ticket_types_view(request, event, **kw)


async def ticket_types_from_page(request: web.Request) -> web.Response:
    event = await find(request)
    claims = staff_claims(request)
    if event is None:
        return not_found(request, claims)
    form = await read_form(request)
    lang = lang_of(request, claims)
    t = TEXTS[lang]
    rows = rows_of(request, "ticket-types", form)
    again = {"event": event, "values": posted(form), "rows": rows}
    found: list[tuple[int, CreateTicketTypeRequest]] = []
    errors: dict[str, str] = {}
    for i in range(rows):
        row = bodies.new_ticket_type(form, f"t{i}_")
        if row is not None:
            body, wrong = row
            errors |= messages(wrong, t, f"t{i}_")
            if body is not None and body.slug in {b.slug for _, b in found}:
                errors[f"t{i}_slug"] = t["err_slug_twice"]
            if body is not None:
                found.append((i, body))
    if not found and not errors:
        errors = {"t0_name_pl": t["err_name_pl"]}
    if errors:
        return await ticket_types_page(request, status=400, errors=errors, **again)
    try:
        await add_ticket_types(request.app[DB_POOL], event, [b for _, b in found], claims)
    except Refused as e:
        at = next((i for i, b in found if b.slug == e.values.get("slug")), 0)
        errors = refused_errors(e, lang, t, bodies.TYPE_FIELDS, f"t{at}_")
        problem = None if errors else e.text(lang)
        status = 400 if errors else e.status
        return await ticket_types_page(
            request, status=status, errors=errors, problem=problem, **again
        )
    return done(f"/office/events/{event.slug}/ticket-types", "added")


async def questions_page(request: web.Request, **kw: Any) -> web.Response:
    event = kw.pop("event", None) or await find(request)
    if event is None:
        return not_found(request, staff_claims(request))
    return await questions_view(request, event, **kw)


async def questions_from_page(request: web.Request) -> web.Response:
    event = await find(request)
    claims = staff_claims(request)
    if event is None:
        return not_found(request, claims)
    form = await read_form(request)
    lang = lang_of(request, claims)
    t = TEXTS[lang]
    again = {"event": event, "values": posted(form)}
    body, wrong = bodies.new_question(form)
    if body is None:
        errors = messages(wrong, t, rename=bodies.QUESTION_RENAME)
        return await questions_page(request, status=400, errors=errors, **again)
    try:
        await add_questions(request.app[DB_POOL], event, [body], claims)
    except Refused as e:
        errors = refused_errors(e, lang, t, bodies.QUESTION_FIELDS, rename=bodies.QUESTION_RENAME)
        problem = None if errors else e.text(lang)
        status = 400 if errors else e.status
        return await questions_page(request, status=status, errors=errors, problem=problem, **again)
    return done(f"/office/events/{event.slug}/questions", "added")
