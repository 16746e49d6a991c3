"""HTTP handlers of check-in lists: defining, changing, removing, listing them, who is inside."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import asyncpg
import msgspec
from aiohttp import web

from services.checkin import db, lists_db
from services.checkin.consumers import MAIN_LIST
from services.checkin.rules import Policy
from shared.http import ProblemError, decode_body, json_response
from shared.keys import DB_POOL
from shared.refusals import FieldError
from shared.slugs import PRINTABLE, SLUG_PATTERN, is_slug

Slug = Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN)]
Slugs = Annotated[list[Slug], msgspec.Meta(max_length=50)]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=PRINTABLE)]
Limit = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Gate = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=PRINTABLE)]
Gates = Annotated[list[Gate], msgspec.Meta(max_length=50)]
Unset = msgspec.UnsetType
UNSET = msgspec.UNSET
# What the main list and session lists take from the event, not from their organizer.
FIXED_FIELDS = ("slug", "sessions", "ticket_types")


class ListRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: Slug
    name: Name
    policy: Policy = "single"
    sessions: Slugs = []
    ticket_types: Slugs = []
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    limit: Limit | None = None
    enforce_limit: bool = False
    gates: Gates = []


class ListChangeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A partial update: only the fields given change (null clears the optional ones)."""

    slug: Slug | Unset = UNSET
    name: Name | Unset = UNSET
    policy: Policy | Unset = UNSET
    sessions: Slugs | Unset = UNSET
    ticket_types: Slugs | Unset = UNSET
    valid_from: Moment | None | Unset = UNSET
    valid_until: Moment | None | Unset = UNSET
    limit: Limit | None | Unset = UNSET
    enforce_limit: bool | Unset = UNSET
    gates: Gates | Unset = UNSET


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


def _list_not_found(slug: str) -> ProblemError:
    return ProblemError(404, "list_not_found", f"This event has no check-in list {slug!r}.")


def _slug(request: web.Request) -> str:
    return request.match_info["slug"]


def _check_settings(new: lists_db.NewList, given: frozenset[str] = frozenset()) -> None:
    """Refuse a bad window or limit, naming a field the request gave."""
    if new.valid_from and new.valid_until and new.valid_until <= new.valid_from:
        if "valid_from" in given and "valid_until" not in given:
            raise _invalid("valid_from", "Must be earlier than valid_until.")
        raise _invalid("valid_until", "Must be later than valid_from.")
    if new.enforce_limit and new.limit is None:
        raise _invalid("limit", "A limit is needed to enforce it.")


async def _check_members(
    conn: asyncpg.Connection | asyncpg.Pool,
    event_id: uuid.UUID,
    sessions: list[str] | None,
    ticket_types: list[str] | None,
) -> None:
    """Refuse sessions and ticket types the event does not have (None: not checked)."""
    if sessions:
        unknown = set(sessions) - await lists_db.select_session_slugs(conn, event_id)
        if unknown:
            raise _invalid("sessions", f"The event has no session {sorted(unknown)[0]!r}.")
    if ticket_types:
        known = await lists_db.select_ticket_types(conn, event_id)
        # None: no event message has told the types yet (an event announced before they
        # were published), so there is nothing to check against.
        unknown = set(ticket_types) - known if known is not None else set()
        if unknown:
            raise _invalid("ticket_types", f"The event has no ticket type {sorted(unknown)[0]!r}.")


async def _check_gates(
    conn: asyncpg.Connection | asyncpg.Pool,
    event_id: uuid.UUID,
    gates: list[str],
    list_id: uuid.UUID | None,
) -> None:
    """A gate leads to one list of an event: refuse one that another list has already."""
    taken = await lists_db.select_gate_owner(conn, event_id, gates, list_id) if gates else None
    if taken is not None:
        other, gate = taken
        raise ProblemError(
            409,
            "gate_taken",
            f"Gate {gate!r} already leads to the list {other!r}; a gate belongs to one list.",
            errors=[FieldError(field="gates", message=f"{gate} belongs to {other}")],
        )


async def create_list(request: web.Request) -> web.Response:
    slug = _slug(request)
    body = await decode_body(request, ListRequest)
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
        gates=sorted(set(body.gates)),
    )
    _check_settings(new)
    event = await _event(request, slug)
    pool = request.app[DB_POOL]
    await _check_members(pool, event.id, new.sessions, new.ticket_types)
    await _check_gates(pool, event.id, new.gates, None)
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


async def _list_target(request: web.Request, slug: str) -> tuple[db.EventRow, str]:
    """The event and the list slug of a request on one list."""
    event = await _event(request, slug)
    list_slug = request.match_info["list"]
    if not is_slug(list_slug):
        raise _list_not_found(list_slug)
    return event, list_slug


def _changes(current: lists_db.ListRow, body: ListChangeRequest) -> dict[str, Any]:
    """The fields the body gives a value other than the list's current one."""
    changes: dict[str, Any] = {}
    for field in body.__struct_fields__:
        value = getattr(body, field)
        if value is UNSET:
            continue
        if field in ("sessions", "ticket_types", "gates"):
            value = sorted(set(value))
        if value != getattr(current, field):
            changes[field] = value
    return changes


async def update_list(request: web.Request) -> web.Response:
    """Change a list's settings; the main list and session lists keep slug and members."""
    slug = _slug(request)
    body = await decode_body(request, ListChangeRequest)
    event, list_slug = await _list_target(request, slug)
    async with request.app[DB_POOL].acquire() as conn, conn.transaction():
        current = await lists_db.select_list_for_update(conn, event.id, list_slug)
        if current is None:
            raise _list_not_found(list_slug)
        changes = _changes(current, body)
        fixed = [f for f in FIXED_FIELDS if f in changes]
        if fixed and current.origin != "organizer":
            raise ProblemError(
                409,
                "list_membership_fixed",
                f"The {current.origin} list {list_slug!r} takes its slug and members from the"
                " event: only its name, policy, window and limit can change.",
                errors=[FieldError(field=f, message="Cannot change on this list.") for f in fixed],
            )
        if not changes:
            return json_response(_list_body(current))
        kept = {f: getattr(current, f) for f in lists_db.NewList.__struct_fields__}
        merged = lists_db.NewList(**(kept | changes))
        _check_settings(merged, frozenset(changes))
        await _check_members(conn, event.id, changes.get("sessions"), changes.get("ticket_types"))
        await _check_gates(conn, event.id, changes.get("gates", []), current.id)
        pin = (["name"] if "name" in changes else []) + (
            ["window"] if {"valid_from", "valid_until"} & changes.keys() else []
        )
        try:
            row = await lists_db.update_list(
                conn, current.id, merged, pin if current.origin == "session" else []
            )
        except asyncpg.UniqueViolationError as e:
            if e.constraint_name != "lists_event_id_slug_key":
                raise
            raise ProblemError(
                409, "list_exists", f"The event already has a list {merged.slug!r}."
            ) from None
    return json_response(_list_body(row))


async def delete_list(request: web.Request) -> web.Response:
    """Remove an organizer's list: archived, so that the scans made on it stay."""
    event, list_slug = await _list_target(request, _slug(request))
    async with request.app[DB_POOL].acquire() as conn, conn.transaction():
        current = await lists_db.select_list_for_update(conn, event.id, list_slug)
        if current is None:
            raise _list_not_found(list_slug)
        if current.origin != "organizer":
            raise ProblemError(
                409,
                "list_not_removable",
                f"The {current.origin} list {list_slug!r} belongs to the event and cannot be"
                " removed; close it with a window instead.",
            )
        await lists_db.update_list_archived(conn, current.id)
    return web.Response(status=204)


async def get_lists(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    event = await _event(request, slug)
    pool = request.app[DB_POOL]
    rows = await lists_db.select_lists(pool, event.id)
    # What a list's ticket_types can name (null while the event has not told them yet).
    types = await lists_db.select_ticket_types(pool, event.id)
    return json_response(
        {
            "event": slug,
            "ticket_types": sorted(types) if types is not None else None,
            "lists": [_list_body(r) for r in rows],
        }
    )


async def get_inside(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    list_slug = request.query.get("list", MAIN_LIST)
    event = await _event(request, slug)
    pool = request.app[DB_POOL]
    listed = await lists_db.select_list(pool, event.id, list_slug) if is_slug(list_slug) else None
    if listed is None:
        raise _list_not_found(list_slug)
    people = await lists_db.select_inside(pool, listed.id)
    return json_response(
        {
            "list": listed.slug,
            "count": len(people),
            "limit": listed.limit,
            "people": [msgspec.to_builtins(p) for p in people],
        }
    )
