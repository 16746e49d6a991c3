"""An organizer changes a question of the form (its labels, whether it is required, its
choices) or removes one nobody has answered.

Answers already given stay readable: a choice that some answer holds cannot be removed
(its label can change); the key and the kind never change. Questions are not on the wire,
so nothing is announced; the routes forget the cached event (changes_events)."""

from __future__ import annotations

import asyncpg
import msgspec

from services.registration.events.setup import SERVICE, lock_changeable_event
from services.registration.questions import db
from services.registration.records import Event, Question
from services.registration.refusals import OPTION_IN_USE, QUESTION_ANSWERED, QUESTION_NOT_FOUND
from services.registration.schemas import UpdateQuestionRequest
from shared import audit
from shared.auth import StaffClaims
from shared.refusals import VALIDATION_FAILED, FieldError

CHOICE_KINDS = ("single", "multiple")


async def _locked(conn: asyncpg.Connection, event: Event, key: str) -> db.StoredQuestion:
    await lock_changeable_event(conn, event.id)
    found = await db.select_question_for_update(conn, event.id, key)
    if found is None:
        raise QUESTION_NOT_FOUND(key=key)
    return found


def _changed(current: Question, body: UpdateQuestionRequest) -> Question:
    given = {
        f: getattr(body, f) for f in body.__struct_fields__ if getattr(body, f) is not msgspec.UNSET
    }
    after = msgspec.structs.replace(current, **given)
    has_options = current.kind in CHOICE_KINDS
    if (has_options and len(after.options) < 2) or (not has_options and after.options):
        message = "needs at least two choices" if has_options else "only for choice questions"
        raise VALIDATION_FAILED(errors=[FieldError(field="options", message=message)])
    if not (after.label.pl.strip() and after.label.en.strip()):
        raise VALIDATION_FAILED(errors=[FieldError(field="label", message="must not be blank")])
    return after


async def change_question(
    pool: asyncpg.Pool, event: Event, key: str, body: UpdateQuestionRequest, claims: StaffClaims
) -> Question:
    """Change a question; refused when it would drop a choice some answer holds."""
    async with pool.acquire() as conn, conn.transaction():
        stored = await _locked(conn, event, key)
        current = stored.question
        after = _changed(current, body)
        if after == current:
            return current
        dropped = sorted({o.value for o in current.options} - {o.value for o in after.options})
        if dropped:
            chosen = await db.select_chosen_values(conn, event.id, key, dropped)
            if chosen:
                raise OPTION_IN_USE(
                    value=chosen[0],
                    errors=[FieldError(field="options", message=f"{chosen[0]!r} was chosen")],
                )
        await db.update_question(conn, stored.id, after)
        await audit.record(
            conn,
            SERVICE,
            claims,
            "question.updated",
            event_slug=event.slug,
            before=current,
            after=after,
        )
        return after


async def remove_question(pool: asyncpg.Pool, event: Event, key: str, claims: StaffClaims) -> None:
    """Remove a question no registration has answered."""
    async with pool.acquire() as conn, conn.transaction():
        stored = await _locked(conn, event, key)
        answered = await db.select_answer_count(conn, event.id, key)
        if answered:
            raise QUESTION_ANSWERED(
                count=answered,
                errors=[FieldError(field="question", message="registrations answered it")],
            )
        await db.delete_question(conn, stored.id)
        await audit.record(
            conn,
            SERVICE,
            claims,
            "question.removed",
            event_slug=event.slug,
            before=stored.question,
        )
