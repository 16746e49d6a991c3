"""Public pages: the catalogue and the event page with its form (the manage page is in
manage_handlers.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args
from urllib.parse import urlencode

import msgspec
from aiohttp import web

from services.registration import countries
from services.registration.events import db as events_db
from services.registration.events.cache import EVENT_CACHE
from services.registration.pages.render import not_found, render, session_problem
from services.registration.questions import db as questions_db
from services.registration.records import Event
from services.registration.registrations import resending
from services.registration.registrations.registering import Registrar, register
from services.registration.schemas import PROFILE_FIELDS, RegisterRequest, Role
from services.registration.sessions import db as sessions_db
from services.registration.texts import TEXTS
from services.registration.ticket_types import db as ticket_types_db
from shared.auth import set_manage_cookie
from shared.db import DB_POOL
from shared.http import read_form
from shared.language import page_lang
from shared.proxies import TRUSTED_PROXIES
from shared.refusals import Refused
from shared.slugs import is_slug

FORM_FIELDS = ("name", "email", "lang", "consent", "sessions")
ROLES: tuple[str, ...] = get_args(Role)


async def catalogue(request: web.Request) -> web.Response:
    now = datetime.now(UTC)
    found = await events_db.select_events(request.app[DB_POOL], include_drafts=False)
    return render(request, "catalogue.html", events=[e for e in found if e.ends_at > now])


async def _public_event(request: web.Request) -> Event | None:
    slug = request.match_info["slug"]
    event = await events_db.select_event(request.app[DB_POOL], slug) if is_slug(slug) else None
    return None if event is None or event.status == "draft" else event


async def event_page(request: web.Request) -> web.Response:
    event = await _public_event(request)
    if event is None:
        return not_found(request)
    form = {"name": "", "email": "", "lang": page_lang(request), "consent": False, "sessions": []}
    return await _event_form(request, event, form, {}, None)


async def _event_form(
    request: web.Request,
    event: Event,
    form: dict[str, Any],
    errors: dict[str, str],
    form_error: str | None,
    status: int = 200,
    resend: dict[str, Any] | None = None,
) -> web.Response:
    """The event's page; ``resend``: what the "send me my ticket again" form shows (sent,
    error, email)."""
    types = await ticket_types_db.select_ticket_types(request.app[DB_POOL], event.id)
    asked = await questions_db.select_questions(request.app[DB_POOL], event.id)
    sessions = await sessions_db.select_sessions(request.app[DB_POOL], event.id)
    return render(
        request,
        "event.html",
        status,
        event=event,
        form=form,
        errors=errors,
        form_error=form_error,
        ticket_types=types,
        questions=asked,
        sessions=sessions,
        countries=countries.OPTIONS[page_lang(request)],
        roles=ROLES,
        resend={"sent": False, "error": None, "email": "", **(resend or {})},
    )


async def resend_from_page(request: web.Request) -> web.Response:
    """The event page's "send me my ticket again": the same notice whether or not the
    address is registered."""
    event = await _public_event(request)
    if event is None:
        return not_found(request)
    t = TEXTS[page_lang(request)]
    data = await read_form(request)
    email = str(data.get("email", "")).strip()
    empty = {"name": "", "email": "", "lang": page_lang(request), "consent": False, "sessions": []}
    client = request.app[TRUSTED_PROXIES].client_address(request)
    try:
        await resending.resend_link(request.app[DB_POOL], event, email, client)
    except Refused as e:
        error = t["err_email"] if e.code == "validation_failed" else e.text(page_lang(request))
        resend = {"error": error, "email": email}
        return await _event_form(request, event, empty, {}, None, e.status, resend)
    return await _event_form(request, event, empty, {}, None, 200, {"sent": True})


async def submit_registration(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    found = await request.app[EVENT_CACHE].get(slug) if is_slug(slug) else None
    if found is None or found[0].status == "draft":
        return not_found(request)
    event, types, asked, sessions = found
    t = TEXTS[page_lang(request)]
    data = await read_form(request)
    form: dict[str, Any] = {
        "name": str(data.get("name", "")),
        "email": str(data.get("email", "")).strip(),
        "lang": str(data.get("lang", page_lang(request))),
        "consent": data.get("consent") == "on",
    }
    for optional in ("ticket_type", "access_code"):
        if data.get(optional):
            form[optional] = str(data[optional]).strip()
    answers: dict[str, Any] = {}
    for q in asked:
        name = f"q_{q.key}"
        if q.kind == "multiple":
            answers[q.key] = [str(v) for v in data.getall(name, [])]
        elif q.kind == "checkbox":
            answers[q.key] = data.get(name) == "on"
        elif data.get(name):
            answers[q.key] = str(data[name])
    form["answers"] = answers
    form["sessions"] = list(dict.fromkeys(str(v) for v in data.getall("sessions", [])))
    errors: dict[str, str] = {}
    for field in PROFILE_FIELDS:
        how = getattr(event.profile_fields, field)
        value = str(data.get(field, "")).strip() if how != "hidden" else ""
        if value:
            form[field] = value
            try:
                msgspec.convert({**_valid_form(), field: value}, RegisterRequest)
            except msgspec.ValidationError:
                errors[field] = t[f"err_{field}"]
        elif how == "required":
            errors[field] = t[f"err_{field}"]
    for field in FORM_FIELDS:
        try:
            msgspec.convert({**_valid_form(), field: form[field]}, RegisterRequest)
        except msgspec.ValidationError:
            errors[field] = t[f"err_{field}"]
    # Chosen from a list on the page, so only a tampered form gets these wrong.
    for field, text in (
        ("ticket_type", "err_unknown_ticket_type"),
        ("access_code", "err_access_code_invalid"),
    ):
        if field in form:
            try:
                msgspec.convert({**_valid_form(), field: form[field]}, RegisterRequest)
            except msgspec.ValidationError:
                errors[field] = t[text]
    if errors:
        # Without ticket types the page has no such fields to show the error at.
        unseen = None if types else errors.get("ticket_type", errors.get("access_code"))
        return await _event_form(request, event, form, errors, unseen, 400)
    try:
        registering = msgspec.convert(form, RegisterRequest)
        client = request.app[TRUSTED_PROXIES].client_address(request)
        registrar = Registrar.of(request.app)
        [done] = await register(registrar, client, event, types, asked, sessions, registering)
    except Refused as e:
        message = t.get(f"err_{e.code}", e.detail)
        at: str | None = "email" if e.code == "already_registered" else None
        field_errors: dict[str, str] = {}
        if e.errors and e.errors[0].field in ("ticket_type", "access_code"):
            at = e.errors[0].field
            message = t.get(f"err_{e.code}", t["err_unknown_ticket_type"])
        elif e.errors and e.errors[0].field == "sessions":
            field_errors = {
                "sessions": session_problem(page_lang(request), e, sessions, form["sessions"])
            }
        elif e.errors and e.errors[0].field in PROFILE_FIELDS:
            field_errors = {err.field: t[f"err_{err.field}"] for err in e.errors}
        elif e.errors and e.errors[0].field.startswith("answers."):
            field_errors = {
                "q_" + err.field.removeprefix("answers."): t["err_answer"] for err in e.errors
            }
            message = t["err_answer"]
        field_errors = field_errors or ({at: message} if at else {})
        return await _event_form(
            request, event, form, field_errors, None if field_errors else message, e.status
        )
    query = urlencode({"welcome": "1", "lang": page_lang(request)})
    welcome = web.HTTPSeeOther(f"/registrations/{done.registration.id}?{query}")
    set_manage_cookie(welcome, request, done.registration.id, done.manage_token)
    raise welcome


def _valid_form() -> dict[str, Any]:
    """A valid form, so each field can be checked on its own and all errors shown at once."""
    return {"name": "Anna", "email": "anna@example.org", "lang": "pl", "consent": True}
