"""Organizer tools: list and search an event's registrations, and export them as CSV."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from aiohttp import web

from services.registration import db, questions
from services.registration.handlers import event_or_404, registration_body
from services.registration.schemas import Event, Registration, SessionPlace
from shared.http import ProblemError, json_response
from shared.keys import DB_POOL
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
    limit: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 100
    offset: Annotated[int, msgspec.Meta(ge=0)] = 0


def _cell(answer: Any) -> str:
    if isinstance(answer, list):
        return "; ".join(str(a) for a in answer)
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    return "" if answer is None else str(answer)


def _query(request: web.Request) -> ListQuery:
    try:
        return msgspec.convert(dict(request.query), ListQuery, strict=False)
    except msgspec.ValidationError as e:
        message = str(e)
        field = message.rsplit("$.", 1)[-1].rstrip("`") if "$." in message else "query"
        if "unknown field" in message:
            field = message.split("`")[1]
        raise ProblemError(
            400,
            "validation_failed",
            "The query has invalid parameters.",
            errors=[FieldError(field=field, message=message.split(" - at ")[0])],
        ) from None


async def _matching(request: web.Request, paged: bool) -> tuple[Event, list[Registration], int]:
    query = _query(request)
    event = await event_or_404(request, include_drafts=True)
    session_id = None
    if query.session is not None:
        sessions = {s.slug: s.id for s in await db.select_sessions(request.app[DB_POOL], event.id)}
        if query.session not in sessions:
            raise ProblemError(
                400,
                "unknown_session",
                f"This event has no session {query.session!r}.",
                errors=[FieldError(field="session", message="no such session")],
            )
        session_id = sessions[query.session]
    found, total = await db.select_registrations(
        request.app[DB_POOL],
        event.id,
        status=query.status,
        query=query.q,
        session_id=session_id,
        limit=query.limit if paged else None,
        offset=query.offset if paged else 0,
    )
    return event, found, total


async def _places(
    request: web.Request, found: list[Registration]
) -> dict[uuid.UUID, list[SessionPlace]]:
    places: dict[uuid.UUID, list[SessionPlace]] = {r.id: [] for r in found}
    for place in await db.select_places(request.app[DB_POOL], list(places)):
        places[place.registration_id].append(place)
    return places


async def list_registrations(request: web.Request) -> web.Response:
    _, found, total = await _matching(request, paged=True)
    places = await _places(request, found)
    return json_response(
        {
            "total": total,
            "registrations": [
                registration_body(r)
                | {"sessions": [{"slug": p.session.slug, "status": p.status} for p in places[r.id]]}
                for r in found
            ],
        }
    )


async def export_registrations_csv(request: web.Request) -> web.Response:
    event, found, _ = await _matching(request, paged=False)
    pool = request.app[DB_POOL]
    asked = await questions.select_questions(pool, event.id)
    answers = await db.select_answers(pool, [r.id for r in found])
    sessions = await db.select_sessions(pool, event.id)
    places = await _places(request, found)
    # A column per session (the place's status, empty when not chosen), then per question.
    header = CSV_COLUMNS + [f"session:{s.slug}" for s in sessions] + [q.key for q in asked]
    rows = []
    for r in found:
        given = answers.get(r.id, {})
        chosen = {p.session.id: p.status for p in places[r.id]}
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
    return web.Response(
        body=csv_bytes(header, rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-registrations.csv"'},
    )
