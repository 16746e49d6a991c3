"""Everything the back office shows about one registration: the person, their answers,
sessions, ticket type, place in line, and the event they registered for."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec

from services.registration.events import db as events_db
from services.registration.questions import db as questions_db
from services.registration.records import (
    Event,
    Question,
    Registration,
    Session,
    SessionPlace,
    TicketType,
)
from services.registration.registrations import db
from services.registration.sessions import db as sessions_db
from services.registration.ticket_types import db as ticket_types_db


class Detail(msgspec.Struct, frozen=True):
    registration: Registration
    event: Event
    answers: list[tuple[Question, Any]]  # the event's questions and the answer given, if any
    places: list[SessionPlace]
    sessions: list[Session]  # every session of the event, for changing them
    ticket_type: TicketType | None
    position: int | None  # in the event's line, when waitlisted


async def registration_detail(pool: asyncpg.Pool, registration_id: uuid.UUID) -> Detail | None:
    registration = await db.select_registration(pool, registration_id)
    if registration is None:
        return None
    event = await events_db.select_event_by_id(pool, registration.event_id)
    given = (await db.select_answers(pool, [registration.id])).get(registration.id, {})
    types = await ticket_types_db.select_ticket_types(pool, event.id)
    questions = await questions_db.select_questions(pool, event.id)
    position = None
    if registration.status == "waitlisted":
        position = await db.select_waitlist_position(pool, registration)
    return Detail(
        registration=registration,
        event=event,
        answers=[(q, given.get(q.key)) for q in questions],
        places=await sessions_db.select_places(pool, [registration.id]),
        sessions=await sessions_db.select_sessions(pool, event.id),
        ticket_type=next((t for t in types if t.id == registration.ticket_type_id), None),
        position=position,
    )
