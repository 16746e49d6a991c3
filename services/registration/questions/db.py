"""SQL of an event's questions, one function per statement."""

from __future__ import annotations

import uuid
from typing import TypeAlias

import asyncpg
import msgspec

from services.registration.records import Question
from services.registration.schemas import LocalizedName, Option, QuestionRequest

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool


async def select_questions(conn: Conn, event_id: uuid.UUID) -> list[Question]:
    rows = await conn.fetch(
        "SELECT key, kind, label_pl, label_en, required, options::text AS options"
        " FROM questions WHERE event_id = $1 ORDER BY position",
        event_id,
    )
    return [_question(r) for r in rows]


def _question(row: asyncpg.Record) -> Question:
    return Question(
        key=row["key"],
        kind=row["kind"],
        label=LocalizedName(pl=row["label_pl"], en=row["label_en"]),
        required=row["required"],
        options=msgspec.json.decode(row["options"], type=list[Option]),
    )


async def insert_question(conn: Conn, event_id: uuid.UUID, q: QuestionRequest) -> None:
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


class StoredQuestion(msgspec.Struct, frozen=True):
    id: uuid.UUID
    question: Question


async def select_question_for_update(
    conn: asyncpg.Connection, event_id: uuid.UUID, key: str
) -> StoredQuestion | None:
    row = await conn.fetchrow(
        "SELECT id, key, kind, label_pl, label_en, required, options::text AS options"
        " FROM questions WHERE event_id = $1 AND key = $2 FOR UPDATE",
        event_id,
        key,
    )
    if row is None:
        return None
    return StoredQuestion(id=row["id"], question=_question(row))


async def update_question(conn: asyncpg.Connection, question_id: uuid.UUID, q: Question) -> None:
    await conn.execute(
        "UPDATE questions SET label_pl = $2, label_en = $3, required = $4, options = $5"
        " WHERE id = $1",
        question_id,
        q.label.pl,
        q.label.en,
        q.required,
        msgspec.json.encode(q.options).decode(),
    )


async def select_answer_count(conn: Conn, event_id: uuid.UUID, key: str) -> int:
    """How many of the event's registrations answered the question (an unticked optional
    checkbox is an answer too: it was on their form)."""
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM registrations WHERE event_id = $1 AND answers ? $2",
            event_id,
            key,
        )
    )


async def select_chosen_values(
    conn: Conn, event_id: uuid.UUID, key: str, values: list[str]
) -> list[str]:
    """Which of ``values`` some registration chose in its answer to the question (a single
    choice is a string, a multiple one a list)."""
    rows = await conn.fetch(
        "SELECT DISTINCT v.value FROM registrations r, LATERAL jsonb_array_elements_text("
        " CASE jsonb_typeof(r.answers -> $2) WHEN 'array' THEN r.answers -> $2"
        " ELSE jsonb_build_array(r.answers -> $2) END) AS v (value)"
        " WHERE r.event_id = $1 AND r.answers ? $2 AND v.value = ANY($3::text[])"
        " ORDER BY v.value",
        event_id,
        key,
        values,
    )
    return [r["value"] for r in rows]


async def delete_question(conn: asyncpg.Connection, question_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM questions WHERE id = $1", question_id)
