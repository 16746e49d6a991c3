"""SQL of registrations, one function per statement (storing new ones with their seats
is in seats_db.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
import msgspec

from services.registration.records import Registration

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool

_REGISTRATION_COLUMNS = (
    "id, event_id, name, email, lang, status, manage_token_hash, version, created_at,"
    " offer_expires_at, cancelled_at, cancel_reason, erased_at, organization, country, role,"
    " ticket_type_id, group_id, manage_token_sealed, first_checked_in_at"
)


def _registration(row: asyncpg.Record) -> Registration:
    return msgspec.convert(dict(row), Registration)


async def select_registration(conn: Conn, registration_id: uuid.UUID) -> Registration | None:
    row = await conn.fetchrow(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations WHERE id = $1", registration_id
    )
    return _registration(row) if row else None


async def select_registration_for_update(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> Registration:
    row = await conn.fetchrow(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations WHERE id = $1 FOR UPDATE",
        registration_id,
    )
    return _registration(row)


async def select_registration_ids_by_email(
    conn: Conn, event_id: uuid.UUID, email_keys: list[str]
) -> dict[str, uuid.UUID]:
    """The registrations (not cancelled) of ``email_keys`` for the event, by email key."""
    rows = await conn.fetch(
        "SELECT email_key, id FROM registrations WHERE event_id = $1 AND status <> 'cancelled'"
        " AND email_key = ANY($2::text[])",
        event_id,
        email_keys,
    )
    return {r["email_key"]: r["id"] for r in rows}


async def select_waitlist_position(conn: Conn, registration: Registration) -> int:
    position: int = await conn.fetchval(
        "SELECT count(*) + 1 FROM registrations WHERE event_id = $1 AND status = 'waitlisted'"
        " AND (created_at, id) < ($2, $3)",
        registration.event_id,
        registration.created_at,
        registration.id,
    )
    return position


async def select_first_waitlisted_for_update(
    conn: asyncpg.Connection, event_id: uuid.UUID, limit: int | None
) -> list[Registration]:
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations"
        " WHERE event_id = $1 AND status = 'waitlisted'"
        " ORDER BY created_at, id LIMIT $2 FOR UPDATE",
        event_id,
        limit,
    )
    return [_registration(r) for r in rows]


async def select_event_line(conn: Conn, event_id: uuid.UUID) -> list[Registration]:
    """Who waits for a seat at the event, in line order, then the open offers by expiry."""
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations"
        " WHERE event_id = $1 AND status IN ('waitlisted', 'offered')"
        " ORDER BY status = 'waitlisted', offer_expires_at, created_at, id",
        event_id,
    )
    return [_registration(r) for r in rows]


async def select_active_registrations_for_update(
    conn: asyncpg.Connection, event_id: uuid.UUID
) -> list[Registration]:
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations"
        " WHERE event_id = $1 AND status <> 'cancelled' ORDER BY created_at FOR UPDATE",
        event_id,
    )
    return [_registration(r) for r in rows]


async def select_registrations_of_cancelled_events(conn: Conn, limit: int) -> list[Registration]:
    """Registrations still active although their event is cancelled: stored by a statement
    that began before the cancel committed and ended after it looked (see the sweeper)."""
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations"
        " WHERE status <> 'cancelled'"
        "  AND event_id IN (SELECT id FROM events WHERE status = 'cancelled')"
        " ORDER BY created_at, id LIMIT $1",
        limit,
    )
    return [_registration(r) for r in rows]


async def select_expired_offers(conn: Conn, limit: int) -> list[Registration]:
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations"
        " WHERE status = 'offered' AND offer_expires_at <= now()"
        " ORDER BY offer_expires_at LIMIT $1",
        limit,
    )
    return [_registration(r) for r in rows]


class Filters(msgspec.Struct, frozen=True):
    """Which of an event's registrations to list: each filter None when not asked."""

    status: str | None = None
    query: str | None = None  # in name, email and organization, case-insensitive
    session_id: uuid.UUID | None = None  # holding or waiting for a place in it
    ticket_type_id: uuid.UUID | None = None
    checked_in: bool | None = None


def _like(query: str | None) -> str | None:
    if not query:
        return None
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def select_registrations(
    conn: Conn, event_id: uuid.UUID, filters: Filters, *, limit: int | None, offset: int
) -> tuple[list[Registration], int]:
    """A page of an event's registrations, oldest first, and how many match in all."""
    where = (
        "event_id = $1 AND ($2::text IS NULL OR status = $2)"
        " AND ($3::text IS NULL OR search_text LIKE lower($3))"
        " AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM registration_sessions p"
        "  WHERE p.registration_id = registrations.id AND p.session_id = $4"
        "  AND p.status <> 'cancelled'))"
        " AND ($5::uuid IS NULL OR ticket_type_id = $5)"
        " AND ($6::boolean IS NULL OR (first_checked_in_at IS NOT NULL) = $6)"
    )
    args = (
        event_id,
        filters.status,
        _like(filters.query),
        filters.session_id,
        filters.ticket_type_id,
        filters.checked_in,
    )
    total: int = await conn.fetchval(f"SELECT count(*) FROM registrations WHERE {where}", *args)
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations WHERE {where}"
        " ORDER BY created_at, id LIMIT $7 OFFSET $8",
        *args,
        limit,
        offset,
    )
    return [_registration(r) for r in rows], total


async def select_answers(conn: Conn, registration_ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    rows = await conn.fetch(
        "SELECT id, answers::text AS answers FROM registrations WHERE id = ANY($1::uuid[])",
        registration_ids,
    )
    return {r["id"]: msgspec.json.decode(r["answers"]) for r in rows}


async def select_consent_and_answers(
    conn: Conn, registration_id: uuid.UUID
) -> tuple[str, datetime, dict[str, Any]]:
    row = await conn.fetchrow(
        "SELECT consent_version, consent_at, answers::text AS answers FROM registrations"
        " WHERE id = $1",
        registration_id,
    )
    return row["consent_version"], row["consent_at"], msgspec.json.decode(row["answers"])


async def select_registrations_past_retention(conn: Conn, limit: int) -> list[Registration]:
    rows = await conn.fetch(
        f"SELECT {', '.join('r.' + c.strip() for c in _REGISTRATION_COLUMNS.split(','))}"
        " FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.erased_at IS NULL AND e.retention_days IS NOT NULL"
        " AND e.ends_at + make_interval(days => e.retention_days) < now()"
        " LIMIT $1",
        limit,
    )
    return [_registration(r) for r in rows]


async def update_registration_status(
    conn: asyncpg.Connection,
    registration_id: uuid.UUID,
    status: str,
    *,
    offer_expires_at: datetime | None = None,
    cancel_reason: str | None = None,
) -> Registration:
    row = await conn.fetchrow(
        "UPDATE registrations SET status = $2, offer_expires_at = $3, cancel_reason = $4,"
        " cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() END, version = version + 1"
        f" WHERE id = $1 RETURNING {_REGISTRATION_COLUMNS}",
        registration_id,
        status,
        offer_expires_at,
        cancel_reason,
    )
    return _registration(row)


async def update_registration_version(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> Registration:
    row = await conn.fetchrow(
        "UPDATE registrations SET version = version + 1"
        f" WHERE id = $1 RETURNING {_REGISTRATION_COLUMNS}",
        registration_id,
    )
    return _registration(row)


async def update_registration_erased(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> Registration:
    # The email key stays unique per registration, so the person may register again.
    row = await conn.fetchrow(
        "UPDATE registrations SET name = '[erased]', email = 'erased-' || id || '@invalid',"
        " email_key = 'erased-' || id, organization = NULL, answers = '{}', erased_at = now(),"
        " manage_token_sealed = NULL,"
        " version = version + 1"
        f" WHERE id = $1 RETURNING {_REGISTRATION_COLUMNS}",
        registration_id,
    )
    return _registration(row)
