"""Back-office forms that change or remove one ticket type or one question: the same use
cases as the API's PATCH and DELETE, their refusals at the form's fields."""

from __future__ import annotations

from aiohttp import web

from services.registration.event_pages import bodies
from services.registration.event_pages.forms import messages, refused_errors
from services.registration.event_pages.parts import posted, questions_view, ticket_types_view
from services.registration.event_pages.render import done, find
from services.registration.event_pages.texts import TEXTS
from services.registration.questions import db as questions_db
from services.registration.questions.changing import change_question, remove_question
from services.registration.refusals import QUESTION_NOT_FOUND
from services.registration.ticket_types.changing import change_ticket_type, remove_ticket_type
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import read_form
from shared.office.pages import lang_of, not_found
from shared.refusals import Refused
from shared.routes import staff_claims

EDIT_TYPE_FIELDS = ("name_pl", "name_en", "quota", "access_code")
EDIT_QUESTION_FIELDS = ("label_pl", "label_en", "q_required", "options")


async def save_ticket_type(request: web.Request) -> web.Response:
    event = await find(request)
    claims = staff_claims(request)
    if event is None:
        return not_found(request, claims)
    form = await read_form(request)
    lang = lang_of(request, claims)
    t = TEXTS[lang]
    slug = request.match_info["ticket_type"]
    prefix = f"e_{slug}_"
    again = {"values": posted(form)}
    body, wrong = bodies.ticket_type_update(form, prefix, slug)
    if body is None:
        errors = messages(wrong, t, prefix)
        if form.get(prefix + "open") is not None and form.get(prefix + "access_code"):
            errors[prefix + "access_code"] = t["err_code_and_open"]
        return await ticket_types_view(request, event, status=400, errors=errors, **again)
    offer_hours = request.app[SETTINGS].offer_hours
    try:
        await change_ticket_type(request.app[DB_POOL], event, slug, body, offer_hours, claims)
    except Refused as e:
        errors = refused_errors(e, lang, t, EDIT_TYPE_FIELDS, prefix)
        problem = None if errors else e.text(lang)
        status = 400 if errors else e.status
        return await ticket_types_view(
            request, event, status=status, errors=errors, problem=problem, **again
        )
    return done(f"/office/events/{event.slug}/ticket-types", "saved")


async def remove_ticket_type_from_page(request: web.Request) -> web.Response:
    event = await find(request)
    claims = staff_claims(request)
    if event is None:
        return not_found(request, claims)
    await read_form(request)
    slug = request.match_info["ticket_type"]
    try:
        await remove_ticket_type(request.app[DB_POOL], event, slug, claims)
    except Refused as e:
        lang = lang_of(request, claims)
        if e.code == "ticket_type_in_use":
            errors = {f"r_{slug}": e.text(lang)}
            return await ticket_types_view(request, event, status=409, errors=errors)
        return await ticket_types_view(request, event, status=e.status, problem=e.text(lang))
    return done(f"/office/events/{event.slug}/ticket-types", "removed")


async def save_question(request: web.Request) -> web.Response:
    event = await find(request)
    claims = staff_claims(request)
    if event is None:
        return not_found(request, claims)
    form = await read_form(request)
    lang = lang_of(request, claims)
    t = TEXTS[lang]
    key = request.match_info["question"]
    prefix = f"e_{key}_"
    again = {"values": posted(form)}
    pool = request.app[DB_POOL]
    current = next(
        (q for q in await questions_db.select_questions(pool, event.id) if q.key == key), None
    )
    if current is None:
        gone = QUESTION_NOT_FOUND(key=key).text(lang)
        return await questions_view(request, event, status=404, problem=gone, **again)
    body, wrong = bodies.question_update(form, prefix, current)
    if body is None:
        errors = messages(wrong, t, prefix, rename=bodies.QUESTION_RENAME)
        return await questions_view(request, event, status=400, errors=errors, **again)
    try:
        await change_question(pool, event, key, body, claims)
    except Refused as e:
        values = [o.value for o in current.options]
        if e.code == "option_in_use" and e.values.get("value") in values:
            errors = {f"{prefix}o{values.index(e.values['value'])}_remove": e.text(lang)}
        else:
            errors = refused_errors(
                e, lang, t, EDIT_QUESTION_FIELDS, prefix, rename=bodies.QUESTION_RENAME
            )
        problem = None if errors else e.text(lang)
        status = 400 if errors else e.status
        return await questions_view(
            request, event, status=status, errors=errors, problem=problem, **again
        )
    return done(f"/office/events/{event.slug}/questions", "saved")


async def remove_question_from_page(request: web.Request) -> web.Response:
    event = await find(request)
    claims = staff_claims(request)
    if event is None:
        return not_found(request, claims)
    await read_form(request)
    key = request.match_info["question"]
    try:
        await remove_question(request.app[DB_POOL], event, key, claims)
    except Refused as e:
        lang = lang_of(request, claims)
        if e.code == "question_answered":
            errors = {f"r_{key}": e.text(lang)}
            return await questions_view(request, event, status=409, errors=errors)
        return await questions_view(request, event, status=e.status, problem=e.text(lang))
    return done(f"/office/events/{event.slug}/questions", "removed")
