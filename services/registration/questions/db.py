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
