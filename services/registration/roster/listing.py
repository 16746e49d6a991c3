"""An event's registrations as organizers list, search and export them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import asyncpg
import msgspec

from services.registration.questions import db as questions_db
from services.registration.records import Event, Registration, SessionPlace
from services.registration.refusals import UNKNOWN_SESSION, UNKNOWN_TICKET_TYPE
from services.registration.registrations import db
from services.registration.sessions import db as sessions_db
from services.registration.ticket_types import db as ticket_types_db
from shared.refusals import FieldError
from shared.slugs import SLUG_PATTERN
from shared.spreadsheet import csv_bytes

Status = Literal["confirmed", "waitlisted", "offered", "cancelled"]
CSV_COLUMNS = [
    "id",
    "name",
    "email",
    "lang",
    "status",
    "created_at",
    "cancelled_at",
    "cancel_reason",
    "organization",
    "country",
    "role",
]


class ListQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    status: Status | None = None
    q: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    # Only registrations holding or waiting for a place in this session.
    session: Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN, max_length=63)] | None = None
    ticket_type: Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN, max_length=63)] | None = None
    # Only those checked in at the main entrance (true) or not yet (false).
    checked_in: bool | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 100
    offset: Annotated[int, msgspec.Meta(ge=0)] = 0


class Listed(msgspec.Struct, frozen=True):
    """The registrations matching a query, with their places in sessions."""

    registrations: list[Registration]
    places: dict[uuid.UUID, list[SessionPlace]]
    total: int


async def matching(pool: asyncpg.Pool, event: Event, query: ListQuery, paged: bool) -> Listed:
    filters = db.Filters(
        status=query.status,
        query=query.q,
        session_id=await _session_id(pool, event, query.session),
        ticket_type_id=await _ticket_type_id(pool, event, query.ticket_type),
        checked_in=query.checked_in,
    )
    found, total = await db.select_registrations(
        pool,
        event.id,
        filters,
        limit=query.limit if paged else None,
        offset=query.offset if paged else 0,
    )
    places: dict[uuid.UUID, list[SessionPlace]] = {r.id: [] for r in found}
    for place in await sessions_db.select_places(pool, list(places)):
        places[place.registration_id].append(place)
    return Listed(found, places, total)


async def _session_id(pool: asyncpg.Pool, event: Event, slug: str | None) -> uuid.UUID | None:
    if slug is None:
        return None
    sessions = {s.slug: s.id for s in await sessions_db.select_sessions(pool, event.id)}
    if slug not in sessions:
        raise UNKNOWN_SESSION(
            slug=slug, errors=[FieldError(field="session", message="no such session")]
        )
    return sessions[slug]


async def _ticket_type_id(pool: asyncpg.Pool, event: Event, slug: str | None) -> uuid.UUID | None:
    if slug is None:
        return None
    types = {t.slug: t.id for t in await ticket_types_db.select_ticket_types(pool, event.id)}
    if slug not in types:
        raise UNKNOWN_TICKET_TYPE(
            slug=slug, errors=[FieldError(field="ticket_type", message="no such ticket type")]
        )
    return types[slug]


def _cell(answer: Any) -> str:
    if isinstance(answer, list):
        return "; ".join(str(a) for a in answer)
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    return "" if answer is None else str(answer)


async def export_rows(
    pool: asyncpg.Pool, event: Event, listed: Listed
) -> tuple[list[str], list[list[Any]]]:
    """The CSV header and rows: a column per session (the place's status, empty when not
    chosen), then per question."""
    found = listed.registrations
    asked = await questions_db.select_questions(pool, event.id)
    answers = await db.select_answers(pool, [r.id for r in found])
    sessions = await sessions_db.select_sessions(pool, event.id)
    header = CSV_COLUMNS + [f"session:{s.slug}" for s in sessions] + [q.key for q in asked]
    rows = []
    for r in found:
        given = answers.get(r.id, {})
        chosen = {p.session.id: p.status for p in listed.places[r.id]}
        rows.append(
            [
                r.id,
                r.name,
                r.email,
                r.lang,
                r.status,
                r.created_at.isoformat(),
                r.cancelled_at.isoformat() if r.cancelled_at else "",
                r.cancel_reason or "",
                r.organization or "",
                r.country or "",
                r.role or "",
            ]
            + [chosen.get(s.id, "") for s in sessions]
            + [_cell(given.get(q.key)) for q in asked]
        )
    return header, rows


async def registrations_csv(pool: asyncpg.Pool, event: Event, query: ListQuery) -> bytes:
    """Every registration matching ``query`` (unpaged) as a CSV file."""
    listed = await matching(pool, event, query, paged=False)
    header, rows = await export_rows(pool, event, listed)
    return csv_bytes(header, rows)
