"""Back-office pages of events: the list, an event's page, creating and editing one,
publishing and cancelling it. Each change goes through the events API's use cases."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web

from services.registration.event_pages import bodies
from services.registration.event_pages.forms import local_input, messages, refused_errors
from services.registration.event_pages.listing import events_for
from services.registration.event_pages.render import done, find, page
from services.registration.event_pages.texts import TEXTS
from services.registration.events import db, setup
from services.registration.questions import db as questions_db
from services.registration.records import Event
from services.registration.sessions import db as sessions_db
from services.registration.ticket_types import db as ticket_types_db
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import read_form
from shared.office.pages import lang_of, not_found
from shared.refusals import Refused
from shared.routes import staff_claims


async def office_home(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    groups = await events_for(request.app[DB_POOL], claims)
    return page(request, "office/events.html", groups=groups, may_create=setup.may_create(claims))


async def event_overview(request: web.Request) -> web.Response:
    event = await find(request)
    if event is None:
        return not_found(request, staff_claims(request))
    pool = request.app[DB_POOL]
    return page(
        request,
        "office/event.html",
        event=event,
        slug=event.slug,
        tab="tab_overview",
        stats=await db.select_event_stats(pool, event.id),
        sessions=await sessions_db.select_sessions(pool, event.id),
        ticket_types=await ticket_types_db.select_ticket_types(pool, event.id),
        questions=await questions_db.select_questions(pool, event.id),
        may_edit=staff_claims(request).may("organizer", event.slug),
        problem=None,
        public_url=f"{request.app[SETTINGS].registration_url}/events/{event.slug}",
    )


def event_form(
    request: web.Request,
    event: Event | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> web.Response:
    return page(
        request,
        "office/event_form.html",
        status=status,
        errors=errors,
        event=event,
        slug=event.slug if event else None,
        tab="tab_overview",
        v=values,
        problem=problem,
        may_edit=True,
        offer_hours=f"{request.app[SETTINGS].offer_hours:g}",
    )


def form_values(event: Event | None) -> dict[str, Any]:
    """The event form's fields as they start: the event's, or a new event's defaults."""
    if event is None:
        blank = {f: "" for f in bodies.EVENT_FIELDS}
        return (
            blank
            | {"kind": "conference", "waitlist": True, "group_limit": 30}
            | {f"profile_{n}": "optional" for n in ("organization", "country", "role")}
        )
    return {
        "name_pl": event.name.pl,
        "name_en": event.name.en,
        "kind": event.kind,
        "slug": event.slug,
        "starts_at": local_input(event.starts_at),
        "ends_at": local_input(event.ends_at),
        "venue": event.venue,
        "room": event.room or "",
        "capacity": event.capacity,
        "description_pl": event.description.pl,
        "description_en": event.description.en,
        "registration_opens_at": local_input(event.registration_opens_at),
        "registration_closes_at": local_input(event.registration_closes_at),
        "waitlist": event.waitlist,
        "group_limit": event.group_limit,
        "retention_days": event.retention_days or "",
        "profile_organization": event.profile_fields.organization,
        "profile_country": event.profile_fields.country,
        "profile_role": event.profile_fields.role,
    }


def posted_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {f: str(form.get(f, "")) for f in bodies.EVENT_FIELDS}
    values["waitlist"] = form.get("waitlist") is not None
    return values


async def new_event_page(request: web.Request) -> web.Response:
    setup.check_may_create(staff_claims(request), "*")
    return event_form(request, None, form_values(None))


async def create_event_from_page(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    form = await read_form(request)
    body, wrong = bodies.new_event(form)
    t = TEXTS[lang_of(request, claims)]
    if body is None:
        return event_form(request, None, posted_values(form), messages(wrong, t), status=400)
    try:
        event, _ = await setup.create_event(request.app[DB_POOL], body, claims)
    except Refused as e:
        if e.code in ("forbidden", "event_not_covered"):
            raise
        return _refused(request, None, form, e)
    return done(f"/office/events/{event.slug}", "created")


def _refused(request: web.Request, event: Event | None, form: Any, e: Refused) -> web.Response:
    lang = lang_of(request, staff_claims(request))
    errors = refused_errors(e, lang, TEXTS[lang], bodies.EVENT_FIELDS)
    status = 400 if errors else e.status
    problem = None if errors else e.text(lang)
    return event_form(request, event, posted_values(form), errors, problem, status)


async def edit_event_page(request: web.Request) -> web.Response:
    event = await find(request)
    if event is None:
        return not_found(request, staff_claims(request))
    return event_form(request, event, form_values(event))


async def update_event_from_page(request: web.Request) -> web.Response:
    event = await find(request)
    claims = staff_claims(request)
    if event is None:
        return not_found(request, claims)
    form = await read_form(request)
    body, wrong = bodies.event_update(form, event.slug)
    t = TEXTS[lang_of(request, claims)]
    if body is None:
        return event_form(request, event, posted_values(form), messages(wrong, t), status=400)
    offer_hours = request.app[SETTINGS].offer_hours
    try:
        await setup.change_event(request.app[DB_POOL], event.id, body.given(), offer_hours, claims)
    except Refused as e:
        return _refused(request, event, form, e)
    return done(f"/office/events/{event.slug}", "saved")


async def confirm_page(
    request: web.Request,
    status: Literal["published", "cancelled"],
    errors: dict[str, str] | None = None,
    code: int = 200,
    problem: str | None = None,
) -> web.Response:
    event = await find(request)
    if event is None:
        return not_found(request, staff_claims(request))
    pool = request.app[DB_POOL]
    return page(
        request,
        "office/event_confirm.html",
        status=code,
        errors=errors,
        event=event,
        slug=event.slug,
        tab="tab_overview",
        wanted=status,
        problem=problem,
        may_edit=True,
        stats=await db.select_event_stats(pool, event.id),
        languages=await db.select_active_languages(pool, event.id),
        public_url=f"{request.app[SETTINGS].registration_url}/events/{event.slug}",
    )


async def publish_page(request: web.Request) -> web.Response:
    return await confirm_page(request, "published")


async def cancel_page(request: web.Request) -> web.Response:
    return await confirm_page(request, "cancelled")


async def publish_from_page(request: web.Request) -> web.Response:
    return await _move(request, "published")


async def cancel_from_page(request: web.Request) -> web.Response:
    return await _move(request, "cancelled")


async def _move(request: web.Request, status: Literal["published", "cancelled"]) -> web.Response:
    event = await find(request)
    claims = staff_claims(request)
    if event is None:
        return not_found(request, claims)
    form = await read_form(request)
    lang = lang_of(request, claims)
    if status == "cancelled" and form.get("sure") is None:
        return await confirm_page(request, status, {"sure": TEXTS[lang]["err_cancel_sure"]}, 400)
    try:
        await setup.move_event(request.app[DB_POOL], event.id, status, claims)
    except Refused as e:
        return await confirm_page(request, status, code=e.status, problem=e.text(lang))
    notice = "published" if status == "published" else "cancelled_done"
    return done(f"/office/events/{event.slug}", notice)
