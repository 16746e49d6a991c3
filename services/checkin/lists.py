"""HTTP handlers of check-in lists: defining them, listing them, who is inside."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import asyncpg
import msgspec
from aiohttp import web

from services.checkin import db, lists_db
from services.checkin.consumers import MAIN_LIST
from services.checkin.rules import Policy
from shared.http import (
    PRINTABLE,
    SLUG_PATTERN,
    FieldError,
    ProblemError,
    decode_body,
    is_slug,
    json_response,
)
from shared.keys import DB_POOL, STAFF_AUTH

Slug = Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN)]
Slugs = Annotated[list[Slug], msgspec.Meta(max_length=50)]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]


class ListRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: Slug
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=PRINTABLE)]
    policy: Policy = "single"
    sessions: Slugs = []
    ticket_types: Slugs = []
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | None = None
    enforce_limit: bool = False


def _invalid(field: str, message: str) -> ProblemError:
    return ProblemError(
        400,
        "validation_failed",
        "The request has invalid fields.",
        errors=[FieldError(field=field, message=message)],
    )


def _list_body(row: lists_db.ListRow) -> dict[str, Any]:
    body = msgspec.to_builtins(row)
    del body["id"]
    return dict(body)


async def _event(request: web.Request, slug: str) -> db.EventRow:
    event = await db.select_event_by_slug(request.app[DB_POOL], slug) if is_slug(slug) else None
    if event is None:
        raise ProblemError(404, "event_not_found", f"There is no event {slug!r}.")
    return event


async def create_list(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    request.app[STAFF_AUTH].require(request, ("organizer",), event_slug=slug)
    body = await decode_body(request, ListRequest)
    if body.valid_from and body.valid_until and body.valid_until <= body.valid_from:
        raise _invalid("valid_until", "Must be later than valid_from.")
    if body.enforce_limit and body.limit is None:
        raise _invalid("limit", "A limit is needed to enforce it.")
    event = await _event(request, slug)
    pool = request.app[DB_POOL]
    unknown = set(body.sessions) - await lists_db.select_session_slugs(pool, event.id)
    if unknown:
        raise _invalid("sessions", f"The event has no session {sorted(unknown)[0]!r}.")
    new = lists_db.NewList(
        slug=body.slug,
        name=body.name,
        policy=body.policy,
        sessions=sorted(set(body.sessions)),
        ticket_types=sorted(set(body.ticket_types)),
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        limit=body.limit,
        enforce_limit=body.enforce_limit,
    )
    async with pool.acquire() as conn, conn.transaction():
        # The main list takes its slug even before the first scan asks for it.
        await db.insert_list_if_missing(conn, event.id, MAIN_LIST, "Main entrance")
        try:
            row = await lists_db.insert_list(conn, event.id, new)
        except asyncpg.UniqueViolationError as e:
            if e.constraint_name != "lists_event_id_slug_key":
                raise
            raise ProblemError(
                409, "list_exists", f"The event already has a list {body.slug!r}."
            ) from None
    return json_response(_list_body(row), status=201)


async def get_lists(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    request.app[STAFF_AUTH].require(request, ("organizer", "door"), event_slug=slug)
    event = await _event(request, slug)
    rows = await lists_db.select_lists(request.app[DB_POOL], event.id)
    return json_response({"event": slug, "lists": [_list_body(r) for r in rows]})


async def get_inside(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    request.app[STAFF_AUTH].require(request, ("organizer",), event_slug=slug)
    list_slug = request.query.get("list", MAIN_LIST)
    event = await _event(request, slug)
    pool = request.app[DB_POOL]
    listed = await lists_db.select_list(pool, event.id, list_slug) if is_slug(list_slug) else None
    if listed is None:
        raise ProblemError(404, "list_not_found", f"This event has no check-in list {list_slug!r}.")
    people = await lists_db.select_inside(pool, listed.id)
    return json_response(
        {
            "list": listed.slug,
            "count": len(people),
            "limit": listed.limit,
            "people": [msgspec.to_builtins(p) for p in people],
        }
    )
