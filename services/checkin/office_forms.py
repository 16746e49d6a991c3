"""What checkin's back-office pages share: the event a page names, form fields read into
a use case's request, and a refusal turned into the fields' errors in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

import msgspec
from aiohttp import web

from services.checkin.attendees import db as attendees_db
from services.checkin.attendees.db import EventRow
from shared.db import DB_POOL
from shared.http import validation_field
from shared.office.pages import lang_of
from shared.refusals import Refused
from shared.routes import staff_claims
from shared.slugs import is_slug
from shared.timefmt import VENUE_TZ

T = TypeVar("T")
Errors = dict[str, str]


async def event_of(request: web.Request) -> EventRow | None:
    """The event the page's ``{slug}`` names, if checkin knows it."""
    slug = request.match_info["slug"]
    if not is_slug(slug):
        return None
    return await attendees_db.select_event_by_slug(request.app[DB_POOL], slug)


def lang(request: web.Request) -> str:
    return lang_of(request, staff_claims(request))


def words(request: web.Request, texts: Mapping[str, Mapping[str, str]]) -> Mapping[str, str]:
    return texts[lang(request)]


def text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def local_moment(value: str) -> datetime | None:
    """A ``datetime-local`` field, read as the venue's time; ValueError if unreadable."""
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=VENUE_TZ)


def local_value(moment: datetime | None) -> str:
    """A moment as a ``datetime-local`` field shows it (the venue's time)."""
    return moment.astimezone(VENUE_TZ).strftime("%Y-%m-%dT%H:%M") if moment else ""


def convert(
    fields: dict[str, Any], type_: type[T], t: Mapping[str, str]
) -> tuple[T | None, Errors]:
    """``fields`` as the use case's request, or the error of each field that is wrong."""
    errors: Errors = {}
    for info in msgspec.structs.fields(type_):  # type: ignore[arg-type]
        if info.name in fields:
            try:
                msgspec.convert(fields[info.name], info.type)
            except msgspec.ValidationError:
                errors[info.name] = t.get(f"err_{info.name}", t["err_invalid"])
    if errors:
        return None, errors
    try:
        return msgspec.convert(fields, type_), {}
    except msgspec.ValidationError as e:
        field = validation_field(str(e)).split(".")[0].split("[")[0]
        return None, {field: t.get(f"err_{field}", t["err_invalid"])}


def refusal_errors(e: Refused, t: Mapping[str, str], page_lang: str, default_field: str) -> Errors:
    """A use case's refusal as field errors: each field it names, with the page's word for
    that field if it has one, else the refusal's own text."""
    if not e.errors:
        return {default_field: e.text(page_lang)}
    found: Errors = {}
    for error in e.errors:
        field = error.field.split(".")[0].split("[")[0]
        found.setdefault(field, t.get(f"err_{e.code}", t.get(f"err_{field}", e.text(page_lang))))
    return found
