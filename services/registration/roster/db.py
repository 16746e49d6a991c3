"""SQL of the registrations' back office: who came in, who waits, uploaded CSV drafts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TypeAlias

import asyncpg
import msgspec

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool
DRAFT_MINUTES = 60


class Waiting(msgspec.Struct, frozen=True):
    """Someone in a session's line, or offered one of its seats."""

    session_id: uuid.UUID
    registration_id: uuid.UUID
    name: str
    email: str
    status: str  # waitlisted | offered
    queued_at: datetime
    offer_expires_at: datetime | None


class ImportDraft(msgspec.Struct, frozen=True):
    id: uuid.UUID
    event_id: uuid.UUID
    staff_id: str
    content: str
    created_at: datetime


async def update_first_checkin(
    conn: asyncpg.Connection, registration_id: uuid.UUID, at: datetime
) -> None:
    await conn.execute(
        "UPDATE registrations SET first_checked_in_at = LEAST(first_checked_in_at, $2)"
        " WHERE id = $1 AND (first_checked_in_at IS NULL OR first_checked_in_at > $2)",
        registration_id,
        at,
    )


async def select_session_lines(conn: Conn, event_id: uuid.UUID) -> list[Waiting]:
    """Who waits for a seat in each of the event's sessions, in line order, and the open
    offers of session seats."""
    rows = await conn.fetch(
        "SELECT p.session_id, p.registration_id, r.name, r.email, p.status, p.queued_at,"
        " p.offer_expires_at"
        " FROM registration_sessions p JOIN sessions s ON s.id = p.session_id"
        " JOIN registrations r ON r.id = p.registration_id"
        " WHERE s.event_id = $1 AND p.status IN ('waitlisted', 'offered')"
        " ORDER BY s.starts_at, s.slug, p.status = 'waitlisted', p.offer_expires_at,"
        " p.queued_at, p.registration_id",
        event_id,
    )
    return [msgspec.convert(dict(r), Waiting) for r in rows]


async def insert_import_draft(conn: Conn, draft: ImportDraft) -> None:
    await conn.execute(
        "INSERT INTO import_drafts (id, event_id, staff_id, content, created_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        draft.id,
        draft.event_id,
        draft.staff_id,
        draft.content,
        draft.created_at,
    )


async def delete_import_draft(
    conn: Conn, draft_id: uuid.UUID, event_id: uuid.UUID
) -> ImportDraft | None:
    """Take the draft (once: a second confirmation finds nothing), if not expired."""
    row = await conn.fetchrow(
        "DELETE FROM import_drafts WHERE id = $1 AND event_id = $2"
        f" AND created_at > now() - interval '{DRAFT_MINUTES} minutes'"
        " RETURNING id, event_id, staff_id, content, created_at",
        draft_id,
        event_id,
    )
    return msgspec.convert(dict(row), ImportDraft) if row else None


async def delete_stale_import_drafts(conn: Conn) -> None:
    await conn.execute(
        f"DELETE FROM import_drafts WHERE created_at <= now() - interval '{DRAFT_MINUTES} minutes'"
    )


async def select_checked_in_count(conn: Conn, event_id: uuid.UUID) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM registrations"
        " WHERE event_id = $1 AND first_checked_in_at IS NOT NULL",
        event_id,
    )
    return count
