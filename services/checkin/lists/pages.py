"""The back office's check-in lists page: an event's lists with their policies and gates;
organizers add, change and delete their own lists through the lists' use cases
(managing.py), as the API does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from aiohttp import web
from multidict import MultiDictProxy

from services.checkin import office_forms as forms
from services.checkin.attendees.db import EventRow
from services.checkin.lists import db, managing
from services.checkin.lists.db import ListRow
from services.checkin.lists.managing import ListChangeRequest, ListRequest
from services.checkin.lists.texts import TEXTS
from shared.db import DB_POOL
from shared.http import read_form
from shared.office import pages
from shared.refusals import Refused
from shared.routes import staff_claims
from shared.slugs import is_slug

POLICIES = ("single", "reentry", "daily")
# What a list's own form fields are filled with (and given back after a bad post).
Values = dict[str, Any]


def _values(row: ListRow | None) -> Values:
    if row is None:
        return {"slug": "", "name": "", "policy": "single", "sessions": [], "ticket_types": [],
                "valid_from": "", "valid_until": "", "limit": "", "enforce_limit": False,
                "gates": ""}  # fmt: skip
    return {
        "slug": row.slug,
        "name": row.name,
        "policy": row.policy,
        "sessions": row.sessions,
        "ticket_types": row.ticket_types,
        "valid_from": forms.local_value(row.valid_from),
        "valid_until": forms.local_value(row.valid_until),
        "limit": "" if row.limit is None else str(row.limit),
        "enforce_limit": row.enforce_limit,
        "gates": ", ".join(row.gates),
    }


def _posted(form: MultiDictProxy[Any]) -> Values:
    """The form as posted, to fill it in again."""
    return {
        "slug": forms.text(form, "slug"),
        "name": forms.text(form, "name"),
        "policy": forms.text(form, "policy"),
        "sessions": [str(v) for v in form.getall("sessions", [])],
        "ticket_types": [str(v) for v in form.getall("ticket_types", [])],
        "ticket_types_text": forms.text(form, "ticket_types_text"),
        "valid_from": forms.text(form, "valid_from"),
        "valid_until": forms.text(form, "valid_until"),
        "limit": forms.text(form, "limit"),
        "enforce_limit": form.get("enforce_limit") == "1",
        "gates": forms.text(form, "gates"),
    }


def _fields(posted: Values, t: Mapping[str, str], *, fixed: bool) -> tuple[Values, forms.Errors]:
    """The posted values as the use case's request fields (a fixed list: without its slug
    and members), and the errors of those that cannot be read at all."""
    errors: forms.Errors = {}
    fields: Values = {
        "name": posted["name"],
        "policy": posted["policy"] or "single",
        "enforce_limit": posted["enforce_limit"],
        "gates": [g.strip() for g in posted["gates"].split(",") if g.strip()],
    }
    if not fixed:
        typed = [v.strip() for v in posted["ticket_types_text"].split(",") if v.strip()]
        fields |= {
            "slug": posted["slug"],
            "sessions": posted["sessions"],
            "ticket_types": posted["ticket_types"] + typed,
        }
    for name in ("valid_from", "valid_until"):
        try:
            fields[name] = forms.local_moment(posted[name])
        except ValueError:
            errors[name] = t[f"err_{name}"]
    fields["limit"] = None
    if posted["limit"]:
        try:
            fields["limit"] = int(posted["limit"])
        except ValueError:
            errors["limit"] = t["err_limit"]
    return fields, errors


async def _choices(pool: asyncpg.Pool, event: EventRow) -> dict[str, Any]:
    types = await db.select_ticket_types(pool, event.id)
    return {
        "session_slugs": sorted(await db.select_session_slugs(pool, event.id)),
        "ticket_types": sorted(types) if types is not None else None,
        "policies": POLICIES,
    }


async def _lists_page(
    request: web.Request,
    event: EventRow,
    values: Values | None = None,
    errors: forms.Errors | None = None,
    refused: Refused | None = None,
) -> web.Response:
    """The lists page; again with the field ``errors`` of the add form, or with a refusal
    of a list's button above the table (at the refusal's status)."""
    pool = request.app[DB_POOL]
    claims = staff_claims(request)
    return pages.render(
        request,
        "checkin_lists.html",
        claims,
        TEXTS,
        status=refused.status if refused else 400 if errors else 200,
        problem=refused.text(forms.lang(request)) if refused else None,
        errors=errors,
        slug=event.slug,
        tab="tab_lists",
        event_name=event.name.get(forms.lang(request)),
        lists=await db.select_lists(pool, event.id),
        may_change=claims.may("organizer", event.slug),
        values=values or _values(None),
        notice=request.query.get("done", ""),
        **await _choices(pool, event),
    )


async def lists_page(request: web.Request) -> web.Response:
    event = await forms.event_of(request)
    if event is None:
        return pages.not_found(request, staff_claims(request))
    return await _lists_page(request, event)


async def create_list(request: web.Request) -> web.Response:
    event = await forms.event_of(request)
    if event is None:
        return pages.not_found(request, staff_claims(request))
    t = forms.words(request, TEXTS)
    posted = _posted(await read_form(request))
    fields, errors = _fields(posted, t, fixed=False)
    body, more = forms.convert(fields, ListRequest, t) if not errors else (None, {})
    errors |= more
    if body is None:
        return await _lists_page(request, event, posted, errors)
    try:
        await managing.create_list(request.app[DB_POOL], staff_claims(request), event.slug, body)
    except Refused as e:
        if e.status >= 500 or e.code in ("forbidden", "event_not_found"):
            raise
        errors = forms.refusal_errors(e, t, forms.lang(request), "slug")
        return await _lists_page(request, event, posted, errors)
    raise web.HTTPSeeOther(f"/office/events/{event.slug}/lists?done=saved")


async def _edit_page(
    request: web.Request,
    event: EventRow,
    row: ListRow,
    values: Values | None = None,
    errors: forms.Errors | None = None,
) -> web.Response:
    pool = request.app[DB_POOL]
    return pages.render(
        request,
        "checkin_list_edit.html",
        staff_claims(request),
        TEXTS,
        status=400 if errors else 200,
        errors=errors,
        slug=event.slug,
        tab="tab_lists",
        event_name=event.name.get(forms.lang(request)),
        row=row,
        fixed=row.origin != "organizer",
        values=values or _values(row),
        **await _choices(pool, event),
    )


async def _target(request: web.Request) -> tuple[EventRow, ListRow] | None:
    event = await forms.event_of(request)
    list_slug = request.match_info["list"]
    if event is None or not is_slug(list_slug):
        return None
    row = await db.select_list(request.app[DB_POOL], event.id, list_slug)
    return (event, row) if row is not None else None


async def edit_list_page(request: web.Request) -> web.Response:
    target = await _target(request)
    if target is None:
        return pages.not_found(request, staff_claims(request))
    return await _edit_page(request, *target)


async def update_list(request: web.Request) -> web.Response:
    target = await _target(request)
    if target is None:
        return pages.not_found(request, staff_claims(request))
    event, row = target
    t = forms.words(request, TEXTS)
    posted = _posted(await read_form(request))
    fixed = row.origin != "organizer"
    fields, errors = _fields(posted, t, fixed=fixed)
    body, more = forms.convert(fields, ListChangeRequest, t) if not errors else (None, {})
    errors |= more
    if body is None:
        return await _edit_page(request, event, row, posted, errors)
    try:
        await managing.update_list(
            request.app[DB_POOL], staff_claims(request), event.slug, row.slug, body
        )
    except Refused as e:
        if e.status >= 500 or e.code in ("forbidden", "event_not_found", "list_not_found"):
            raise
        errors = forms.refusal_errors(e, t, forms.lang(request), "slug" if not fixed else "name")
        return await _edit_page(request, event, row, posted, errors)
    raise web.HTTPSeeOther(f"/office/events/{event.slug}/lists?done=saved")


async def delete_list(request: web.Request) -> web.Response:
    target = await _target(request)
    if target is None:
        return pages.not_found(request, staff_claims(request))
    event, row = target
    await read_form(request)
    try:
        await managing.delete_list(
            request.app[DB_POOL], staff_claims(request), event.slug, row.slug
        )
    except Refused as e:  # the main list and the sessions' lists stay
        if e.code in ("forbidden", "event_not_covered"):
            raise
        return await _lists_page(request, event, refused=e)
    raise web.HTTPSeeOther(f"/office/events/{event.slug}/lists?done=deleted")
