"""The pages of an event's parts (sessions, ticket types, questions) as their handlers
render them: after a change, or again with what was wrong."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.registration.event_pages.render import page
from services.registration.questions import db as questions_db
from services.registration.records import Event
from services.registration.sessions import db as sessions_db
from services.registration.ticket_types import db as ticket_types_db
from shared.db import DB_POOL
from shared.http import Form
from shared.routes import staff_claims

ROWS = {"sessions": 3, "ticket-types": 2}
MAX_ROWS = 20


def rows_of(request: web.Request, part: str, form: Form | None = None) -> int:
    """How many empty rows the add form has: ``?rows=`` asks for more."""
    asked = str((form.get("rows") if form is not None else None) or request.query.get("rows", ""))
    return min(int(asked), MAX_ROWS) if asked.isdigit() and int(asked) > 0 else ROWS[part]


def posted(form: Form) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}


def _part_page(
    request: web.Request,
    template: str,
    event: Event,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    problem: str | None = None,
    **context: Any,
) -> web.Response:
    return page(
        request,
        template,
        status=status,
        errors=errors,
        event=event,
        slug=event.slug,
        tab="tab_overview",
        may_edit=staff_claims(request).may("organizer", event.slug) and event.status != "cancelled",
        v=values or {},
        problem=problem,
        **context,
    )


async def sessions_view(request: web.Request, event: Event, **kw: Any) -> web.Response:
    return _part_page(
        request,
        "office/event_sessions.html",
        event,
        sessions=await sessions_db.select_sessions(request.app[DB_POOL], event.id),
        rows=kw.pop("rows", None) or rows_of(request, "sessions"),
        **kw,
    )


async def ticket_types_view(request: web.Request, event: Event, **kw: Any) -> web.Response:
    return _part_page(
        request,
        "office/event_ticket_types.html",
        event,
        ticket_types=await ticket_types_db.select_ticket_types(request.app[DB_POOL], event.id),
        rows=kw.pop("rows", None) or rows_of(request, "ticket-types"),
        **kw,
    )


async def questions_view(request: web.Request, event: Event, **kw: Any) -> web.Response:
    return _part_page(
        request,
        "office/event_questions.html",
        event,
        questions=await questions_db.select_questions(request.app[DB_POOL], event.id),
        **kw,
    )
