"""Public pages: the catalogue, the event page with its form, and the manage page.

Server-rendered, Polish or English (``?lang=``, then the ``lang`` cookie, then
Accept-Language), no JavaScript needed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import msgspec
from aiohttp import web

from services.registration import db, questions, seats
from services.registration.handlers import register
from services.registration.schemas import CONSENT_VERSION, Event, RegisterRequest, Registration
from services.registration.texts import TEXTS
from shared.auth import manage_token_matches
from shared.calendar import calendar_entry
from shared.http import ProblemError, is_slug
from shared.keys import DB_POOL, SETTINGS
from shared.problems import preferred_lang
from shared.timefmt import format_when, local_time

FORM_FIELDS = ("name", "email", "lang", "consent")
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def page_lang(request: web.Request) -> str:
    chosen = request.query.get("lang") or request.cookies.get("lang")
    if chosen in TEXTS:
        return chosen
    return preferred_lang(request, default="pl")


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    lang = page_lang(request)

    def switch_url(code: str) -> str:
        query = dict(request.query)
        query["lang"] = code
        return f"{request.path}?{urlencode(query)}"

    def when(event: Event) -> str:
        return format_when(event.starts_at, event.ends_at, lang)

    response = aiohttp_jinja2.render_template(
        template,
        request,
        {
            "lang": lang,
            "t": TEXTS[lang],
            "switch_url": switch_url,
            "when": when,
            "local": local_time,
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
    form = {"name": "", "email": "", "lang": page_lang(request), "consent": False}
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
    )


async def submit_registration(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    found = (
        await db.select_event_for_registration(request.app[DB_POOL], slug)
        if is_slug(slug)
        else None
    )
    if found is None or found[0].status == "draft":
        return not_found(request)
    event, types, asked = found
    t = TEXTS[page_lang(request)]
    data = await request.post()
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
    errors: dict[str, str] = {}
    for field in FORM_FIELDS:
        try:
            msgspec.convert({**_valid_form(), field: form[field]}, RegisterRequest)
        except msgspec.ValidationError:
            errors[field] = t[f"err_{field}"]
    if errors:
        return await _event_form(request, event, form, errors, None, 400)
    try:
        registering = msgspec.convert(form, RegisterRequest)
        [done] = await register(request, event, types, asked, registering)
    except ProblemError as e:
        message = t.get(f"err_{e.code}", e.detail)
        at: str | None = "email" if e.code == "already_registered" else None
        field_errors: dict[str, str] = {}
        if e.errors and e.errors[0].field in ("ticket_type", "access_code"):
            at = e.errors[0].field
            message = t.get(f"err_{e.code}", t["err_unknown_ticket_type"])
        elif e.errors and e.errors[0].field.startswith("answers."):
            field_errors = {
                "q_" + err.field.removeprefix("answers."): t["err_answer"] for err in e.errors
            }
            message = t["err_answer"]
        field_errors = field_errors or ({at: message} if at else {})
        return await _event_form(
            request, event, form, field_errors, None if field_errors else message, e.status
        )
    query = urlencode({"token": done.manage_token, "welcome": "1", "lang": page_lang(request)})
    raise web.HTTPSeeOther(f"/registrations/{done.registration.id}?{query}")


def _valid_form() -> dict[str, Any]:
    """A valid form, so each field can be checked on its own and all errors shown at once."""
    return {"name": "Anna", "email": "anna@example.org", "lang": "pl", "consent": True}


async def _registration_with_token(request: web.Request, token: str | None) -> Registration | None:
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        return None
    registration = await db.select_registration(request.app[DB_POOL], registration_id)
    if registration is None or not manage_token_matches(token, registration.manage_token_hash):
        return None
    return registration


async def manage_page(request: web.Request, cancel_error: str | None = None) -> web.Response:
    token = request.query.get("token")
    registration = await _registration_with_token(request, token)
    if registration is None:
        return not_found(request)
    pool = request.app[DB_POOL]
    event = await db.select_event_by_id(pool, registration.event_id)
    position = None
    if registration.status == "waitlisted":
        position = await db.select_waitlist_position(pool, registration)
    tickets_url = request.app[SETTINGS].tickets_url
    lang = page_lang(request)
    return render(
        request,
        "registration.html",
        registration=registration,
        event=event,
        position=position,
        token=token,
        welcome=request.query.get("welcome") == "1",
        ticket_url=f"{tickets_url}/registrations/{registration.id}/ticket.html?"
        + urlencode({"token": token, "lang": lang}),
        cancel_error=cancel_error,
        consent_version=CONSENT_VERSION,
    )


async def _form_action(request: web.Request) -> tuple[Registration | None, str, dict[str, Any]]:
    data = await request.post()
    token = str(data.get("token", ""))
    return await _registration_with_token(request, token), token, dict(data)


def _back(registration: Registration, token: str, lang: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(
        f"/registrations/{registration.id}?{urlencode({'token': token, 'lang': lang})}"
    )


async def cancel_from_page(request: web.Request) -> web.Response:
    registration, token, data = await _form_action(request)
    if registration is None:
        return not_found(request)
    lang = page_lang(request)
    if data.get("confirm") != "on":
        request = request.clone(rel_url=request.rel_url.with_query({"token": token, "lang": lang}))
        return await manage_page(request, cancel_error=TEXTS[lang]["cancel_unconfirmed"])
    pool = request.app[DB_POOL]
    async with pool.acquire() as conn, conn.transaction():
        await seats.cancel(conn, registration, "attendee", request.app[SETTINGS].offer_hours)
    raise _back(registration, token, lang)


async def accept_from_page(request: web.Request) -> web.Response:
    registration, token, _ = await _form_action(request)
    if registration is None:
        return not_found(request)
    lang = page_lang(request)
    pool = request.app[DB_POOL]
    try:
        async with pool.acquire() as conn, conn.transaction():
            await seats.accept_offer(conn, registration)
    except ProblemError as e:
        request = request.clone(rel_url=request.rel_url.with_query({"token": token, "lang": lang}))
        return await manage_page(request, cancel_error=TEXTS[lang].get(f"err_{e.code}", e.detail))
    raise _back(registration, token, lang)


async def calendar_file(request: web.Request) -> web.Response:
    registration = await _registration_with_token(request, request.query.get("token"))
    if registration is None:
        return not_found(request)
    event = await db.select_event_by_id(request.app[DB_POOL], registration.event_id)
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


def add_page_routes(app: web.Application) -> None:
    app.router.add_get("/", catalogue)
    app.router.add_get("/events/{slug}", event_page)
    app.router.add_post("/events/{slug}", submit_registration)
    app.router.add_get("/registrations/{registration_id}", manage_page)
    app.router.add_post("/registrations/{registration_id}/cancel", cancel_from_page)
    app.router.add_post("/registrations/{registration_id}/accept", accept_from_page)
    app.router.add_get("/registrations/{registration_id}/event.ics", calendar_file)
