"""Organizer-defined questions: text, single choice, multiple choice, checkbox; required or
optional; labelled in Polish and English. Answers are checked against them."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec
from aiohttp import web

from services.registration.handlers import event_or_404
from services.registration.schemas import LocalizedName, Option, Question, QuestionRequest
from shared.http import ProblemError, decode_body, json_response
from shared.keys import DB_POOL
from shared.refusals import FieldError

MAX_TEXT_ANSWER = 2000


async def select_questions(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> list[Question]:
    rows = await conn.fetch(
        "SELECT key, kind, label_pl, label_en, required, options::text AS options"
        " FROM questions WHERE event_id = $1 ORDER BY position",
        event_id,
    )
    return [
        Question(
            key=r["key"],
            kind=r["kind"],
            label=LocalizedName(pl=r["label_pl"], en=r["label_en"]),
            required=r["required"],
            options=msgspec.json.decode(r["options"], type=list[Option]),
        )
        for r in rows
    ]


async def insert_question(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID, q: QuestionRequest
) -> None:
    await conn.execute(
        "INSERT INTO questions (id, event_id, key, kind, label_pl, label_en, required, options,"
        " position) SELECT $1, $2, $3, $4, $5, $6, $7, $8,"
        " coalesce(max(position), 0) + 1 FROM questions WHERE event_id = $2",
        uuid.uuid4(),
        event_id,
        q.key,
        q.kind,
        q.label.pl,
        q.label.en,
        q.required,
        msgspec.json.encode(q.options).decode(),
    )


def check_answers(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers, normalised, or a 400 naming every wrong one (``answers.<key>``)."""
    errors: list[FieldError] = []
    known = {q.key: q for q in questions}
    for key in answers:
        if key not in known:
            errors.append(FieldError(field=f"answers.{key}", message="there is no such question"))
    clean: dict[str, Any] = {}
    for q in questions:
        value = answers.get(q.key)
        problem = None
        if value is None or value == "" or value == [] or (q.kind == "checkbox" and value is False):
            if q.required:
                problem = "an answer is required"
            elif q.kind == "checkbox":
                clean[q.key] = False
        elif q.kind == "text":
            if not isinstance(value, str) or len(value) > MAX_TEXT_ANSWER:
                problem = f"must be text of at most {MAX_TEXT_ANSWER} characters"
            elif any(ord(c) < 32 and c not in "\n\t" for c in value):
                problem = "must not contain control characters"
            else:
                clean[q.key] = value
        elif q.kind == "checkbox":
            if value is not True:
                problem = "must be true or false"
            else:
                clean[q.key] = True
        else:
            choices = {o.value for o in q.options}
            picked = [value] if q.kind == "single" else value
            if (
                not isinstance(picked, list)
                or not all(isinstance(v, str) and v in choices for v in picked)
                or len(set(picked)) != len(picked)
            ):
                what = "one" if q.kind == "single" else "a list"
                problem = f"must be {what} of: {', '.join(sorted(choices))}"
            else:
                clean[q.key] = value
        if problem:
            errors.append(FieldError(field=f"answers.{q.key}", message=problem))
    if errors:
        raise ProblemError(400, "validation_failed", "Some answers are not valid.", errors=errors)
    return clean


async def create_question(request: web.Request) -> web.Response:
    body = await decode_body(request, QuestionRequest)
    event = await event_or_404(request, include_drafts=True)
    try:
        await insert_question(request.app[DB_POOL], event.id, body)
    except asyncpg.UniqueViolationError:
        raise ProblemError(
            409, "question_exists", f"This event already has a question {body.key!r}."
        ) from None
    return json_response(msgspec.to_builtins(body), status=201)


async def list_questions(request: web.Request) -> web.Response:
    event = await event_or_404(request)
    found = await select_questions(request.app[DB_POOL], event.id)
    return json_response({"questions": found})
