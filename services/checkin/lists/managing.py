"""Check-in lists: defining, changing and removing them, reading them and who is inside.
The main list and session lists take their slug and members from the event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import asyncpg
import msgspec

from services.checkin.attendees.events import find_event
from services.checkin.lists import db
from services.checkin.lists.db import MAIN_LIST, ListRow, NewList
from services.checkin.lists.texts import (
    GATE_TAKEN,
    LIST_EXISTS,
    LIST_MEMBERSHIP_FIXED,
    LIST_NOT_FOUND,
    LIST_NOT_REMOVABLE,
)
from services.checkin.scans.rules import Policy
from shared import audit
from shared.auth import StaffClaims
from shared.refusals import VALIDATION_FAILED, FieldError, Refused
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


def _invalid(field: str, message: str) -> Refused:
    return VALIDATION_FAILED(errors=[FieldError(field=field, message=message)])


def list_body(row: ListRow) -> dict[str, Any]:
    """A list as the API shows it."""
    body = msgspec.to_builtins(row)
    del body["id"]
    return dict(body)


def _check_settings(new: NewList, given: frozenset[str] = frozenset()) -> None:
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
        unknown = set(sessions) - await db.select_session_slugs(conn, event_id)
        if unknown:
            raise _invalid("sessions", f"The event has no session {sorted(unknown)[0]!r}.")
    if ticket_types:
        known = await db.select_ticket_types(conn, event_id)
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
    taken = await db.select_gate_owner(conn, event_id, gates, list_id) if gates else None
    if taken is not None:
        other, gate = taken
        raise GATE_TAKEN(
            gate=gate,
            other=other,
            errors=[FieldError(field="gates", message=f"{gate} belongs to {other}")],
        )


async def create_list(
    pool: asyncpg.Pool, claims: StaffClaims, slug: str, body: ListRequest
) -> ListRow:
    new = NewList(
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
    event = await find_event(pool, slug)
    await _check_members(pool, event.id, new.sessions, new.ticket_types)
    await _check_gates(pool, event.id, new.gates, None)
    async with pool.acquire() as conn, conn.transaction():
        # The main list takes its slug even before the first scan asks for it.
        await db.insert_list_if_missing(conn, event.id, MAIN_LIST, "Main entrance")
        try:
            row = await db.insert_list(conn, event.id, new)
        except asyncpg.UniqueViolationError as e:
            if e.constraint_name != "lists_event_id_slug_key":
                raise
            raise LIST_EXISTS(slug=body.slug) from None
        await audit.record(conn, "checkin", claims, "list.created", event_slug=slug, after=row)
        return row


async def _list_target(pool: asyncpg.Pool, slug: str, list_slug: str) -> uuid.UUID:
    """The event of a request on one of its lists."""
    event = await find_event(pool, slug)
    if not is_slug(list_slug):
        raise LIST_NOT_FOUND(list=list_slug)
    return event.id


def _changes(current: ListRow, body: ListChangeRequest) -> dict[str, Any]:
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


async def update_list(
    pool: asyncpg.Pool, claims: StaffClaims, slug: str, list_slug: str, body: ListChangeRequest
) -> ListRow:
    """Change a list's settings; the main list and session lists keep slug and members."""
    event_id = await _list_target(pool, slug, list_slug)
    async with pool.acquire() as conn, conn.transaction():
        current = await db.select_list_for_update(conn, event_id, list_slug)
        if current is None:
            raise LIST_NOT_FOUND(list=list_slug)
        changes = _changes(current, body)
        fixed = [f for f in FIXED_FIELDS if f in changes]
        if fixed and current.origin != "organizer":
            raise LIST_MEMBERSHIP_FIXED(
                origin=current.origin,
                slug=list_slug,
                errors=[FieldError(field=f, message="Cannot change on this list.") for f in fixed],
            )
        if not changes:
            return current
        kept = {f: getattr(current, f) for f in NewList.__struct_fields__}
        merged = NewList(**(kept | changes))
        _check_settings(merged, frozenset(changes))
        await _check_members(conn, event_id, changes.get("sessions"), changes.get("ticket_types"))
        await _check_gates(conn, event_id, changes.get("gates", []), current.id)
        pin = (["name"] if "name" in changes else []) + (
            ["window"] if {"valid_from", "valid_until"} & changes.keys() else []
        )
        try:
            row = await db.update_list(
                conn, current.id, merged, pin if current.origin == "session" else []
            )
        except asyncpg.UniqueViolationError as e:
            if e.constraint_name != "lists_event_id_slug_key":
                raise
            raise LIST_EXISTS(slug=merged.slug) from None
        await audit.record(
            conn, "checkin", claims, "list.updated", event_slug=slug, before=current, after=row
        )
        return row


async def delete_list(pool: asyncpg.Pool, claims: StaffClaims, slug: str, list_slug: str) -> None:
    """Remove an organizer's list: archived, so that the scans made on it stay."""
    event_id = await _list_target(pool, slug, list_slug)
    async with pool.acquire() as conn, conn.transaction():
        current = await db.select_list_for_update(conn, event_id, list_slug)
        if current is None:
            raise LIST_NOT_FOUND(list=list_slug)
        if current.origin != "organizer":
            raise LIST_NOT_REMOVABLE(origin=current.origin, slug=list_slug)
        await db.update_list_archived(conn, current.id)
        await audit.record(conn, "checkin", claims, "list.deleted", event_slug=slug, before=current)


async def lists_of(pool: asyncpg.Pool, slug: str) -> dict[str, Any]:
    """An event's lists, and the ticket types they can name."""
    event = await find_event(pool, slug)
    rows = await db.select_lists(pool, event.id)
    # What a list's ticket_types can name (null while the event has not told them yet).
    types = await db.select_ticket_types(pool, event.id)
    return {
        "event": slug,
        "ticket_types": sorted(types) if types is not None else None,
        "lists": [list_body(r) for r in rows],
    }


async def inside(pool: asyncpg.Pool, slug: str, list_slug: str) -> dict[str, Any]:
    """Who is inside a list's room now."""
    event = await find_event(pool, slug)
    listed = await db.select_list(pool, event.id, list_slug) if is_slug(list_slug) else None
    if listed is None:
        raise LIST_NOT_FOUND(list=list_slug)
    people = await db.select_inside(pool, listed.id)
    return {
        "list": listed.slug,
        "count": len(people),
        "limit": listed.limit,
        "people": [msgspec.to_builtins(p) for p in people],
    }
