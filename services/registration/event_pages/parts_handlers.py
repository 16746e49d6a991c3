"""Back-office pages of an event's parts: its sessions (added several at a time, each
changeable), ticket types and form questions (added here; changed and removed in
part_edit_handlers). The API's use cases do the work."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
from services.registration.sessions.setup import add_sessions, change_session
from services.registration.ticket_types.setup import add_ticket_types
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import Form, read_form
from shared.office.pages import lang_of, not_found
from shared.refusals import Refused
from shared.routes import staff_claims

Parse = Callable[[Form, str], "tuple[Any, list[str]] | None"]


def _new_rows(
    form: Form, rows: int, prefix: str, parse: Parse, t: Mapping[str, str]
) -> tuple[list[tuple[int, Any]], dict[str, str]]:
    """The filled rows of a several-rows form (fields ``<prefix><row>_<name>``), each as its
    request body, and every row's errors: a slug given twice too, the first row's name when
    no row is filled."""
    found: list[tuple[int, Any]] = []
    errors: dict[str, str] = {}
    for i in range(rows):
        row = parse(form, f"{prefix}{i}_")
        if row is None:
            continue
        body, wrong = row
        errors |= messages(wrong, t, f"{prefix}{i}_")
        if body is not None and body.slug in {b.slug for _, b in found}:
            errors[f"{prefix}{i}_slug"] = t["err_slug_twice"]
        if body is not None:
            found.append((i, body))
    if not found and not errors:
        errors = {f"{prefix}0_name_pl": t["err_name_pl"]}
    return found, errors


def _refused_row(
    e: Refused, found: list[tuple[int, Any]], lang: str, fields: tuple[str, ...], prefix: str
) -> tuple[int, dict[str, str], str | None]:
    """A use case's refusal of the rows: at the row it names (by slug), else above the form."""
    at = next((i for i, b in found if b.slug == e.values.get("slug")), 0)
    errors = refused_errors(e, lang, TEXTS[lang], fields, f"{prefix}{at}_")
    return (400 if errors else e.status), errors, (None if errors else e.text(lang))


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
    found, errors = _new_rows(form, rows, "s", bodies.new_session, t)
    if errors:
        return await sessions_page(request, status=400, errors=errors, **again)
    try:
        await add_sessions(request.app[DB_POOL], event, [b for _, b in found], claims)
    except Refused as e:
        status, errors, problem = _refused_row(e, found, lang, bodies.SESSION_FIELDS, "s")
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
    found, errors = _new_rows(form, rows, "t", bodies.new_ticket_type, t)
    if errors:
        return await ticket_types_page(request, status=400, errors=errors, **again)
    try:
        await add_ticket_types(request.app[DB_POOL], event, [b for _, b in found], claims)
    except Refused as e:
        status, errors, problem = _refused_row(e, found, lang, bodies.TYPE_FIELDS, "t")
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
