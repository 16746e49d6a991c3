"""An organizer adds questions to an event's form."""

from __future__ import annotations

import asyncpg

from services.registration.events.setup import SERVICE
from services.registration.questions import db
from services.registration.records import Event
from services.registration.refusals import QUESTION_EXISTS
from services.registration.schemas import QuestionRequest
from shared import audit
from shared.auth import StaffClaims


async def add_questions(
    pool: asyncpg.Pool, event: Event, bodies: list[QuestionRequest], claims: StaffClaims
) -> None:
    """Add questions after the event's others, all or none."""
    async with pool.acquire() as conn, conn.transaction():
        for body in bodies:
            try:
                await db.insert_question(conn, event.id, body)
            except asyncpg.UniqueViolationError:
                raise QUESTION_EXISTS(key=body.key) from None
            await audit.record(
                conn, SERVICE, claims, "question.added", event_slug=event.slug, after=body
            )
