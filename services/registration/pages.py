"""Public pages: the catalogue and the event page with its form (the manage page is in
manage_pages.py).

Server-rendered, Polish or English (``?lang=``, then the ``lang`` cookie, then
Accept-Language), no JavaScript needed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import msgspec
from aiohttp import web

from services.registration import db, questions
from services.registration.event_cache import EVENT_CACHE
from services.registration.handlers import register
from services.registration.schemas import (
    Event,
    RegisterRequest,
    Session,
)
from services.registration.texts import TEXTS
from shared.auth import set_manage_cookie
from shared.csrf import csrf_token
from shared.http import ProblemError, read_form
from shared.keys import DB_POOL
from shared.language import page_lang
from shared.slugs import is_slug
from shared.timefmt import format_when, local_time

FORM_FIELDS = ("name", "email", "lang", "consent", "sessions")
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    lang = page_lang(request)

    def switch_url(code: str) -> str:
        query = dict(request.query)
        query["lang"] = code
        return f"{request.path}?{urlencode(query)}"

    def when(item: Event | Session) -> str:
        return format_when(item.starts_at, item.ends_at, lang)

    response = aiohttp_jinja2.render_template(
        template,
        request,
        {
            "lang": lang,
            "t": TEXTS[lang],
            "switch_url": switch_url,
            "when": when,
            "local": local_time,
            "csrf": lambda: csrf_token(request),
            **context,
        },
        status=status,
    )
    if request.query.get("lang") in TEXTS:
        response.set_cookie("lang", lang, max_age=LANG_COOKIE_SECONDS, samesite="Lax")
    return response


def not_found(request: web.Request) -> web.Response:
    t = TEXTS[page_lang(request)]
    return render(request, "error.html", 404, title=t["not_found"], message=t["not_found_text"])


async def catalogue(request: web.Request) -> web.Response:
    now = datetime.now(UTC)
    found = await db.select_events(request.app[DB_POOL], include_drafts=False)
    return render(request, "catalogue.html", events=[e for e in found if e.ends_at > now])


async def _public_event(request: web.Request) -> Event | None:
    slug = request.match_info["slug"]
    event = await db.select_event(request.app[DB_POOL], slug) if is_slug(slug) else None
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
) -> web.Response:
    types = await db.select_ticket_types(request.app[DB_POOL], event.id)
    asked = await questions.select_questions(request.app[DB_POOL], event.id)
    sessions = await db.select_sessions(request.app[DB_POOL], event.id)
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
    )


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
        [done] = await register(request, event, types, asked, sessions, registering)
    except ProblemError as e:
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


def session_problem(lang: str, e: ProblemError, sessions: list[Session], slugs: list[str]) -> str:
    """A refused choice of sessions in the page's words, naming the sessions concerned."""
    t = TEXTS[lang]
    names = {s.slug: getattr(s.name, lang) for s in sessions}
    if e.code == "session_full":
        slug = str(e.values.get("session", ""))
        return t["err_session_full"].format(names.get(slug, slug))
    if e.code == "sessions_overlap":
        chosen = [s for s in sessions if s.slug in slugs]
        pairs = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :] if a.overlaps(b)]
        return (
            t["err_sessions_overlap"].format(*(names[s.slug] for s in pairs[0]))
            if pairs
            else e.detail
        )
    return t.get(f"err_{e.code}", e.detail)
