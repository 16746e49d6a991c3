"""SQL of attendee messages and their audiences, one function per statement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TypeAlias

import asyncpg
import msgspec

from shared.events import Lang

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool

# Who each audience is, as a condition on registrations r (an event's, not erased);
# $2 is the session's id (NULL unless the audience is a session).
_AUDIENCES = {
    "confirmed": "r.status = 'confirmed'",
    # Offered people are still waiting: their seat is theirs only once they accept it.
    "waitlisted": "r.status IN ('waitlisted', 'offered')",
    "session": "r.status = 'confirmed' AND EXISTS (SELECT 1 FROM registration_sessions p"
    " WHERE p.registration_id = r.id AND p.session_id = $2 AND p.status = 'confirmed')",
    # The main entrance's first scan, as checkin's ``checkin.recorded`` told us.
    "checked_in": "r.status = 'confirmed' AND r.first_checked_in_at IS NOT NULL",
    "not_checked_in": "r.status = 'confirmed' AND r.first_checked_in_at IS NULL",
}
AUDIENCES = tuple(_AUDIENCES)


def _audience(
    audience: str, event_id: uuid.UUID, session_id: uuid.UUID | None
) -> tuple[str, list[uuid.UUID | None]]:
    """The FROM and WHERE of the audience's registrations, and their arguments."""
    sql = (
        "FROM registrations r WHERE r.event_id = $1 AND r.erased_at IS NULL"
        f" AND {_AUDIENCES[audience]}"
    )
    return sql, [event_id, session_id] if "$2" in sql else [event_id]


class Recipient(msgspec.Struct, frozen=True):
    id: uuid.UUID
    name: str
    email: str
    lang: Lang
    manage_token_sealed: str | None


class Message(msgspec.Struct, frozen=True):
    id: uuid.UUID
    audience: str
    session_slug: str | None
    subject_pl: str
    subject_en: str
    sent_by_name: str
    sent_at: datetime
    recipients: int


async def select_recipient_counts(
    conn: Conn, event_id: uuid.UUID, audience: str, session_id: uuid.UUID | None
) -> dict[str, int]:
    where, args = _audience(audience, event_id, session_id)
    rows = await conn.fetch(f"SELECT r.lang, count(*) AS n {where} GROUP BY r.lang", *args)
    return {r["lang"]: r["n"] for r in rows}


async def select_recipients(
    conn: Conn, event_id: uuid.UUID, audience: str, session_id: uuid.UUID | None
) -> list[Recipient]:
    where, args = _audience(audience, event_id, session_id)
    rows = await conn.fetch(
        "SELECT r.id, r.name, r.email, r.lang, r.manage_token_sealed"
        f" {where} ORDER BY r.created_at, r.id",
        *args,
    )
    return [Recipient(**dict(r)) for r in rows]


async def insert_message(
    conn: asyncpg.Connection,
    *,
    message_id: uuid.UUID,
    event_id: uuid.UUID,
    audience: str,
    session_id: uuid.UUID | None,
    subject: tuple[str, str],
    body: tuple[str, str],
    sent_by: tuple[str, str],
    recipients: int,
) -> bool:
    """False when the message was stored before (the same form sent twice)."""
    stored = await conn.fetchval(
        "INSERT INTO messages (id, event_id, audience, session_id, subject_pl, subject_en,"
        " body_pl, body_en, sent_by_id, sent_by_name, recipients)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        " ON CONFLICT (id) DO NOTHING RETURNING true",
        message_id,
        event_id,
        audience,
        session_id,
        *subject,
        *body,
        *sent_by,
        recipients,
    )
    return bool(stored)


async def select_messages(conn: Conn, event_id: uuid.UUID) -> list[Message]:
    rows = await conn.fetch(
        "SELECT m.id, m.audience, s.slug AS session_slug, m.subject_pl, m.subject_en,"
        " m.sent_by_name, m.sent_at, m.recipients FROM messages m"
        " LEFT JOIN sessions s ON s.id = m.session_id"
        " WHERE m.event_id = $1 ORDER BY m.sent_at DESC, m.id",
        event_id,
    )
    return [Message(**dict(r)) for r in rows]
